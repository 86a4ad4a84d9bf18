// The payouts part of /cabinet/balance: the account's payouts with their statements, and (for those who
// may manage the balance) a form that orders a payout of a shop's available money, with the shop's
// minimum and the promise that payouts carry no fee.
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SelectField, SuccessNotice, TextField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatAmount } from '../operations/operation-format';
import { hasPermission, useMe } from '../shell/session';
import type { PayoutSettings } from './balance.types';
import { payoutTexts } from './payouts.texts';

export type PayoutStatus =
  | 'awaiting_approval'
  | 'approved'
  | 'rejected'
  | 'exported'
  | 'created'
  | 'sent'
  | 'executed'
  | 'returned'
  | 'failed';

export interface Payout {
  id: string;
  shopId: string;
  amount: string;
  currency: string;
  /** Always '0.00': payouts carry no fee. */
  fee: string;
  status: PayoutStatus;
  recipientName: string;
  settlementAccount: string;
  /** Set for a payout made by the shop's schedule. */
  schedulePeriod: string | null;
  createdAt: string;
  returnReason: string | null;
  /** Why the operator rejected it (the money went back to the balance). */
  rejectReason: string | null;
}

export interface PayoutShop {
  id: string;
  name: string;
}

export function PayoutsSection({
  shops,
  settings,
}: {
  shops: readonly PayoutShop[];
  settings: PayoutSettings | null;
}) {
  const t = useTexts(payoutTexts);
  const { language } = useLanguage();
  const canManage = hasPermission(useMe(), 'balance.manage');
  const { resource, reload } = useResource<{ items: Payout[] }>('/api/cabinet/payouts');
  const shopName = (id: string) => shops.find((shop) => shop.id === id)?.name ?? id;
  return (
    <section className="card balance-payouts" aria-labelledby="payouts-title">
      <h2 id="payouts-title">{t('title')}</h2>
      <p>{t('intro')}</p>
      {canManage && shops.length > 0 && <PayoutForm shops={shops} settings={settings} onOrdered={reload} />}
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && <p>{t('empty')}</p>}
      {resource.status === 'ready' && resource.data.items.length > 0 && (
        <table className="balance-table">
          <thead>
            <tr>
              <th scope="col">{t('column.created')}</th>
              <th scope="col">{t('column.shop')}</th>
              <th scope="col">{t('column.amount')}</th>
              <th scope="col">{t('column.account')}</th>
              <th scope="col">{t('column.status')}</th>
              <th scope="col">{t('column.statement')}</th>
            </tr>
          </thead>
          <tbody>
            {resource.data.items.map((payout) => (
              <tr key={payout.id}>
                <td>
                  {formatDateTime(payout.createdAt, language)}
                  {payout.schedulePeriod && (
                    <>
                      {' '}
                      <span className="badge badge-test">{t('scheduled')}</span>
                    </>
                  )}
                </td>
                <td>{shopName(payout.shopId)}</td>
                <td>{formatAmount(payout.amount, payout.currency, language)}</td>
                <td>{payout.settlementAccount}</td>
                <td>
                  {t(`status.${payout.status}`)}
                  {payout.returnReason && `: ${payout.returnReason}`}
                  {payout.rejectReason && `: ${payout.rejectReason}`}
                </td>
                <td>
                  <a href={`/api/cabinet/payouts/${payout.id}/statement?lang=${language}`} download>
                    {t('statement')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function PayoutForm({
  shops,
  settings,
  onOrdered,
}: {
  shops: readonly PayoutShop[];
  settings: PayoutSettings | null;
  onOrdered: () => void;
}) {
  const t = useTexts(payoutTexts);
  const { language } = useLanguage();
  const [shopId, setShopId] = useState(shops[0]?.id ?? '');
  const minimum = settings?.shops.find((shop) => shop.shopId === shopId)?.effectiveMinimum;
  const [amount, setAmount] = useState('');
  const [isSending, setIsSending] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIsSending(true);
    setMessage(null);
    setDone(null);
    try {
      const trimmed = amount.trim().replace(',', '.');
      const payout = await api.post<Payout>('/api/cabinet/payouts', {
        shopId,
        ...(trimmed === '' ? {} : { amount: trimmed }),
      });
      setErrors({});
      setAmount('');
      setDone(t('form.done', { amount: formatAmount(payout.amount, payout.currency, language) }));
      onOrdered();
    } catch (error) {
      const fields = fieldMessages(error);
      setErrors(fields);
      // A field error speaks for itself next to the amount; anything else needs the banner.
      setMessage(Object.keys(fields).length > 0 ? null : errorMessage(error));
    } finally {
      setIsSending(false);
    }
  }

  const hint = minimum
    ? t('form.amountHintMinimum', { minimum: formatAmount(minimum, settings?.currency ?? 'RUB', language) })
    : t('form.amountHint');
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <div className="field-row">
        <SelectField
          id="payout-shop"
          label={t('form.shop')}
          value={shopId}
          options={shops.map((shop) => ({ value: shop.id, label: shop.name }))}
          onChange={(next) => {
            setShopId(next);
            setErrors({});
          }}
        />
        <TextField
          id="payout-amount"
          label={t('form.amount')}
          hint={hint}
          inputMode="decimal"
          value={amount}
          error={errors.amount}
          onChange={(event) => setAmount(event.target.value)}
        />
      </div>
      <p className="payout-fee">
        <span className="badge badge-active">{t('form.noFee')}</span>{' '}
        <span className="muted">{t('form.noFeeText')}</span>
      </p>
      <ErrorAlert message={message} />
      <SuccessNotice message={done} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={isSending}>
          {isSending ? t('form.sending') : t('form.submit')}
        </button>
      </div>
    </form>
  );
}
