// /cabinet/support: the account's requests to support, newest change first, and the form for a new one
// (topic, optional shop and operation, text, files). ?paymentId=… fills the operation in, so the
// operation page can link here.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  SelectField,
  TextAreaField,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { checkFiles, fileFieldError, readUploads } from './support.files';
import { FilePicker, SupportTabs, TicketStatusBadge } from './support.parts';
import { supportTexts } from './support.texts';
import {
  TICKET_STATUSES,
  TICKET_TOPICS,
  type Ticket,
  type TicketStatus,
  type TicketSummary,
  type TicketTopic,
} from './support.types';
import './support.css';

interface TicketPage {
  items: TicketSummary[];
  nextCursor: string | null;
}

type ListState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; page: TicketPage; isLoadingMore: boolean; moreError: string | null };

/** The account's tickets, a page at a time; "show more" follows the server's cursor. */
function useTicketList(status: '' | TicketStatus) {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const base = `/api/cabinet/support/tickets${status ? `?status=${status}` : ''}`;

  useEffect(() => {
    let isCurrent = true;
    setState({ status: 'loading' });
    api.get<TicketPage>(base).then(
      (page) => isCurrent && setState({ status: 'ready', page, isLoadingMore: false, moreError: null }),
      (error: unknown) => isCurrent && setState({ status: 'failed', message: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [base]);

  async function loadMore(cursor: string) {
    setState((old) => (old.status === 'ready' ? { ...old, isLoadingMore: true, moreError: null } : old));
    try {
      const separator = base.includes('?') ? '&' : '?';
      const next = await api.get<TicketPage>(`${base}${separator}cursor=${encodeURIComponent(cursor)}`);
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
      setState((old) =>
        old.status === 'ready' ? { ...old, isLoadingMore: false, moreError: errorMessage(error) } : old,
      );
    }
  }

  return { state, loadMore };
}

export function TicketsPage() {
  const t = useTexts(supportTexts);
  useDocumentTitle(t('title'));
  const [status, setStatus] = useState<'' | TicketStatus>('');
  const { state, loadMore } = useTicketList(status);
  return (
    <>
      <h1>{t('title')}</h1>
      <SupportTabs />
      <p className="lead">{t('intro')}</p>
      <NewTicketForm />
      <div className="page-head">
        <h2>{t('list.title')}</h2>
        <SelectField
          id="ticket-status-filter"
          label={t('filter.status')}
          value={status}
          options={[
            { value: '', label: t('filter.all') },
            ...TICKET_STATUSES.map((value) => ({ value, label: t(`status.${value}`) })),
          ]}
          onChange={setStatus}
        />
      </div>
      {state.status === 'loading' && <Loading label={t('list.loading')} />}
      {state.status === 'failed' && <ErrorAlert message={state.message} />}
      {state.status === 'ready' &&
        (state.page.items.length === 0 ? (
          <EmptyState title={t('list.empty')}>
            <p>{t('list.emptyText')}</p>
          </EmptyState>
        ) : (
          <>
            <TicketList items={state.page.items} />
            <ErrorAlert message={state.moreError} />
            {state.page.nextCursor && (
              <div className="actions">
                <button
                  type="button"
                  className="button"
                  disabled={state.isLoadingMore}
                  onClick={() => state.page.nextCursor && void loadMore(state.page.nextCursor)}
                >
                  {state.isLoadingMore ? t('list.loadingMore') : t('list.more')}
                </button>
              </div>
            )}
          </>
        ))}
    </>
  );
}

function TicketList({ items }: { items: TicketSummary[] }) {
  const t = useTexts(supportTexts);
  const { language } = useLanguage();
  return (
    <div className="card flush">
      <table className="table responsive-table">
        <thead>
          <tr>
            <th scope="col">{t('new.subject')}</th>
            <th scope="col">{t('new.topic')}</th>
            <th scope="col">{t('filter.status')}</th>
            <th scope="col">{t('new.shop')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((ticket) => (
            <tr key={ticket.id}>
              <td data-label={t('new.subject')}>
                <Link to={`/cabinet/support/tickets/${encodeURIComponent(ticket.id)}`}>{ticket.subject}</Link>
                <div className="muted">
                  {t('list.updated', { time: formatDateTime(ticket.updatedAt, language) })}
                </div>
              </td>
              <td data-label={t('new.topic')}>{t(`topic.${ticket.topic}`)}</td>
              <td data-label={t('filter.status')}>
                <TicketStatusBadge status={ticket.status} />
              </td>
              <td data-label={t('new.shop')}>{ticket.shop?.name ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FIELD_ORDER = [
  ['topic', 'ticket-topic'],
  ['subject', 'ticket-subject'],
  ['shopId', 'ticket-shop'],
  ['paymentId', 'ticket-payment'],
  ['body', 'ticket-body'],
  ['attachments', 'ticket-files'],
] as const;

function NewTicketForm() {
  const t = useTexts(supportTexts);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { resource: shops } = useResource<ItemList<{ id: string; name: string }>>('/api/cabinet/shops');
  const [topic, setTopic] = useState<TicketTopic>(params.get('paymentId') ? 'payments' : 'other');
  const [subject, setSubject] = useState('');
  const [shopId, setShopId] = useState('');
  const [paymentId, setPaymentId] = useState(params.get('paymentId') ?? '');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isSending, setSending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const problem = checkFiles(files);
    if (problem) {
      const message =
        problem.kind === 'tooMany' ? t('files.tooMany') : t('files.tooLarge', { name: problem.name });
      setErrors({ attachments: message });
      document.getElementById('ticket-files')?.focus();
      return;
    }
    setSending(true);
    try {
      const ticket = await api.post<Ticket>('/api/cabinet/support/tickets', {
        topic,
        subject,
        body,
        shopId: shopId || null,
        paymentId: paymentId.trim() || null,
        attachments: await readUploads(files),
      });
      navigate(`/cabinet/support/tickets/${encodeURIComponent(ticket.id)}`);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, FIELD_ORDER);
      const fileError = fileFieldError(fields);
      if (fileError) setErrors({ ...fields, attachments: fileError });
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  const shopOptions = [
    { value: '', label: t('new.noShop') },
    ...(shops.status === 'ready'
      ? shops.data.items.map((shop) => ({ value: shop.id, label: shop.name }))
      : []),
  ];
  return (
    <form className="card form-card" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t('new.title')}</h2>
      <ErrorAlert message={failure} />
      <SelectField
        id="ticket-topic"
        label={t('new.topic')}
        value={topic}
        options={TICKET_TOPICS.map((value) => ({ value, label: t(`topic.${value}`) }))}
        onChange={setTopic}
        error={errors.topic}
      />
      <TextField
        id="ticket-subject"
        label={t('new.subject')}
        value={subject}
        maxLength={200}
        required
        onChange={(event) => setSubject(event.target.value)}
        error={errors.subject}
      />
      <SelectField
        id="ticket-shop"
        label={t('new.shop')}
        value={shopId}
        options={shopOptions}
        onChange={setShopId}
        error={errors.shopId}
      />
      <TextField
        id="ticket-payment"
        label={t('new.payment')}
        hint={t('new.paymentHint')}
        value={paymentId}
        maxLength={64}
        onChange={(event) => setPaymentId(event.target.value)}
        error={errors.paymentId}
      />
      <TextAreaField
        id="ticket-body"
        label={t('new.body')}
        value={body}
        rows={6}
        maxLength={10000}
        required
        onChange={(event) => setBody(event.target.value)}
        error={errors.body}
      />
      <FilePicker
        id="ticket-files"
        label={t('new.files')}
        hint={t('new.filesHint')}
        error={errors.attachments}
        onChange={setFiles}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={isSending}>
          {isSending ? t('new.sending') : t('new.submit')}
        </button>
      </div>
    </form>
  );
}
