// /backoffice/support/:id: a request with its internal notes; the operator replies (choosing the status
// that follows, optionally starting from a canned answer in the merchant's language), adds notes only
// operators see, changes the status, or assigns the request to an agent.
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import {
  ErrorAlert,
  Loading,
  SelectField,
  SuccessNotice,
  TextAreaField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { Thread, TicketStatusBadge } from '../support/support.parts';
import { TICKET_STATUSES, type DeskTicket, type TicketStatus } from '../support/support.types';
import { AssigneeForm } from './assignee-form';
import { CannedAnswerPicker } from './canned-answer-picker';
import { formatDuration } from './durations';
import { deskTexts } from './support-desk.texts';
import '../support/support.css';

export function DeskTicketPage() {
  const t = useTexts(deskTexts);
  const { id = '' } = useParams();
  const path = `/api/backoffice/support/tickets/${encodeURIComponent(id)}`;
  const { resource, setData } = useResource<DeskTicket>(path);
  const ticket = resource.status === 'ready' ? resource.data : null;
  const { language } = useLanguage();
  useDocumentTitle(ticket?.subject ?? t('queue.title'));
  return (
    <>
      <p className="breadcrumb">
        <Link to="/backoffice/support">{t('ticket.back')}</Link>
      </p>
      {resource.status === 'loading' && <Loading label={t('queue.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {ticket && (
        <>
          <div className="page-head">
            <h1>{ticket.subject}</h1>
            <TicketStatusBadge status={ticket.status} label={t(`status.${ticket.status}`)} />
          </div>
          <p className="muted">
            {t('ticket.account', { login: ticket.accountLogin })}
            {ticket.shop ? ` · ${ticket.shop.name}` : ''}
            {ticket.paymentId ? ` · ${ticket.paymentId}` : ''}
          </p>
          <p className="muted">
            {t('ticket.times', {
              created: formatDateTime(ticket.createdAt, language),
              firstReply: ticket.firstRepliedAt ? formatDateTime(ticket.firstRepliedAt, language) : '—',
              resolved: ticket.resolvedAt ? formatDateTime(ticket.resolvedAt, language) : '—',
            })}
          </p>
          <p className="muted">
            {t('ticket.durations', {
              firstReply: formatDuration(ticket.firstReplySeconds, t),
              resolution: formatDuration(ticket.resolutionSeconds, t),
            })}
            {ticket.isOverdue && (
              <>
                {' '}
                <span className="badge badge-rejected">{t('overdue.badge')}</span>
              </>
            )}
          </p>
          <Thread
            posts={ticket.posts}
            downloadBase="/api/backoffice/support/attachments"
            operatorLabel={(post) => t('ticket.operator', { login: post.authorLogin ?? '' })}
            merchantLabel={(post) => t('ticket.merchant', { login: post.authorLogin ?? '' })}
            internalLabel={t('ticket.internal')}
          />
          <PostForm kind="reply" path={path} ticket={ticket} onDone={setData} />
          <PostForm kind="note" path={path} ticket={ticket} onDone={setData} />
          <StatusForm ticket={ticket} path={path} onDone={setData} />
          <AssigneeForm ticket={ticket} path={path} onDone={setData} />
        </>
      )}
    </>
  );
}

interface PostFormProps {
  kind: 'reply' | 'note';
  path: string;
  ticket: DeskTicket;
  onDone: (ticket: DeskTicket) => void;
}

function PostForm({ kind, path, ticket, onDone }: PostFormProps) {
  const t = useTexts(deskTexts);
  const [body, setBody] = useState('');
  const [status, setStatus] = useState<TicketStatus>('waiting_for_merchant');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isDone, setDone] = useState(false);
  // Counts sent posts: a new key clears the canned-answer choice along with the sent text.
  const [sentCount, setSentCount] = useState(0);
  const bodyId = `${kind}-body`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setDone(false);
    try {
      const saved =
        kind === 'reply'
          ? await api.post<DeskTicket>(`${path}/replies`, { body, status })
          : await api.post<DeskTicket>(`${path}/notes`, { body });
      setBody('');
      setSentCount((count) => count + 1);
      setErrors({});
      setDone(true);
      onDone(saved);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, [['body', bodyId]]);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    }
  }

  return (
    <form className="card form-card" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t(kind === 'reply' ? 'reply.title' : 'note.title')}</h2>
      <SuccessNotice message={isDone ? t(kind === 'reply' ? 'reply.sent' : 'note.added') : null} />
      <ErrorAlert message={failure} />
      {kind === 'reply' && (
        <CannedAnswerPicker
          key={sentCount}
          ticket={ticket}
          // Typed text is kept: the answer is added after it, and either can be edited before sending.
          onPick={(text) => setBody((current) => (current.trim() === '' ? text : `${current}\n\n${text}`))}
        />
      )}
      <TextAreaField
        id={bodyId}
        label={t(kind === 'reply' ? 'reply.body' : 'note.body')}
        hint={t(kind === 'reply' ? 'reply.hint' : 'note.hint')}
        value={body}
        rows={4}
        maxLength={10000}
        onChange={(event) => setBody(event.target.value)}
        error={errors.body}
      />
      {kind === 'reply' && (
        <SelectField
          id="reply-status"
          label={t('reply.status')}
          value={status}
          options={TICKET_STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
          onChange={setStatus}
        />
      )}
      <div className="actions">
        <button type="submit" className={kind === 'reply' ? 'button button-primary' : 'button'}>
          {t(kind === 'reply' ? 'reply.submit' : 'note.submit')}
        </button>
      </div>
    </form>
  );
}

function StatusForm({
  ticket,
  path,
  onDone,
}: {
  ticket: DeskTicket;
  path: string;
  onDone: (ticket: DeskTicket) => void;
}) {
  const t = useTexts(deskTexts);
  const [status, setStatus] = useState<TicketStatus>(ticket.status === 'resolved' ? 'open' : 'resolved');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isDone, setDone] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setDone(false);
    try {
      onDone(await api.post<DeskTicket>(`${path}/status`, { status }));
      setErrors({});
      setDone(true);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, [['status', 'desk-ticket-status']]);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    }
  }

  return (
    <form className="card form-card" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t('status.title')}</h2>
      <SuccessNotice message={isDone ? t('status.changed') : null} />
      <ErrorAlert message={failure} />
      <SelectField
        id="desk-ticket-status"
        label={t('status.title')}
        value={status}
        options={TICKET_STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
        onChange={setStatus}
        error={errors.status}
      />
      <div className="actions">
        <button type="submit" className="button">
          {t('status.submit')}
        </button>
      </div>
    </form>
  );
}
