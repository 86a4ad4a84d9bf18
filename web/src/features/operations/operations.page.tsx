// /cabinet/operations: every payment of the account's shops with search, filters, sorting, saved filters,
// exports and "show more" (keyset pages).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import { EmptyState, ErrorAlert, Loading, useDocumentTitle } from '../../lib/ui';
import {
  NotificationStateBadge,
  OperationStatusBadge,
  PaymentMethodText,
  TestBadge,
} from './operation-badges';
import { formatAmount, formatMoment, formatShortMoment } from './operation-format';
import { apiQuery, pageFieldOf, pageQuery, readFilters, type Filters } from './operation-filters';
import { OperationExport } from './operation-export';
import { OperationFiltersForm, SavedFilters } from './operation-filters-form';
import type { OperationPage } from './operation.types';
import { operationTexts } from './operations.texts';

type PagesState =
  | { status: 'loading' }
  | { status: 'failed'; message: string; fields: Record<string, string> }
  | { status: 'ready'; page: OperationPage; isLoadingMore: boolean; moreError: string | null };

/** Field errors of a refused filter, keyed by the page's field names. */
function pageFields(error: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fieldMessages(error)).map(([field, message]) => [pageFieldOf(field), message]),
  );
}

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
      (error: unknown) =>
        isCurrent && setState({ status: 'failed', message: errorMessage(error), fields: pageFields(error) }),
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
  const isFiltered = query !== '' && query !== `sort=${filters.sort}`;

  function changeFilters(change: Partial<Filters>) {
    setParams(pageQuery({ ...filters, ...change }), { replace: true });
  }

  return (
    <>
      <h1>{t('list.title')}</h1>
      <p className="lead">{t('list.intro')}</p>
      <OperationFiltersForm
        key={params.toString()}
        filters={filters}
        fieldErrors={state.status === 'failed' ? state.fields : {}}
        onChange={changeFilters}
      />
      <div className="op-toolbar">
        <SavedFilters currentQuery={pageQuery(filters).toString()} onOpen={(saved) => setParams(saved)} />
        <OperationExport filters={filters} />
      </div>
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
