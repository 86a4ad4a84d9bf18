// "Уведомления ResultURL": each notification about the operation (ResultURL, and ResultUrl2 as a signed JWS)
// with every delivery attempt, and "send again".
import { useState } from 'react';
import { api, errorMessage } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, SuccessNotice } from '../../lib/ui';
import { hasPermission, useMe } from '../shell/session';
import { NotificationStatusBadge } from './operation-badges';
import { formatMoment } from './operation-format';
import type {
  NotificationAttempt,
  OperationDetail,
  OperationNotification,
  TimelineEvent,
} from './operation.types';
import { operationTexts } from './operations.texts';

interface OperationNotificationsProps {
  operation: OperationDetail;
  timeline: readonly TimelineEvent[];
  notifications: readonly OperationNotification[];
  onResent: () => Promise<void>;
}

export function OperationNotifications(props: OperationNotificationsProps) {
  const { operation, timeline, notifications, onResent } = props;
  const t = useTexts(operationTexts);
  const isNotConfigured = timeline.some((event) => event.kind === 'result_url_not_configured');
  let emptyText: string = t('notifications.none');
  if (isNotConfigured) emptyText = t('notifications.notConfigured');
  else if (operation.status === 'held') emptyText = t('notifications.held');
  else if (operation.status !== 'paid') emptyText = t('notifications.unpaid');
  return (
    <section className="card" aria-labelledby="operation-notifications-title">
      <h2 id="operation-notifications-title">{t('notifications.title')}</h2>
      {notifications.length === 0 ? (
        <p className="muted">{emptyText}</p>
      ) : (
        notifications.map((notification) => (
          <NotificationBlock
            key={notification.id}
            operationId={operation.id}
            notification={notification}
            onResent={onResent}
          />
        ))
      )}
    </section>
  );
}

interface NotificationBlockProps {
  operationId: string;
  notification: OperationNotification;
  onResent: () => Promise<void>;
}

function NotificationBlock({ operationId, notification, onResent }: NotificationBlockProps) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  const canResend = hasPermission(useMe(), 'operations.manage');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const headingId = `notification-${notification.id}`;

  async function resend() {
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      await api.post(
        `/api/cabinet/operations/${encodeURIComponent(operationId)}/notifications/${encodeURIComponent(notification.id)}/resend`,
      );
      await onResent();
      setNotice(t('resend.done'));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="op-notification" aria-labelledby={headingId}>
      <div className="subsection-head">
        <h3 id={headingId}>
          {notification.kind === 'result_url2' ? `${t('notification.kind.result_url2')} · ` : ''}
          {t('notification.heading', { date: formatMoment(notification.createdAt, language) })}
        </h3>
      </div>
      <dl className="op-details">
        <div>
          <dt>{t('notification.url')}</dt>
          <dd className="break">
            <code>{notification.url}</code>
          </dd>
        </div>
        <div>
          <dt>{t('notification.method')}</dt>
          <dd>{notification.method}</dd>
        </div>
        <div>
          <dt>{t('notification.status')}</dt>
          <dd>
            <NotificationStatusBadge status={notification.status} />
          </dd>
        </div>
        <div>
          <dt>{t('notification.next')}</dt>
          <dd>
            {notification.nextAttemptAt ? (
              <time dateTime={notification.nextAttemptAt}>
                {formatMoment(notification.nextAttemptAt, language)}
              </time>
            ) : (
              <span className="muted">{t('notification.noNext')}</span>
            )}
          </dd>
        </div>
        {notification.deliveredAt && (
          <div>
            <dt>{t('notification.delivered')}</dt>
            <dd>
              <time dateTime={notification.deliveredAt}>
                {formatMoment(notification.deliveredAt, language)}
              </time>
            </dd>
          </div>
        )}
      </dl>
      <h4 className="op-attempts-title">{t('notification.attempts')}</h4>
      {notification.attempts.length === 0 ? (
        <p className="muted">{t('notification.noAttempts')}</p>
      ) : (
        <AttemptTable attempts={notification.attempts} />
      )}
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      {canResend && (
        <div className="actions">
          <button
            type="button"
            className="button"
            disabled={busy}
            aria-describedby={headingId}
            onClick={() => void resend()}
          >
            {busy ? t('resend.sending') : t('resend.button')}
          </button>
        </div>
      )}
    </article>
  );
}

function AttemptTable({ attempts }: { attempts: readonly NotificationAttempt[] }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table op-attempts">
      <thead>
        <tr>
          <th scope="col">{t('attempt.time')}</th>
          <th scope="col">{t('attempt.status')}</th>
          <th scope="col">{t('attempt.duration')}</th>
          <th scope="col">{t('attempt.response')}</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt, index) => (
          <tr key={`${attempt.startedAt}-${index}`}>
            <td data-label={t('attempt.time')}>
              <time dateTime={attempt.startedAt}>{formatMoment(attempt.startedAt, language)}</time>
            </td>
            <td data-label={t('attempt.status')}>
              <span className="op-attempt-status">
                {attempt.responseStatus ?? <span className="muted">{t('attempt.noStatus')}</span>}
                <span className={`badge op-notice op-notice-${attempt.isSuccess ? 'delivered' : 'failed'}`}>
                  {t(attempt.isSuccess ? 'attempt.success' : 'attempt.failure')}
                </span>
              </span>
            </td>
            <td data-label={t('attempt.duration')}>
              {t('attempt.durationValue', { ms: attempt.durationMs })}
            </td>
            <td data-label={t('attempt.response')} className="break">
              <AttemptAnswer attempt={attempt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AttemptAnswer({ attempt }: { attempt: NotificationAttempt }) {
  const t = useTexts(operationTexts);
  if (attempt.error) return <span className="op-attempt-error">{attempt.error}</span>;
  if (attempt.responseExcerpt) return <code className="op-excerpt">{attempt.responseExcerpt}</code>;
  return <span className="muted">{t('attempt.emptyBody')}</span>;
}
