// /cabinet/messages: the inbox. Newest first, unread marked, search and filters kept in the address so
// coming back from a message returns to the same list; "show more" follows the server's cursor.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import { EmptyState, ErrorAlert, Loading, SelectField, SuccessNotice, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import {
  isMessageCategory,
  MESSAGE_CATEGORIES,
  type InboxPage,
  type MessageCategory,
  type Subscription,
} from './message.types';
import { messageTexts } from './messages.texts';
import { notifyUnreadChanged, useUnreadCount } from './unread-count';
import './messages.css';

interface Filters {
  search: string;
  category: '' | MessageCategory;
  isUnreadOnly: boolean;
}

function readFilters(params: URLSearchParams): Filters {
  const category = params.get('category') ?? '';
  return {
    search: params.get('q') ?? '',
    category: isMessageCategory(category) ? category : '',
    isUnreadOnly: params.get('unread') === '1',
  };
}

function toParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.search.trim()) params.set('q', filters.search.trim());
  if (filters.category) params.set('category', filters.category);
  if (filters.isUnreadOnly) params.set('unread', '1');
  return params;
}

type ListState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; page: InboxPage; isLoadingMore: boolean; moreError: string | null };

function useInbox(query: string) {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const currentQuery = useRef(query);

  useEffect(() => {
    currentQuery.current = query;
    let isCurrent = true;
    setState((old) => (old.status === 'ready' ? old : { status: 'loading' }));
    api.get<InboxPage>(`/api/cabinet/messages${query ? `?${query}` : ''}`).then(
      (page) => isCurrent && setState({ status: 'ready', page, isLoadingMore: false, moreError: null }),
      (error: unknown) => isCurrent && setState({ status: 'failed', message: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [query, attempt]);

  const loadMore = useCallback(
    async (cursor: string) => {
      setState((old) => (old.status === 'ready' ? { ...old, isLoadingMore: true, moreError: null } : old));
      const params = new URLSearchParams(query);
      params.set('cursor', cursor);
      try {
        const next = await api.get<InboxPage>(`/api/cabinet/messages?${params.toString()}`);
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

  const reload = useCallback(() => setAttempt((value) => value + 1), []);
  return { state, loadMore, reload };
}

export function MessagesPage() {
  const t = useTexts(messageTexts);
  useDocumentTitle(t('title'));
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const apiParams = toParams(filters);
  const { state, loadMore, reload } = useInbox(apiParams.toString());
  // A flag, not the text: the notice follows a change of language.
  const [isAllMarked, setAllMarked] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const isFiltered = apiParams.toString() !== '';

  function changeFilters(change: Partial<Filters>) {
    setAllMarked(false);
    setParams(toParams({ ...filters, ...change }), { replace: true });
  }

  async function markAllRead() {
    setFailure(null);
    try {
      await api.post('/api/cabinet/messages/read-all');
      setAllMarked(true);
      notifyUnreadChanged();
      reload();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  const unread = useUnreadCount();
  return (
    <>
      <div className="page-head">
        <h1>{t('title')}</h1>
        <button type="button" className="button" disabled={!unread} onClick={() => void markAllRead()}>
          {t('markAllRead')}
        </button>
      </div>
      <p className="lead">{t('intro')}</p>
      <InboxFilters filters={filters} onChange={changeFilters} />
      <SuccessNotice message={isAllMarked ? t('markedAllRead') : null} />
      <ErrorAlert message={failure} />
      {state.status === 'loading' && <Loading label={t('loading')} />}
      {state.status === 'failed' && <ErrorAlert message={state.message} />}
      {state.status === 'ready' && state.page.items.length === 0 && (
        <EmptyState title={isFiltered ? t('emptyFiltered') : t('empty')}>
          {isFiltered ? (
            <button type="button" className="button" onClick={() => setParams(new URLSearchParams())}>
              {t('resetFilters')}
            </button>
          ) : (
            <p>{t('emptyText')}</p>
          )}
        </EmptyState>
      )}
      {state.status === 'ready' && state.page.items.length > 0 && (
        <>
          <MessageList page={state.page} />
          <p className="muted" role="status">
            {t(state.page.nextCursor ? 'shown' : 'shownAll', { count: state.page.items.length })}
          </p>
          <ErrorAlert message={state.moreError} />
          {state.page.nextCursor && (
            <div className="actions">
              <button
                type="button"
                className="button"
                disabled={state.isLoadingMore}
                onClick={() => state.page.nextCursor && void loadMore(state.page.nextCursor)}
              >
                {state.isLoadingMore ? t('loadingMore') : t('more')}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}

function InboxFilters({
  filters,
  onChange,
}: {
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
}) {
  const t = useTexts(messageTexts);
  // The categories this person's role may see: the same list the e-mail settings show.
  const { resource: visible } = useResource<{ items: Subscription[] }>('/api/cabinet/message-subscriptions');
  const categories =
    visible.status === 'ready' ? visible.data.items.map((item) => item.category) : MESSAGE_CATEGORIES;
  const [search, setSearch] = useState(filters.search);
  const latest = useRef(onChange);
  latest.current = onChange;

  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    if (search.trim() === filters.search.trim()) return;
    const timer = window.setTimeout(() => latest.current({ search }), 350);
    return () => window.clearTimeout(timer);
  }, [search, filters.search]);

  // "Clear the search" and the browser's back button change the address: the box follows it.
  useEffect(() => setSearch(filters.search), [filters.search]);

  return (
    <form
      role="search"
      className="inbox-filters"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ search });
      }}
    >
      <div className="field grow">
        <label htmlFor="inbox-search">{t('search')}</label>
        <input
          id="inbox-search"
          type="search"
          value={search}
          maxLength={100}
          placeholder={t('searchPlaceholder')}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      <SelectField
        id="inbox-category"
        label={t('category')}
        value={filters.category}
        options={[
          { value: '', label: t('allCategories') },
          ...categories.map((category) => ({ value: category, label: t(`category.${category}`) })),
        ]}
        onChange={(category) => onChange({ category })}
      />
      <div className="field inbox-unread-filter">
        <div className="choice">
          <input
            type="checkbox"
            id="inbox-unread"
            checked={filters.isUnreadOnly}
            onChange={(event) => onChange({ isUnreadOnly: event.target.checked })}
          />
          <label htmlFor="inbox-unread">{t('unreadOnly')}</label>
        </div>
      </div>
    </form>
  );
}

function MessageList({ page }: { page: InboxPage }) {
  const t = useTexts(messageTexts);
  const { language } = useLanguage();
  const location = useLocation();
  return (
    <ul className="card flush message-list">
      {page.items.map((message) => (
        <li key={message.id} className={message.isRead ? 'message-item' : 'message-item unread'}>
          <Link
            to={`/cabinet/messages/${message.id}`}
            state={{ fromList: location.search }}
            className="message-link"
          >
            <span className="message-dot" aria-hidden="true" />
            <span className="message-main">
              <span className="message-title">
                {!message.isRead && <span className="visually-hidden">{t('unread')}: </span>}
                {message.title[language]}
              </span>
              {message.preview[language] && (
                <span className="message-preview">{message.preview[language]}</span>
              )}
            </span>
            <span className="message-meta">
              <span className={`badge message-category message-category-${message.category}`}>
                {t(`category.${message.category}`)}
              </span>
              <time dateTime={message.createdAt}>{formatDateTime(message.createdAt, language)}</time>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
