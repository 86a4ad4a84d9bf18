// /backoffice/feedback: merchants' feedback by status; the operator sets a status and may answer.
import { useState, type FormEvent } from 'react';
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
  SuccessNotice,
  TextAreaField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { supportTexts } from '../support/support.texts';
import { FEEDBACK_STATUSES, type DeskFeedback, type FeedbackStatus } from '../support/support.types';
import { deskTexts } from './support-desk.texts';
import '../support/support.css';

export function FeedbackTriagePage() {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  useDocumentTitle(t('feedback.title'));
  const [status, setStatus] = useState<FeedbackStatus>('received');
  const { resource, setData } = useResource<ItemList<DeskFeedback>>(
    `/api/backoffice/feedback?status=${status}`,
  );
  const items = resource.status === 'ready' ? resource.data.items : [];
  return (
    <>
      <h1>{t('feedback.title')}</h1>
      <SelectField
        id="triage-status"
        label={t('column.status')}
        value={status}
        options={FEEDBACK_STATUSES.map((value) => ({ value, label: s(`feedbackStatus.${value}`) }))}
        onChange={setStatus}
      />
      {resource.status === 'loading' && <Loading label={t('feedback.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && items.length === 0 && <EmptyState title={t('feedback.empty')} />}
      <ul className="support-thread">
        {items.map((item) => (
          <FeedbackItem
            key={item.id}
            item={item}
            onSaved={(saved) =>
              setData({ items: items.map((old) => (old.id === saved.id ? { ...old, ...saved } : old)) })
            }
          />
        ))}
      </ul>
    </>
  );
}

function FeedbackItem({ item, onSaved }: { item: DeskFeedback; onSaved: (saved: DeskFeedback) => void }) {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  const { language } = useLanguage();
  const [status, setStatus] = useState<FeedbackStatus>(item.status);
  const [answer, setAnswer] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isSaved, setSaved] = useState(false);
  const answerId = `answer-${item.id}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setSaved(false);
    try {
      const saved = await api.post<DeskFeedback>(
        `/api/backoffice/feedback/${encodeURIComponent(item.id)}/status`,
        {
          status,
          answer,
        },
      );
      setAnswer('');
      setErrors({});
      setSaved(true);
      onSaved(saved);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, [['answer', answerId]]);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    }
  }

  return (
    <li className="support-post">
      <div className="support-post-head">
        <strong>
          {s(`category.${item.category}`)} ·{' '}
          {t('feedback.from', { account: item.accountLogin, author: item.authorLogin })}
        </strong>
        <time dateTime={item.createdAt}>{formatDateTime(item.createdAt, language)}</time>
      </div>
      <div className="support-post-body">{item.body}</div>
      {item.rating !== null && <p className="muted">{s('feedback.ratingValue', { rating: item.rating })}</p>}
      {item.answer && <p className="support-post-body">{s('feedback.answer', { answer: item.answer })}</p>}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <SuccessNotice message={isSaved ? t('feedback.saved') : null} />
        <ErrorAlert message={failure} />
        <SelectField
          id={`status-${item.id}`}
          label={t('feedback.setStatus')}
          value={status}
          options={FEEDBACK_STATUSES.map((value) => ({ value, label: s(`feedbackStatus.${value}`) }))}
          onChange={setStatus}
        />
        <TextAreaField
          id={answerId}
          label={t('feedback.answer')}
          hint={t('feedback.answerHint')}
          value={answer}
          rows={3}
          maxLength={5000}
          onChange={(event) => setAnswer(event.target.value)}
          error={errors.answer}
        />
        <div className="actions">
          <button type="submit" className="button">
            {t('feedback.submit')}
          </button>
        </div>
      </form>
    </li>
  );
}
