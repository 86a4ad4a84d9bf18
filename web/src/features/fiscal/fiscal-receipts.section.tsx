/**
 * "Кассовые чеки" on an operation's page: each receipt of the payment and its refunds with its status,
 * the fiscal data (FN, FD, FPD, shift, time), the QR code in the standard format (drawn by the server)
 * and the link to the check page; a failed or stopped receipt can be sent again.
 */
import { useState } from 'react';
import { api, errorMessage } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SuccessNotice } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatAmount } from '../operations/operation-format';
import { hasPermission, useMe } from '../shell/session';
import { fiscalTexts } from './fiscal.texts';
import type { FiscalReceipt } from './fiscal.types';
import './fiscal.css';

const STATUS_CLASS = { pending: 'pending', wait: 'pending', done: 'delivered', fail: 'failed' } as const;

export function FiscalReceiptsSection({ paymentId }: { paymentId: string }) {
  const t = useTexts(fiscalTexts);
  const path = `/api/cabinet/fiscal-receipts?paymentId=${encodeURIComponent(paymentId)}`;
  const { resource, setData } = useResource<{ items: FiscalReceipt[] }>(path);
  const replace = (updated: FiscalReceipt) => {
    if (resource.status !== 'ready') return;
    const items = resource.data.items.map((item) => (item.id === updated.id ? updated : item));
    setData({ items });
  };
  return (
    <section className="card" aria-labelledby="fiscal-receipts-title">
      <h2 id="fiscal-receipts-title">{t('receipts.title')}</h2>
      {resource.status === 'loading' && <Loading label={t('receipts.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && (
        <p className="muted">{t('receipts.none')}</p>
      )}
      {resource.status === 'ready' &&
        [...resource.data.items]
          .reverse()
          .map((receipt) => <ReceiptBlock key={receipt.id} receipt={receipt} onChange={replace} />)}
    </section>
  );
}

function ReceiptBlock({
  receipt,
  onChange,
}: {
  receipt: FiscalReceipt;
  onChange: (r: FiscalReceipt) => void;
}) {
  const t = useTexts(fiscalTexts);
  const { language } = useLanguage();
  const kind = receipt.secondReceiptId !== null ? 'kind.second' : (`kind.${receipt.kind}` as const);
  const total = formatAmount(receipt.total, 'RUB', language);
  return (
    <article className="fiscal-receipt" aria-label={`${t(kind)} ${total}`}>
      <h3>
        {t(kind)} · {total}{' '}
        <span className={`badge op-notice op-notice-${STATUS_CLASS[receipt.status]}`}>
          {t(`status.${receipt.status}`)}
        </span>
      </h3>
      {receipt.fiscal && <FiscalDataBlock receipt={receipt} />}
      {receipt.error && (
        <p className="reason-box">
          {t('field.error')}: {receipt.error}
        </p>
      )}
      {receipt.status !== 'done' && (
        <p className="muted">{t('field.attempts', { attempts: receipt.attempts, polls: receipt.polls })}</p>
      )}
      {receipt.buyerMailedAt && <p className="muted">{t('field.mailed')}</p>}
      {receipt.canRetry && <RetryButton receipt={receipt} onChange={onChange} />}
    </article>
  );
}

function FiscalDataBlock({ receipt }: { receipt: FiscalReceipt }) {
  const t = useTexts(fiscalTexts);
  const { language } = useLanguage();
  const fiscal = receipt.fiscal;
  if (!fiscal) return null;
  const rows: [string, string | number | null][] = [
    [t('field.datetime'), fiscal.receiptDatetime],
    [t('field.fn'), fiscal.fnNumber],
    [t('field.fd'), fiscal.fiscalDocumentNumber],
    [t('field.fpd'), fiscal.fiscalDocumentAttribute],
    [t('field.shift'), fiscal.shiftNumber],
    [t('field.number'), fiscal.fiscalReceiptNumber],
    [t('field.rn'), fiscal.ecrRegistrationNumber],
  ];
  const total = formatAmount(fiscal.total ?? receipt.total, 'RUB', language);
  return (
    <div className="fiscal-data">
      <img
        className="fiscal-qr"
        src={`/api/cabinet/fiscal-receipts/${encodeURIComponent(receipt.id)}/qr.svg`}
        alt={t('qr.alt', { total })}
        width={160}
        height={160}
      />
      <dl className="op-details">
        {rows
          .filter(([, value]) => value !== null && value !== '')
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>
                <code>{value}</code>
              </dd>
            </div>
          ))}
      </dl>
      <p className="break">
        <code>{fiscal.qr}</code>
      </p>
      {fiscal.checkUrl && (
        <p>
          <a href={fiscal.checkUrl} target="_blank" rel="noopener noreferrer">
            {t('check.link')}
          </a>
        </p>
      )}
    </div>
  );
}

function RetryButton({
  receipt,
  onChange,
}: {
  receipt: FiscalReceipt;
  onChange: (r: FiscalReceipt) => void;
}) {
  const t = useTexts(fiscalTexts);
  const canRetry = hasPermission(useMe(), 'operations.manage');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  if (!canRetry) return null;

  async function retry() {
    setBusy(true);
    setFailure(null);
    try {
      onChange(
        await api.post<FiscalReceipt>(`/api/cabinet/fiscal-receipts/${encodeURIComponent(receipt.id)}/retry`),
      );
      setNotice(t('retry.done'));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ErrorAlert message={failure} />
      <SuccessNotice message={notice} />
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={busy}
          aria-busy={busy}
          onClick={() => void retry()}
        >
          {busy ? t('retry.busy') : t('retry.submit')}
        </button>
      </div>
    </>
  );
}
