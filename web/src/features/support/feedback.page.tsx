// /cabinet/support/feedback: ideas, problems and praise with an optional rating, and the account's
// history with the status the operator gave each piece and the operator's answer.
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
import { SupportTabs } from './support.parts';
import { supportTexts } from './support.texts';
import {
  FEEDBACK_CATEGORIES,
  type Feedback,
  type FeedbackCategory,
  type FeedbackStatus,
} from './support.types';
import './support.css';

const RATINGS = ['', '1', '2', '3', '4', '5'] as const;
/** Waiting for a decision, decided for, decided against. */
const FEEDBACK_BADGES: Record<FeedbackStatus, string> = {
  received: 'badge-moderation',
  under_review: 'badge-moderation',
  planned: 'badge-active',
  done: 'badge-active',
  declined: 'badge-rejected',
};
type RatingChoice = (typeof RATINGS)[number];

export function FeedbackPage() {
  const t = useTexts(supportTexts);
  useDocumentTitle(t('feedback.title'));
  const { resource, setData } = useResource<ItemList<Feedback>>('/api/cabinet/feedback');
  const items = resource.status === 'ready' ? resource.data.items : [];
  return (
    <>
      <h1>{t('title')}</h1>
      <SupportTabs />
      <p className="lead">{t('feedback.intro')}</p>
      <FeedbackForm onSent={(feedback) => setData({ items: [feedback, ...items] })} />
      <h2>{t('feedback.history')}</h2>
      {resource.status === 'loading' && <Loading label={t('feedback.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (items.length === 0 ? <EmptyState title={t('feedback.empty')} /> : <FeedbackHistory items={items} />)}
    </>
  );
}

function FeedbackHistory({ items }: { items: Feedback[] }) {
  const t = useTexts(supportTexts);
  const { language } = useLanguage();
  return (
    <ul className="support-thread">
      {items.map((item) => (
        <li key={item.id} className="support-post">
          <div className="support-post-head">
            <strong>
              {t(`category.${item.category}`)} ·{' '}
              <span className={`badge ${FEEDBACK_BADGES[item.status]}`}>
                {t(`feedbackStatus.${item.status}`)}
              </span>
            </strong>
            <time dateTime={item.createdAt}>{formatDateTime(item.createdAt, language)}</time>
          </div>
          <div className="support-post-body">{item.body}</div>
          {item.rating !== null && (
            <p className="muted">{t('feedback.ratingValue', { rating: item.rating })}</p>
          )}
          {item.answer && (
            <p className="support-post-body">{t('feedback.answer', { answer: item.answer })}</p>
          )}
        </li>
      ))}
    </ul>
  );
}

function FeedbackForm({ onSent }: { onSent: (feedback: Feedback) => void }) {
  const t = useTexts(supportTexts);
  const [category, setCategory] = useState<FeedbackCategory>('idea');
  const [body, setBody] = useState('');
  const [rating, setRating] = useState<RatingChoice>('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isSent, setSent] = useState(false);
  const [isSending, setSending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setSent(false);
    setSending(true);
    try {
      const feedback = await api.post<Feedback>('/api/cabinet/feedback', {
        category,
        body,
        rating: rating === '' ? null : Number(rating),
      });
      setBody('');
      setRating('');
      setErrors({});
      setSent(true);
      onSent(feedback);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, [
        ['category', 'feedback-category'],
        ['body', 'feedback-body'],
        ['rating', 'feedback-rating'],
      ]);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="card form-card" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t('feedback.title')}</h2>
      <SuccessNotice message={isSent ? t('feedback.sent') : null} />
      <ErrorAlert message={failure} />
      <SelectField
        id="feedback-category"
        label={t('feedback.category')}
        value={category}
        options={FEEDBACK_CATEGORIES.map((value) => ({ value, label: t(`category.${value}`) }))}
        onChange={setCategory}
        error={errors.category}
      />
      <TextAreaField
        id="feedback-body"
        label={t('feedback.body')}
        value={body}
        rows={5}
        maxLength={5000}
        onChange={(event) => setBody(event.target.value)}
        error={errors.body}
      />
      <SelectField
        id="feedback-rating"
        label={t('feedback.rating')}
        value={rating}
        options={RATINGS.map((value) => ({
          value,
          label: value === '' ? t('feedback.noRating') : `${value} / 5`,
        }))}
        onChange={setRating}
        error={errors.rating}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={isSending}>
          {isSending ? t('new.sending') : t('feedback.submit')}
        </button>
      </div>
    </form>
  );
}
