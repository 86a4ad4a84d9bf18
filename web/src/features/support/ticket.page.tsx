// /cabinet/support/tickets/:id: one request's thread, the reply form, and live updates: the page polls
// the ticket's revision every few seconds (one indexed row) and fetches the thread again when it moves.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SuccessNotice, TextAreaField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { checkFiles, fileFieldError, readUploads } from './support.files';
import { FilePicker, SupportTabs, Thread, TicketStatusBadge } from './support.parts';
import { supportTexts } from './support.texts';
import type { Ticket } from './support.types';
import './support.css';

export const POLL_INTERVAL_MS = 4000;

/** Fetches the ticket again whenever its revision on the server differs from the one shown. */
function useLiveTicket(ticket: Ticket | null, onChanged: (ticket: Ticket) => void) {
  const latest = useRef({ ticket, onChanged });
  latest.current = { ticket, onChanged };
  const id = ticket?.id;
  useEffect(() => {
    if (!id) return;
    let isActive = true;
    const timer = window.setInterval(() => {
      const shown = latest.current.ticket;
      // A hidden tab does not poll; it catches up on the next tick after it is shown again.
      if (!shown || document.hidden) return;
      const path = `/api/cabinet/support/tickets/${encodeURIComponent(shown.id)}`;
      api
        .get<{ revision: number; isChanged: boolean }>(`${path}/changes?since=${shown.revision}`)
        .then(async (answer) => {
          if (!answer.isChanged || !isActive) return;
          const fresh = await api.get<Ticket>(path);
          if (isActive) latest.current.onChanged(fresh);
        })
        .catch(() => undefined);
    }, POLL_INTERVAL_MS);
    return () => {
      isActive = false;
      window.clearInterval(timer);
    };
  }, [id]);
}

export function TicketPage() {
  const t = useTexts(supportTexts);
  const { id = '' } = useParams();
  const { resource, setData } = useResource<Ticket>(`/api/cabinet/support/tickets/${encodeURIComponent(id)}`);
  const ticket = resource.status === 'ready' ? resource.data : null;
  const [isUpdated, setUpdated] = useState(false);
  useDocumentTitle(ticket?.subject ?? t('title'));
  useLiveTicket(ticket, (fresh) => {
    setData(fresh);
    setUpdated(true);
  });

  return (
    <>
      <p className="breadcrumb">
        <Link to="/cabinet/support">{t('ticket.back')}</Link>
      </p>
      {resource.status === 'loading' && <Loading label={t('ticket.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {ticket && (
        <>
          <div className="page-head">
            <h1>{ticket.subject}</h1>
            <TicketStatusBadge status={ticket.status} />
          </div>
          <SupportTabs />
          <TicketMeta ticket={ticket} />
          <div role="status" aria-live="polite">
            {isUpdated && <p className="info">{t('ticket.updated')}</p>}
          </div>
          <Thread
            posts={ticket.posts}
            downloadBase="/api/cabinet/support/attachments"
            operatorLabel={() => t('ticket.support')}
            merchantLabel={(post) => post.authorLogin ?? t('ticket.you')}
          />
          <p className="muted">{t('ticket.live')}</p>
          <ReplyForm
            ticket={ticket}
            onSent={(fresh) => {
              setUpdated(false);
              setData(fresh);
            }}
          />
        </>
      )}
    </>
  );
}

function TicketMeta({ ticket }: { ticket: Ticket }) {
  const t = useTexts(supportTexts);
  const { language } = useLanguage();
  return (
    <div className="support-meta">
      <span>{t(`topic.${ticket.topic}`)}</span>
      <span>{t('ticket.meta', { created: formatDateTime(ticket.createdAt, language) })}</span>
      {ticket.firstRepliedAt && (
        <span>{t('ticket.firstReply', { time: formatDateTime(ticket.firstRepliedAt, language) })}</span>
      )}
      {ticket.resolvedAt && (
        <span>{t('ticket.resolvedAt', { time: formatDateTime(ticket.resolvedAt, language) })}</span>
      )}
      {ticket.shop && <span>{t('ticket.shop', { name: ticket.shop.name })}</span>}
      {ticket.paymentId && (
        <span>
          {t('ticket.payment')}
          <Link to={`/cabinet/operations/${encodeURIComponent(ticket.paymentId)}`}>{ticket.paymentId}</Link>
        </span>
      )}
    </div>
  );
}

function ReplyForm({ ticket, onSent }: { ticket: Ticket; onSent: (ticket: Ticket) => void }) {
  const t = useTexts(supportTexts);
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [fileInputKey, setFileInputKey] = useState(0);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isSent, setSent] = useState(false);
  const [isSending, setSending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setSent(false);
    const problem = checkFiles(files);
    if (problem) {
      setErrors({
        attachments:
          problem.kind === 'tooMany' ? t('files.tooMany') : t('files.tooLarge', { name: problem.name }),
      });
      return;
    }
    setSending(true);
    try {
      const fresh = await api.post<Ticket>(
        `/api/cabinet/support/tickets/${encodeURIComponent(ticket.id)}/replies`,
        { body, attachments: await readUploads(files) },
      );
      setBody('');
      setFiles([]);
      setFileInputKey((key) => key + 1);
      setErrors({});
      setSent(true);
      onSent(fresh);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, [['body', 'reply-body']]);
      const fileError = fileFieldError(fields);
      if (fileError) setErrors({ ...fields, attachments: fileError });
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="card form-card" onSubmit={(event) => void submit(event)} noValidate>
      <SuccessNotice message={isSent ? t('ticket.sent') : null} />
      <ErrorAlert message={failure} />
      <TextAreaField
        id="reply-body"
        label={t('ticket.reply')}
        hint={ticket.status === 'resolved' ? t('ticket.replyHintResolved') : undefined}
        value={body}
        rows={4}
        maxLength={10000}
        onChange={(event) => setBody(event.target.value)}
        error={errors.body}
      />
      <FilePicker
        key={fileInputKey}
        id="reply-files"
        label={t('new.files')}
        hint={t('new.filesHint')}
        error={errors.attachments}
        onChange={setFiles}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={isSending}>
          {isSending ? t('new.sending') : t('ticket.send')}
        </button>
      </div>
    </form>
  );
}
