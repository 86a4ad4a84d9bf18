// "Возвраты": the refunds of a paid operation and, for those allowed to, the form that returns money.
// The page shows this section for paid operations only.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, Modal, SuccessNotice, TextField } from '../../lib/ui';
import type { Language } from '../../lib/types';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { formatAmount, formatMoment } from './operation-format';
import type { OperationDetail } from './operation.types';
import { operationTexts } from './operations.texts';

export type RefundStatus = 'processing' | 'finished' | 'canceled';
export type RefundSource = 'cabinet' | 'refund_api';

export interface Refund {
  id: string;
  paymentId: string;
  amount: string;
  currency: string;
  status: RefundStatus;
  source: RefundSource;
  requestId: string;
  requestedBy: string | null;
  requestedByLogin: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface RefundList {
  /** Oldest first. */
  items: Refund[];
  currency: string;
  paid: string;
  refunded: string;
  remaining: string;
  isRefundable: boolean;
}

interface OperationRefundsProps {
  operation: OperationDetail;
  /** Reads the operation anew (its timeline gains the refund). */
  onRefunded: () => Promise<void>;
}

export function OperationRefunds({ operation, onRefunded }: OperationRefundsProps) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  const canRefund = hasPermission(useMe(), 'operations.refund');
  const path = `/api/cabinet/operations/${encodeURIComponent(operation.id)}/refunds`;
  const { resource, setData } = useResource<RefundList>(path);
  // Kept here, not in the form: the form goes away once everything has been refunded.
  const [lastRefund, setLastRefund] = useState<Refund | null>(null);

  async function refunded(refund: Refund) {
    setData(await api.get<RefundList>(path));
    await onRefunded();
    setLastRefund(refund);
  }

  const list = resource.status === 'ready' ? resource.data : null;
  return (
    <section className="card" aria-labelledby="operation-refunds-title">
      <h2 id="operation-refunds-title">{t('refunds.title')}</h2>
      {resource.status === 'loading' && <Loading label={t('refunds.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      <SuccessNotice
        message={
          lastRefund &&
          t('refundForm.done', { amount: formatAmount(lastRefund.amount, lastRefund.currency, language) })
        }
      />
      {list && list.items.length === 0 && <p className="muted">{t('refunds.none')}</p>}
      {list && list.items.length > 0 && (
        <>
          <p>
            {t(list.isRefundable ? 'refunds.summary' : 'refunds.nothingLeft', {
              refunded: formatAmount(list.refunded, list.currency, language),
              paid: formatAmount(list.paid, list.currency, language),
            })}
          </p>
          <RefundTable refunds={list.items} />
        </>
      )}
      {list && canRefund && list.isRefundable && (
        <RefundForm path={path} list={list} onRefunded={refunded} onStart={() => setLastRefund(null)} />
      )}
    </section>
  );
}

function RefundTable({ refunds }: { refunds: readonly Refund[] }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  const statusClass = { finished: 'delivered', processing: 'pending', canceled: 'failed' } as const;
  return (
    <table className="table responsive-table">
      <caption className="visually-hidden">{t('refunds.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('refund.time')}</th>
          <th scope="col" className="numeric">
            {t('refund.amount')}
          </th>
          <th scope="col">{t('refund.source')}</th>
          <th scope="col">{t('refund.status')}</th>
        </tr>
      </thead>
      <tbody>
        {refunds.map((refund) => (
          <tr key={refund.id}>
            <td data-label={t('refund.time')}>
              <time dateTime={refund.createdAt}>{formatMoment(refund.createdAt, language)}</time>
            </td>
            <td data-label={t('refund.amount')} className="numeric">
              {formatAmount(refund.amount, refund.currency, language)}
            </td>
            <td data-label={t('refund.source')}>
              {refund.source === 'cabinet'
                ? refund.requestedByLogin
                  ? t('refundSource.cabinetBy', { login: refund.requestedByLogin })
                  : t('refundSource.cabinet')
                : t('refundSource.refund_api')}
            </td>
            <td data-label={t('refund.status')}>
              <span className={`badge op-notice op-notice-${statusClass[refund.status]}`}>
                {t(`refundStatus.${refund.status}`)}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** People type "150,50"; the server takes a dot. Nothing else is changed: the server checks the rest. */
function normaliseAmount(text: string): string {
  return text.trim().replace(/\s/g, '').replace(',', '.');
}

interface RefundFormProps {
  path: string;
  list: RefundList;
  onRefunded: (refund: Refund) => Promise<void>;
  onStart: () => void;
}

/** The suggestion is what is left, written the way people of this language write decimals. */
function suggestedAmount(remaining: string, language: Language): string {
  return language === 'ru' ? remaining.replace('.', ',') : remaining;
}

function RefundForm({ path, list, onRefunded, onStart }: RefundFormProps) {
  const t = useTexts(operationTexts);
  const c = useTexts(commonTexts);
  const { language } = useLanguage();
  const [amount, setAmount] = useState(() => suggestedAmount(list.remaining, language));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isConfirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // After a refund, what is left to refund is the new suggestion.
  useEffect(() => setAmount(suggestedAmount(list.remaining, language)), [list.remaining, language]);
  const money = (value: string) => formatAmount(value, list.currency, language);

  function ask(event: FormEvent) {
    event.preventDefault();
    onStart();
    setFailure(null);
    setErrors({});
    if (normaliseAmount(amount) === '') {
      setErrors({ amount: t('refundForm.amountRequired') });
      document.getElementById('refund-amount')?.focus();
      return;
    }
    setConfirming(true);
  }

  async function confirm() {
    setBusy(true);
    try {
      const refund = await api.post<Refund>(path, { amount: normaliseAmount(amount) });
      setConfirming(false);
      await onRefunded(refund);
    } catch (error) {
      setConfirming(false);
      const fields = showFieldErrors(error, setErrors, [['amount', 'refund-amount']]);
      if (!(error instanceof ApiError) || Object.keys(fields).length === 0) setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="subsection" onSubmit={ask} noValidate aria-labelledby="refund-form-title">
      <div className="subsection-head">
        <h3 id="refund-form-title">{t('refundForm.title')}</h3>
      </div>
      <ErrorAlert message={failure} />
      <TextField
        id="refund-amount"
        label={t('refundForm.amount', { currency: list.currency })}
        hint={t('refundForm.hint', { remaining: money(list.remaining) })}
        error={errors.amount}
        value={amount}
        inputMode="decimal"
        autoComplete="off"
        onChange={(event) => setAmount(event.target.value)}
      />
      <div className="actions">
        <button type="submit" className="button button-danger" disabled={busy}>
          {t('refundForm.submit')}
        </button>
      </div>
      <Modal open={isConfirming} title={t('refundConfirm.title')} onClose={() => setConfirming(false)}>
        <p>{t('refundConfirm.text', { amount: money(normaliseAmount(amount)) })}</p>
        <p className="muted">{t('refundConfirm.fee')}</p>
        <div className="actions">
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            aria-busy={busy}
            onClick={() => void confirm()}
          >
            {busy ? t('refundConfirm.sending') : t('refundConfirm.submit')}
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)} disabled={busy}>
            {c('cancel')}
          </button>
        </div>
      </Modal>
    </form>
  );
}
