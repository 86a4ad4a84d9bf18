// Pieces the support pages share: the section's tabs, status badges, the thread and the file picker.
import { NavLink } from 'react-router-dom';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import { formatFileSize, ACCEPTED_FILES } from './support.files';
import { supportTexts } from './support.texts';
import type { TicketPost, TicketStatus } from './support.types';

export function SupportTabs() {
  const t = useTexts(supportTexts);
  return (
    <nav className="support-tabs" aria-label={t('title')}>
      <NavLink to="/cabinet/support" end>
        {t('tab.tickets')}
      </NavLink>
      <NavLink to="/cabinet/support/feedback">{t('tab.feedback')}</NavLink>
    </nav>
  );
}

/** `label` overrides the merchant's wording (the back-office says "waiting for the merchant"). */
export function TicketStatusBadge({ status, label }: { status: TicketStatus; label?: string }) {
  const t = useTexts(supportTexts);
  const tone = status === 'resolved' ? 'badge-active' : status === 'open' ? 'badge-moderation' : 'badge-test';
  return <span className={`badge ${tone}`}>{label ?? t(`status.${status}`)}</span>;
}

interface ThreadProps {
  posts: TicketPost[];
  /** Where files download from: the cabinet's or the back-office's API. */
  downloadBase: string;
  /** How an operator's post is signed: "Kopek support" for merchants, the login for operators. */
  operatorLabel: (post: TicketPost) => string;
  merchantLabel: (post: TicketPost) => string;
  internalLabel?: string;
}

export function Thread({ posts, downloadBase, operatorLabel, merchantLabel, internalLabel }: ThreadProps) {
  const t = useTexts(supportTexts);
  const { language } = useLanguage();
  return (
    <ol className="support-thread" aria-label={t('title')}>
      {posts.map((post) => (
        <li
          key={post.id}
          className={[
            'support-post',
            post.authorKind === 'operator' ? 'support-post-operator' : '',
            post.isInternal ? 'support-post-internal' : '',
          ].join(' ')}
          data-author={post.authorKind}
        >
          <div className="support-post-head">
            <strong>
              {post.authorKind === 'operator' ? operatorLabel(post) : merchantLabel(post)}
              {post.isInternal && internalLabel ? ` · ${internalLabel}` : ''}
            </strong>
            <time dateTime={post.createdAt}>{formatDateTime(post.createdAt, language)}</time>
          </div>
          <div className="support-post-body">{post.body}</div>
          {post.attachments.length > 0 && (
            <ul className="support-files">
              {post.attachments.map((file) => (
                <li key={file.id}>
                  <a href={`${downloadBase}/${encodeURIComponent(file.id)}`} download={file.fileName}>
                    {t('ticket.download', {
                      name: file.fileName,
                      size: formatFileSize(file.sizeBytes, language),
                    })}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

interface FilePickerProps {
  id: string;
  label: string;
  hint: string;
  error?: string;
  onChange: (files: File[]) => void;
}

export function FilePicker({ id, label, hint, error, onChange }: FilePickerProps) {
  const describedBy = [error ? `${id}-error` : '', `${id}-hint`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        multiple
        accept={ACCEPTED_FILES}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(Array.from(event.target.files ?? []))}
      />
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      <div id={`${id}-hint`} className="hint">
        {hint}
      </div>
    </div>
  );
}
