// A link's state as a badge, with what matters next to it: the test flag and a reusable link's payments.
import { useTexts } from '../../lib/i18n';
import type { Invoice } from './invoice.types';
import { invoiceTexts } from './invoices.texts';

export function InvoiceStateBadge({ invoice }: { invoice: Invoice }) {
  const t = useTexts(invoiceTexts);
  return (
    <>
      <span className={`badge invoice-state invoice-state-${invoice.state}`}>
        {t(`state.${invoice.state}`)}
      </span>
      {invoice.isTest && <span className="badge op-test">{t('test')}</span>}
      {invoice.invoiceType === 'Reusable' && invoice.paidCount > 0 && (
        <span className="muted">{t('paidCount', { count: invoice.paidCount })}</span>
      )}
    </>
  );
}
