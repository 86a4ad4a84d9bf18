// Movements of one shop account: newest first, the balance after each, "show more", and a CSV download.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Currency } from '../../lib/types';
import { ErrorAlert, Loading, SelectField, type Option } from '../../lib/ui';
import { formatAmount, formatMoment, formatShortMoment } from '../operations/operation-format';
import { balanceTexts } from './balance.texts';
import {
  SHOP_LEDGER_ACCOUNTS,
  type BalanceEntriesPage,
  type BalanceEntry,
  type ShopBalance,
  type ShopLedgerAccount,
} from './balance.types';

type PagesState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; page: BalanceEntriesPage; isLoadingMore: boolean; moreError: string | null };

/** The first page follows the chosen shop and account; "show more" appends the next page by its cursor. */
function useEntryPages(query: string) {
  const [state, setState] = useState<PagesState>({ status: 'loading' });
  // A late answer for an earlier choice must not land in the table of the current one.
  const currentQuery = useRef(query);

  useEffect(() => {
    currentQuery.current = query;
    let isCurrent = true;
    setState({ status: 'loading' });
    api.get<BalanceEntriesPage>(`/api/cabinet/balance/entries?${query}`).then(
      (page) => isCurrent && setState({ status: 'ready', page, isLoadingMore: false, moreError: null }),
      (error: unknown) => isCurrent && setState({ status: 'failed', message: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [query]);

  const loadMore = useCallback(
    async (cursor: string) => {
      setState((old) => (old.status === 'ready' ? { ...old, isLoadingMore: true, moreError: null } : old));
      const params = new URLSearchParams(query);
      params.set('before', cursor);
      try {
        const next = await api.get<BalanceEntriesPage>(`/api/cabinet/balance/entries?${params.toString()}`);
        if (currentQuery.current !== query) return;
        setState((old) =>
          old.status === 'ready'
            ? {
                status: 'ready',
                // The balance stays the one of the first page: the running balances continue from it.
                page: { ...old.page, items: [...old.page.items, ...next.items], nextCursor: next.nextCursor },
                isLoadingMore: false,
                moreError: null,
              }
            : old,
        );
      } catch (error) {
        if (currentQuery.current !== query) return;
        setState((old) =>
          old.status === 'ready' ? { ...old, isLoadingMore: false, moreError: errorMessage(error) } : old,
        );
      }
    },
    [query],
  );

  return { state, loadMore };
}

function readAccount(params: URLSearchParams): ShopLedgerAccount {
  const value = params.get('account') ?? '';
  return (SHOP_LEDGER_ACCOUNTS as readonly string[]).includes(value)
    ? (value as ShopLedgerAccount)
    : 'pending';
}

export function BalanceEntries({ shops, currency }: { shops: ShopBalance[]; currency: Currency }) {
  const t = useTexts(balanceTexts);
  const { language } = useLanguage();
  const [params, setParams] = useSearchParams();
  // The shop in the address if it is one of ours, else the first shop whose money has moved.
  const requestedShop = shops.find((shop) => shop.shopId === params.get('shop'));
  const shop = requestedShop ?? shops.find((item) => item.hasEntries) ?? shops[0];
  const account = readAccount(params);
  const query = new URLSearchParams({ shopId: shop?.shopId ?? '', account, currency }).toString();
  const { state, loadMore } = useEntryPages(query);
  if (!shop) return null;

  function choose(change: { shop?: string; account?: ShopLedgerAccount }) {
    const search = new URLSearchParams(params);
    if (change.shop !== undefined) search.set('shop', change.shop);
    if (change.account !== undefined) search.set('account', change.account);
    setParams(search, { replace: true });
  }

  const shopOptions: Option<string>[] = shops.map((item) => ({ value: item.shopId, label: item.shopName }));
  const accountOptions: Option<ShopLedgerAccount>[] = SHOP_LEDGER_ACCOUNTS.map((item) => ({
    value: item,
    label: t(`account.${item}`),
  }));
  const csvUrl = `/api/cabinet/balance/entries.csv?${query}&lang=${language}`;

  return (
    <section className="balance-entries" aria-labelledby="balance-entries-title">
      <h2 id="balance-entries-title">{t('entries.title')}</h2>
      <p className="muted">{t('entries.intro')}</p>
      <fieldset className="plain">
        <legend className="visually-hidden">{t('entries.title')}</legend>
        <div className="field-row">
          <SelectField
            id="balance-entries-shop"
            className="grow"
            label={t('entries.shop')}
            value={shop.shopId}
            options={shopOptions}
            onChange={(next) => choose({ shop: next })}
          />
          <SelectField
            id="balance-entries-account"
            className="grow"
            label={t('entries.account')}
            value={account}
            options={accountOptions}
            onChange={(next) => choose({ account: next })}
          />
        </div>
      </fieldset>
      {state.status === 'loading' && <Loading label={t('entries.loading')} />}
      {state.status === 'failed' && <ErrorAlert message={state.message} />}
      {state.status === 'ready' && (
        <>
          <div className="balance-entries-head">
            <p className="balance-entries-balance">
              {t('entries.balance', { amount: formatAmount(state.page.balance, currency, language) })}
            </p>
            {state.page.items.length > 0 && (
              <p className="balance-csv">
                <a className="button" href={csvUrl} download>
                  {t('entries.csv')}
                </a>
                <span className="hint">{t('entries.csvHint')}</span>
              </p>
            )}
          </div>
          {state.page.items.length === 0 ? (
            <p className="muted">{t('entries.empty')}</p>
          ) : (
            <>
              <div className="card flush table-scroll">
                <EntryTable
                  entries={state.page.items}
                  currency={currency}
                  caption={t('entries.caption', { account: t(`account.${account}`), shop: shop.shopName })}
                />
              </div>
              <p className="muted" role="status">
                {t(state.page.nextCursor ? 'entries.shown' : 'entries.shownAll', {
                  count: state.page.items.length,
                })}
              </p>
              <ErrorAlert message={state.moreError} />
              {state.page.nextCursor && (
                <div className="actions">
                  <button
                    type="button"
                    className="button"
                    disabled={state.isLoadingMore}
                    onClick={() => void loadMore(state.page.nextCursor ?? '')}
                  >
                    {state.isLoadingMore ? t('entries.loadingMore') : t('entries.more')}
                  </button>
                </div>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

function EntryTable({
  entries,
  currency,
  caption,
}: {
  entries: BalanceEntry[];
  currency: Currency;
  caption: string;
}) {
  const t = useTexts(balanceTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table balance-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('column.time')}</th>
          <th scope="col">{t('column.kind')}</th>
          <th scope="col">{t('column.payment')}</th>
          <th scope="col" className="numeric">
            {t('column.amount')}
          </th>
          <th scope="col" className="numeric">
            {t('column.balanceAfter')}
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td data-label={t('column.time')} className="balance-time">
              <time dateTime={entry.at} title={formatMoment(entry.at, language)}>
                {formatShortMoment(entry.at, language)}
              </time>
            </td>
            <td data-label={t('column.kind')}>
              <EntryKind kind={entry.kind} />
            </td>
            <td data-label={t('column.payment')}>
              <EntryPayment entry={entry} />
            </td>
            <td
              data-label={t('column.amount')}
              className={entry.amount.startsWith('-') ? 'numeric' : 'numeric balance-credit'}
            >
              {entry.amount.startsWith('-') ? '' : '+'}
              {formatAmount(entry.amount, currency, language)}
            </td>
            <td data-label={t('column.balanceAfter')} className="numeric">
              {formatAmount(entry.balanceAfter, currency, language)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const KNOWN_KINDS = [
  'payment',
  'settlement',
  'refund',
  'payout',
  'hold',
  'hold_release',
  'deal_release',
] as const;

/** A kind this cabinet does not know yet (a newer server) is shown by its code rather than hidden. */
export function EntryKind({ kind }: { kind: string }) {
  const t = useTexts(balanceTexts);
  const known = KNOWN_KINDS.find((item) => item === kind);
  return <>{known ? t(`kind.${known}`) : kind}</>;
}

function EntryPayment({ entry }: { entry: BalanceEntry }) {
  const t = useTexts(balanceTexts);
  if (!entry.reference) return <span className="muted">{t('value.none')}</span>;
  if (!entry.reference.startsWith('pay_')) return <code>{entry.reference}</code>;
  return (
    <Link to={`/cabinet/operations/${encodeURIComponent(entry.reference)}`} title={t('payment.open')}>
      {entry.invId ? t('payment.invId', { invId: entry.invId }) : entry.reference}
    </Link>
  );
}
