// /cabinet/balance: what the platform owes each shop (awaiting settlement, available, on hold, in payout),
// when paid money becomes available, the movements of one shop account with a CSV export, payouts, their
// schedule and minimum per shop, and the bank details they go to.
import { useSearchParams } from 'react-router-dom';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Currency } from '../../lib/types';
import { EmptyState, ErrorAlert, Loading, SelectField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatAmount } from '../operations/operation-format';
import { BalanceEntries } from './balance-entries';
import { BankDetailsSection } from './bank-details.section';
import { PayoutScheduleSection } from './payout-schedule.section';
import { PayoutsSection } from './payouts.section';
import { balanceTexts } from './balance.texts';
import type { AccountBalance, BalanceFigures, PayoutSettings } from './balance.types';
import './balance.css';

const CURRENCIES: readonly Currency[] = ['RUB', 'KZT', 'USD', 'EUR'];

function readCurrency(params: URLSearchParams): Currency | '' {
  const value = params.get('currency') ?? '';
  return (CURRENCIES as readonly string[]).includes(value) ? (value as Currency) : '';
}

export function BalancePage() {
  const t = useTexts(balanceTexts);
  useDocumentTitle(t('title'));
  const [params, setParams] = useSearchParams();
  const currency = readCurrency(params);
  const { resource } = useResource<AccountBalance>(
    `/api/cabinet/balance${currency ? `?currency=${currency}` : ''}`,
  );
  // Payout settings feed the payout form (each shop's minimum) and the schedule section; saving bank
  // details reloads them, because scheduled payouts are skipped while there are none.
  const payoutSettings = useResource<PayoutSettings>('/api/cabinet/payout-settings');
  const settings = payoutSettings.resource.status === 'ready' ? payoutSettings.resource.data : null;

  function changeCurrency(next: Currency) {
    const search = new URLSearchParams(params);
    search.set('currency', next);
    setParams(search, { replace: true });
  }

  return (
    <>
      <h1>{t('title')}</h1>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <>
          <SettlementExplanation businessDays={resource.data.settlement.businessDays} />
          {resource.data.currencies.length > 1 && (
            <SelectField
              id="balance-currency"
              className="balance-currency"
              label={t('currency.label')}
              value={resource.data.currency}
              options={resource.data.currencies.map((item) => ({ value: item, label: item }))}
              onChange={changeCurrency}
            />
          )}
          <BalanceContent balance={resource.data} payoutSettings={settings} />
        </>
      )}
      {/* The schedule and the bank details can be set before any money has moved. */}
      <PayoutScheduleSection resource={payoutSettings.resource} onSaved={payoutSettings.setData} />
      <BankDetailsSection onSaved={payoutSettings.reload} />
    </>
  );
}

function BalanceContent({
  balance,
  payoutSettings,
}: {
  balance: AccountBalance;
  payoutSettings: PayoutSettings | null;
}) {
  const t = useTexts(balanceTexts);
  if (balance.shops.length === 0) {
    return (
      <EmptyState title={t('empty.noShops')}>
        <p>{t('empty.noShopsText')}</p>
      </EmptyState>
    );
  }
  // No invented zeros: until money has moved, the page says so instead of showing empty cards.
  if (!balance.shops.some((shop) => shop.hasEntries)) {
    return (
      <EmptyState title={t('empty.noMoney')}>
        <p>{t('empty.noMoneyText')}</p>
      </EmptyState>
    );
  }
  return (
    <>
      {balance.shops.length > 1 && (
        <section className="card balance-card" aria-labelledby="balance-totals">
          <h2 id="balance-totals">{t('totals.title')}</h2>
          <BalanceFigureList figures={balance.totals} currency={balance.currency} />
        </section>
      )}
      <div className="balance-shops">
        {balance.shops.map((shop) => (
          <section key={shop.shopId} className="card balance-card" aria-labelledby={`balance-${shop.shopId}`}>
            <h2 id={`balance-${shop.shopId}`}>{shop.shopName}</h2>
            <p className="muted balance-login">{t('shop.login', { login: shop.merchantLogin })}</p>
            <BalanceFigureList figures={shop} currency={balance.currency} />
          </section>
        ))}
      </div>
      <BalanceEntries shops={balance.shops} currency={balance.currency} />
      <PayoutsSection
        shops={balance.shops.map((shop) => ({ id: shop.shopId, name: shop.shopName }))}
        settings={payoutSettings}
      />
    </>
  );
}

function SettlementExplanation({ businessDays }: { businessDays: number }) {
  const t = useTexts(balanceTexts);
  const rule =
    businessDays === 0
      ? t('settlement.zero')
      : businessDays === 1
        ? t('settlement.one')
        : t('settlement.many', { days: businessDays });
  return (
    <details className="balance-settlement" open>
      <summary>{t('settlement.title')}</summary>
      <p>{rule}</p>
      <p className="muted">{t('settlement.notes')}</p>
    </details>
  );
}

function BalanceFigureList({ figures, currency }: { figures: BalanceFigures; currency: Currency }) {
  const t = useTexts(balanceTexts);
  const { language } = useLanguage();
  const items = [
    ['figure.pending', figures.pending],
    ['figure.available', figures.available],
    ['figure.onHold', figures.onHold],
    ['figure.inPayout', figures.inPayout],
  ] as const;
  return (
    <dl className="balance-figures">
      {items.map(([key, amount]) => (
        <div key={key} className={key === 'figure.available' ? 'balance-figure is-main' : 'balance-figure'}>
          <dt>{t(key)}</dt>
          <dd>{formatAmount(amount, currency, language)}</dd>
        </div>
      ))}
    </dl>
  );
}
