// The newest deliveries of one endpoint: event, payment, status, the last answer, every attempt on
// request, and "send again".
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { ErrorAlert, Loading, SuccessNotice } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { apiKeysTexts } from './api-keys.texts';
import type { WebhookAttempt, WebhookDelivery } from './api-keys.types';

interface DeliveriesProps {
  shopId: string;
  endpointId: string;
}

export function WebhookDeliveries({ shopId, endpointId }: DeliveriesProps) {
  const t = useTexts(apiKeysTexts);
  const shopPath = `/api/cabinet/shops/${encodeURIComponent(shopId)}`;
  const { resource, reload } = useResource<ItemList<WebhookDelivery>>(
    `${shopPath}/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  async function resend(delivery: WebhookDelivery) {
    setBusyId(delivery.id);
    setNotice(null);
    setFailure(null);
    try {
      await api.post(`${shopPath}/webhook-deliveries/${encodeURIComponent(delivery.id)}/resend`);
      setNotice(t('deliveries.resent'));
      reload();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusyId(null);
    }
  }

  return (
    <div className="subsection">
      <div className="subsection-head">
        <h4>{t('deliveries.title')}</h4>
        <button type="button" className="button button-quiet" onClick={reload}>
          {t('deliveries.refresh')}
        </button>
      </div>
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (resource.data.items.length === 0 ? (
          <p className="muted">{t('deliveries.empty')}</p>
        ) : (
          <DeliveryTable deliveries={resource.data.items} busyId={busyId} onResend={resend} />
        ))}
    </div>
  );
}

interface DeliveryTableProps {
  deliveries: readonly WebhookDelivery[];
  busyId: string | null;
  onResend: (delivery: WebhookDelivery) => Promise<void>;
}

function DeliveryTable({ deliveries, busyId, onResend }: DeliveryTableProps) {
  const t = useTexts(apiKeysTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table api-table">
      <thead>
        <tr>
          <th scope="col">{t('deliveries.column.time')}</th>
          <th scope="col">{t('deliveries.column.event')}</th>
          <th scope="col">{t('deliveries.column.status')}</th>
          <th scope="col">{t('deliveries.column.lastAnswer')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('deliveries.resend')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <tr key={delivery.id}>
            <td data-label={t('deliveries.column.time')} className="api-delivery-time">
              <time dateTime={delivery.createdAt}>{formatDateTime(delivery.createdAt, language)}</time>
            </td>
            <td data-label={t('deliveries.column.event')}>
              <div>
                <code>{delivery.eventType}</code>
                <div className="break">
                  <Link to={`/cabinet/operations/${encodeURIComponent(delivery.paymentId)}`}>
                    {delivery.paymentId}
                  </Link>
                </div>
              </div>
            </td>
            <td data-label={t('deliveries.column.status')}>
              <div>
                <span className={`badge op-notice op-notice-${delivery.status}`}>
                  {t(`status.${delivery.status}`)}
                </span>
                <div className="muted">{t('deliveries.attempts', { count: delivery.attemptCount })}</div>
                {delivery.nextAttemptAt && (
                  <div className="muted">
                    {t('deliveries.next', { date: formatDateTime(delivery.nextAttemptAt, language) })}
                  </div>
                )}
              </div>
            </td>
            <td data-label={t('deliveries.column.lastAnswer')} className="break">
              <Attempts attempts={delivery.attempts} />
            </td>
            <td className="row-actions">
              <button
                type="button"
                className="button"
                disabled={busyId === delivery.id}
                aria-busy={busyId === delivery.id}
                aria-label={`${t('deliveries.resend')}: ${delivery.eventType}, ${delivery.paymentId}`}
                onClick={() => void onResend(delivery)}
              >
                {busyId === delivery.id ? t('deliveries.resending') : t('deliveries.resend')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The last attempt in the row; all of them (time, answer, duration) behind a disclosure. */
function Attempts({ attempts }: { attempts: readonly WebhookAttempt[] }) {
  const t = useTexts(apiKeysTexts);
  const { language } = useLanguage();
  const last = attempts.at(-1);
  if (!last) return <span className="muted">{t('deliveries.noAttempts')}</span>;
  return (
    <details className="api-attempts">
      <summary>
        <AttemptSummary attempt={last} />
      </summary>
      <ol>
        {attempts.map((attempt, index) => (
          <li key={`${attempt.startedAt}-${index}`}>
            <time dateTime={attempt.startedAt}>{formatDateTime(attempt.startedAt, language)}</time>{' '}
            <AttemptSummary attempt={attempt} /> · {t('attempt.durationValue', { ms: attempt.durationMs })}
            <AttemptBody attempt={attempt} />
          </li>
        ))}
      </ol>
    </details>
  );
}

function AttemptSummary({ attempt }: { attempt: WebhookAttempt }) {
  const t = useTexts(apiKeysTexts);
  return (
    <span className="op-attempt-status">
      {attempt.responseStatus ?? <span className="muted">{t('attempt.noStatus')}</span>}
      <span className={`badge op-notice op-notice-${attempt.isSuccess ? 'delivered' : 'failed'}`}>
        {t(attempt.isSuccess ? 'status.delivered' : 'status.failed')}
      </span>
    </span>
  );
}

function AttemptBody({ attempt }: { attempt: WebhookAttempt }) {
  const t = useTexts(apiKeysTexts);
  if (attempt.error) return <div className="op-attempt-error">{attempt.error}</div>;
  if (attempt.responseExcerpt) return <code className="op-excerpt">{attempt.responseExcerpt}</code>;
  return <div className="muted">{t('attempt.emptyBody')}</div>;
}
