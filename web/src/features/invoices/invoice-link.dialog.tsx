// One payment link in a dialog: its QR code (drawn by the server) to print or download, the address to
// copy or open, and the payments it has started.
import { useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, Modal, SuccessNotice } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { OperationStatusBadge } from '../operations/operation-badges';
import { formatAmount, formatShortMoment } from '../operations/operation-format';
import { InvoiceStateBadge } from './invoice-state';
import type { Invoice, InvoiceDetails } from './invoice.types';
import { invoiceTexts } from './invoices.texts';

export function InvoiceLinkDialog({ invoice, onClose }: { invoice: Invoice | null; onClose: () => void }) {
  const t = useTexts(invoiceTexts);
  return (
    <Modal open={invoice !== null} title={t('dialog.title')} onClose={onClose}>
      {invoice && <InvoiceLinkBody invoice={invoice} />}
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          {t('dialog.close')}
        </button>
      </div>
    </Modal>
  );
}

function InvoiceLinkBody({ invoice }: { invoice: Invoice }) {
  const t = useTexts(invoiceTexts);
  const { language } = useLanguage();
  const amount = formatAmount(invoice.amount, invoice.currency, language);
  const qrPath = `/api/cabinet/invoices/${encodeURIComponent(invoice.id)}/qr.svg`;
  return (
    <div className="invoice-link">
      {/* Printed alone: the QR code with what it asks to pay, for a shop window or a paper invoice. */}
      <div className="invoice-print">
        <img
          className="invoice-qr"
          src={qrPath}
          alt={t('dialog.qrAlt', { amount })}
          width={240}
          height={240}
        />
        <p className="invoice-amount">{amount}</p>
        <p className="invoice-print-text">{invoice.description}</p>
        <p className="invoice-print-text muted">
          {invoice.shopName}
          {invoice.invId && ` · ${t('dialog.invId')} ${invoice.invId}`}
        </p>
      </div>
      <p className="op-badges invoice-state-line">
        <InvoiceStateBadge invoice={invoice} />
      </p>
      <CopyableLink url={invoice.url}>
        <a className="button" href={qrPath} download={`payment-link-${invoice.invId ?? invoice.id}.svg`}>
          {t('dialog.download')}
        </a>
        <button type="button" className="button" onClick={() => window.print()}>
          {t('dialog.print')}
        </button>
        <a className="button" href={invoice.url} target="_blank" rel="noreferrer">
          {t('dialog.open')}
        </a>
      </CopyableLink>
      <InvoicePayments invoiceId={invoice.id} />
    </div>
  );
}

/** The address, selectable, with a copy button first among the link's actions (`children`). */
function CopyableLink({ url, children }: { url: string; children: ReactNode }) {
  const t = useTexts(invoiceTexts);
  const input = useRef<HTMLInputElement>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setNotice({ ok: true, text: t('dialog.copied') });
    } catch {
      // Without clipboard access (an insecure origin, a refusal) the link is selected for Ctrl+C.
      input.current?.select();
      setNotice({ ok: false, text: t('dialog.copyFailed') });
    }
  }

  return (
    <>
      <div className="field">
        <label htmlFor="invoice-link-url">{t('dialog.link')}</label>
        <input
          id="invoice-link-url"
          ref={input}
          readOnly
          value={url}
          onFocus={(event) => event.target.select()}
        />
      </div>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          {t('dialog.copy')}
        </button>
        {children}
      </div>
      {notice?.ok && <SuccessNotice message={notice.text} />}
      {notice && !notice.ok && <ErrorAlert message={notice.text} />}
    </>
  );
}

function InvoicePayments({ invoiceId }: { invoiceId: string }) {
  const t = useTexts(invoiceTexts);
  const { language } = useLanguage();
  const { resource } = useResource<InvoiceDetails>(`/api/cabinet/invoices/${encodeURIComponent(invoiceId)}`);
  return (
    <section className="invoice-payments" aria-labelledby="invoice-payments-title">
      <h3 id="invoice-payments-title">{t('dialog.payments')}</h3>
      {resource.status === 'loading' && <Loading label={t('dialog.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.payments.length === 0 && (
        <p className="muted">{t('dialog.noPayments')}</p>
      )}
      {resource.status === 'ready' && resource.data.payments.length > 0 && (
        <ul className="invoice-payment-list">
          {resource.data.payments.map((payment) => (
            <li key={payment.id}>
              <Link to={`/cabinet/operations/${encodeURIComponent(payment.id)}`}>
                {t('dialog.invId')} {payment.invId}
              </Link>
              <OperationStatusBadge status={payment.status} />
              <span className="muted">
                {formatShortMoment(payment.paidAt ?? payment.createdAt, language)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
