// The payment's ledger transfers on its page: every leg (the shop's accounts and the platform's), so a
// merchant sees where each kopeck of the payment, its fee, settlement and refunds went.
import { useLanguage, useTexts } from '../../lib/i18n';
import { EntryKind } from '../balance/balance-entries';
import { formatAmount, formatShortMoment } from './operation-format';
import type { OperationLedgerEntry } from './operation.types';
import { operationTexts } from './operations.texts';

const ACCOUNTS = [
  'pending',
  'available',
  'on_hold',
  'in_payout',
  'acquirer_clearing',
  'fee_revenue',
  'refunds',
  'escrow',
  'overpayments',
] as const;

export function OperationLedger({
  entries,
  currency,
}: {
  entries: OperationLedgerEntry[];
  currency: string;
}) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  if (entries.length === 0) return null;
  const accountName = (account: string) => {
    const known = ACCOUNTS.find((item) => item === account);
    return known ? t(`ledger.account.${known}`) : account;
  };
  return (
    <section className="card" aria-labelledby="operation-ledger-title">
      <h2 id="operation-ledger-title">{t('ledger.title')}</h2>
      <p className="hint">{t('ledger.hint')}</p>
      <div className="table-scroll">
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('ledger.at')}</th>
              <th scope="col">{t('ledger.kind')}</th>
              <th scope="col">{t('ledger.account')}</th>
              <th scope="col" className="numeric">
                {t('ledger.amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry, index) => (
              <tr key={`${entry.transferId}-${index}`}>
                <td data-label={t('ledger.at')}>{formatShortMoment(entry.at, language)}</td>
                <td data-label={t('ledger.kind')}>
                  <EntryKind kind={entry.kind} />
                </td>
                <td data-label={t('ledger.account')}>
                  {accountName(entry.account)}
                  {entry.owner === 'platform' && <span className="muted"> · {t('ledger.platform')}</span>}
                </td>
                <td data-label={t('ledger.amount')} className="numeric">
                  {formatAmount(entry.amount, currency, language)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
