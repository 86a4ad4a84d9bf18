// /cabinet/operations: every payment of the account's shops, newest first, with filters and "show more".
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList, Shop } from '../../lib/types';
import { EmptyState, ErrorAlert, Loading, SelectField, useDocumentTitle, type Option } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import {
  NotificationStateBadge,
  OperationStatusBadge,
  PaymentMethodText,
  TestBadge,
} from './operation-badges';
import { formatAmount, formatMoment, formatShortMoment } from './operation-format';
import { OPERATION_STATUSES, type OperationPage, type OperationStatus } from './operation.types';
import { operationTexts } from './operations.texts';

type Mode = '' | 'live' | 'test';

interface Filters {
  shopId: string;
  status: '' | OperationStatus;
  mode: Mode;
}

/** Filters live in the address, so a filtered list survives a reload and can be shared. */
function readFilters(params: URLSearchParams): Filters {
  const status = params.get('status') ?? '';
  const mode = params.get('mode') ?? '';
  return {
    shopId: params.get('shop') ?? '',
    status: (OPERATION_STATUSES as readonly string[]).includes(status) ? (status as OperationStatus) : '',
    mode: mode === 'live' || mode === 'test' ? mode : '',
  };
}

function apiQuery(filters: Filters): string {
  const query = new URLSearchParams();
  if (filters.shopId) query.set('shopId', filters.shopId);
  if (filters.status) query.set('status', filters.status);
  if (filters.mode) query.set('isTest', filters.mode === 'test' ? 'true' : 'false');
  return query.toString();
}

type PagesState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; page: OperationPage; isLoadingMore: boolean; moreError: string | null };

/** The first page follows the filters; "show more" appends the next page by its cursor. */
function useOperationPages(query: string) {
  const [state, setState] = useState<PagesState>({ status: 'loading' });
  // A late answer for earlier filters must not land in the list of the current ones.
  const currentQuery = useRef(query);

  useEffect(() => {
    currentQuery.current = query;
    let isCurrent = true;
    setState({ status: 'loading' });
    api.get<OperationPage>(`/api/cabinet/operations${query ? `?${query}` : ''}`).then(
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
        const next = await api.get<OperationPage>(`/api/cabinet/operations?${params.toString()}`);
        if (currentQuery.current !== query) return;
        setState((old) =>
          old.status === 'ready'
            ? {
                status: 'ready',
                page: { items: [...old.page.items, ...next.items], nextCursor: next.nextCursor },
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

export function OperationsPage() {
  const t = useTexts(operationTexts);
  useDocumentTitle(t('list.title'));
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const query = apiQuery(filters);
  const { state, loadMore } = useOperationPages(query);
  const isFiltered = query !== '';

  function changeFilters(change: Partial<Filters>) {
    const next = { ...filters, ...change };
    const search = new URLSearchParams();
    if (next.shopId) search.set('shop', next.shopId);
    if (next.status) search.set('status', next.status);
    if (next.mode) search.set('mode', next.mode);
    setParams(search, { replace: true });
  }

  return (
    <>
      <h1>{t('list.title')}</h1>
      <p className="lead">{t('list.intro')}</p>
      <OperationFilters filters={filters} onChange={changeFilters} />
      {state.status === 'loading' && <Loading label={t('list.loading')} />}
      {state.status === 'failed' && <ErrorAlert message={state.message} />}
      {state.status === 'ready' && state.page.items.length === 0 && !isFiltered && (
        <EmptyState title={t('list.empty')} />
      )}
      {state.status === 'ready' && state.page.items.length === 0 && isFiltered && (
        <EmptyState title={t('list.emptyFiltered')}>
          <button type="button" className="button" onClick={() => setParams(new URLSearchParams())}>
            {t('list.resetFilters')}
          </button>
        </EmptyState>
      )}
      {state.status === 'ready' && state.page.items.length > 0 && (
        <>
          <div className="card flush table-scroll">
            <OperationTable page={state.page} />
          </div>
          <p className="muted" role="status">
            {t(state.page.nextCursor ? 'list.shown' : 'list.shownAll', { count: state.page.items.length })}
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
                {state.isLoadingMore ? t('list.loadingMore') : t('list.more')}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}

function OperationFilters({
  filters,
  onChange,
}: {
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
}) {
  const t = useTexts(operationTexts);
  const { resource: shops } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  const shopOptions: Option<string>[] = [
    { value: '', label: t('filter.shopAll') },
    ...(shops.status === 'ready'
      ? shops.data.items.map((shop) => ({ value: shop.id, label: shop.name }))
      : []),
  ];
  // A shop chosen in the address stays selectable while the shops load (or if they fail to).
  if (filters.shopId && !shopOptions.some((option) => option.value === filters.shopId)) {
    shopOptions.push({ value: filters.shopId, label: filters.shopId });
  }
  const statusOptions: Option<'' | OperationStatus>[] = [
    { value: '', label: t('filter.statusAll') },
    ...OPERATION_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) })),
  ];
  const modeOptions: Option<Mode>[] = [
    { value: '', label: t('filter.modeAll') },
    { value: 'live', label: t('filter.modeLive') },
    { value: 'test', label: t('filter.modeTest') },
  ];
  return (
    <fieldset className="plain op-filters">
      <legend className="visually-hidden">{t('filters.title')}</legend>
      <div className="field-row">
        <SelectField
          id="operations-shop"
          className="grow"
          label={t('filter.shop')}
          value={filters.shopId}
          options={shopOptions}
          onChange={(shopId) => onChange({ shopId })}
        />
        <SelectField
          id="operations-status"
          className="grow"
          label={t('filter.status')}
          value={filters.status}
          options={statusOptions}
          onChange={(status) => onChange({ status })}
        />
        <SelectField
          id="operations-mode"
          className="grow"
          label={t('filter.mode')}
          value={filters.mode}
          options={modeOptions}
          onChange={(mode) => onChange({ mode })}
        />
      </div>
    </fieldset>
  );
}

function OperationTable({ page }: { page: OperationPage }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table op-table">
      <caption className="visually-hidden">{t('list.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('column.created')}</th>
          <th scope="col">{t('column.shop')}</th>
          <th scope="col">{t('column.invId')}</th>
          <th scope="col" className="numeric">
            {t('column.amount')}
          </th>
          <th scope="col">{t('column.status')}</th>
          <th scope="col">{t('column.method')}</th>
          <th scope="col">{t('column.notification')}</th>
        </tr>
      </thead>
      <tbody>
        {page.items.map((operation) => (
          <tr key={operation.id}>
            <td data-label={t('column.created')} className="op-time">
              <time dateTime={operation.createdAt} title={formatMoment(operation.createdAt, language)}>
                {formatShortMoment(operation.createdAt, language)}
              </time>
            </td>
            <td data-label={t('column.shop')}>{operation.shopName}</td>
            <td data-label={t('column.invId')}>
              <Link to={`/cabinet/operations/${encodeURIComponent(operation.id)}`}>
                <span className="visually-hidden">{t('row.operation')} </span>
                {operation.invId}
              </Link>
            </td>
            <td data-label={t('column.amount')} className="numeric">
              {formatAmount(operation.amount, operation.currency, language)}
            </td>
            <td data-label={t('column.status')}>
              <span className="op-badges">
                <OperationStatusBadge status={operation.status} />
                {operation.isTest && <TestBadge />}
              </span>
            </td>
            <td data-label={t('column.method')}>
              <PaymentMethodText method={operation.paymentMethod} cardMask={operation.cardMask} />
            </td>
            <td data-label={t('column.notification')}>
              <NotificationStateBadge state={operation.notification} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
