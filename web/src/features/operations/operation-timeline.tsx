// "Хронология": the payment's events, oldest first, each told in words with the details that matter.
import { useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { formatAmount, formatMoment } from './operation-format';
import type { TimelineEvent } from './operation.types';
import { operationTexts } from './operations.texts';

type OperationTextKey = keyof (typeof operationTexts)['ru'];

const DECLINE_REASONS = [
  'insufficient_funds',
  'do_not_honor',
  'challenge_failed',
  'acquirer_timeout',
  'card_expired',
] as const;

function text(details: Record<string, unknown>, name: string): string | undefined {
  const value = details[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Human words for an event; an event kind this cabinet does not know yet is named, not hidden. */
export function describeEvent(
  event: TimelineEvent,
  t: Translate<OperationTextKey>,
  language: Language = 'ru',
): string {
  const mask = text(event.details, 'cardMask');
  switch (event.kind) {
    case 'created': {
      const ip = text(event.details, 'ip');
      return ip ? t('event.createdIp', { ip }) : t('event.created');
    }
    case 'reinitiated':
      return t('event.reinitiated');
    case 'card_submitted':
      return mask ? t('event.card_submittedMask', { mask }) : t('event.card_submitted');
    case 'challenge_requested':
      return t('event.challenge_requested');
    case 'challenge_answered': {
      const outcome = text(event.details, 'outcome');
      if (outcome === 'approved') return t('event.challenge_answered.approved');
      if (outcome === 'challenge') return t('event.challenge_answered.challenge');
      if (outcome === 'declined') return t('event.challenge_answered.declined');
      return t('event.challenge_answered');
    }
    case 'declined': {
      const reason = text(event.details, 'reason');
      const known = DECLINE_REASONS.find((candidate) => candidate === reason);
      if (known) return t('event.declinedReason', { reason: t(`reason.${known}`) });
      return reason ? t('event.declinedReason', { reason }) : t('event.declined');
    }
    case 'acquirer_no_answer':
      return t('event.acquirer_no_answer');
    case 'paid':
      return mask ? t('event.paidMask', { mask }) : t('event.paid');
    case 'expired':
      return t('event.expired');
    case 'result_url_not_configured':
      return t('event.result_url_not_configured');
    case 'refunded': {
      const amount = formatAmount(
        text(event.details, 'amount') ?? '',
        text(event.details, 'currency') ?? '',
        language,
      );
      const source = text(event.details, 'source');
      if (source === 'cabinet' || source === 'refund_api') return t(`event.refunded.${source}`, { amount });
      return t('event.refunded', { amount });
    }
    default:
      return t('event.unknown', { kind: event.kind });
  }
}

export function OperationTimeline({ events }: { events: readonly TimelineEvent[] }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  return (
    <section className="card" aria-labelledby="operation-timeline-title">
      <h2 id="operation-timeline-title">{t('timeline.title')}</h2>
      {events.length === 0 ? (
        <p className="muted">{t('timeline.empty')}</p>
      ) : (
        <ol className="op-timeline">
          {events.map((event, index) => (
            <li key={`${event.at}-${index}`} className={`op-event op-event-${event.kind}`}>
              <time dateTime={event.at}>{formatMoment(event.at, language)}</time>
              <span className="break">{describeEvent(event, t, language)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
