// "Хронология": the payment's events, oldest first, each told in words with the details that matter.
import { useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { methodLabelName, minorToDecimal } from '../../lib/payment-methods';
import { formatAmount, formatMoment } from './operation-format';
import type { TimelineEvent } from './operation.types';
import { operationTexts } from './operations.texts';

type OperationTextKey = keyof (typeof operationTexts)['ru'];

const DECLINE_REASONS = [
  'insufficient_funds',
  'do_not_honor',
  'challenge_failed',
  'challenge_expired',
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
    case 'method_started':
    case 'method_declined':
    case 'method_expired':
    case 'method_part_received':
    case 'method_paid_twice':
    case 'method_overpaid':
    case 'refund_finished':
    case 'refund_canceled':
      return describeMethodEvent(event, t, language);
    case 'held':
    case 'hold_capture_requested':
    case 'hold_captured':
    case 'hold_capture_refused':
    case 'hold_release_requested':
    case 'hold_released':
      return describeHoldEvent(event, t, language);
    default:
      return t('event.unknown', { kind: event.kind });
  }
}

const METHOD_REASONS = [
  'buyer_switched',
  'buyer_cancelled',
  'start_interrupted',
  'insufficient_funds',
] as const;

/** Other payment methods (SBP, wallets, cash...) and refunds through them. */
function describeMethodEvent(
  event: TimelineEvent,
  t: Translate<OperationTextKey>,
  language: Language,
): string {
  const method = methodLabelName(text(event.details, 'method') ?? '', language);
  const rub = (name: string) =>
    formatAmount(minorToDecimal(text(event.details, name) ?? '0'), 'RUB', language);
  switch (event.kind) {
    case 'method_started':
      return t('event.method_started', { method });
    case 'method_declined': {
      const reason = text(event.details, 'reason') ?? '';
      const known = METHOD_REASONS.find((candidate) => candidate === reason);
      return t('event.method_declined', { method, reason: known ? t(`methodReason.${known}`) : reason });
    }
    case 'method_expired':
      return t('event.method_expired', { method });
    case 'method_part_received':
      return t('event.method_part_received', { received: rub('receivedMinor'), owed: rub('owedMinor') });
    case 'method_paid_twice':
      return t('event.method_paid_twice', { method, amount: rub('receivedMinor') });
    case 'method_overpaid':
      return t('event.method_overpaid', { amount: rub('overpaidMinor') });
    case 'refund_finished':
      return t('event.refund_finished', { amount: text(event.details, 'amount') ?? '' });
    default:
      return t('event.refund_canceled', { amount: text(event.details, 'amount') ?? '' });
  }
}

const HOLD_RELEASE_REASONS = ['cancelled', 'expired', 'acquirer'] as const;

/** Holds (StepByStep): reserved, capture or release asked, captured or released. */
function describeHoldEvent(event: TimelineEvent, t: Translate<OperationTextKey>, language: Language): string {
  const currency = text(event.details, 'currency') ?? '';
  const money = (name: string) => formatAmount(text(event.details, name) ?? '', currency, language);
  const reason = HOLD_RELEASE_REASONS.find((candidate) => candidate === text(event.details, 'reason'));
  switch (event.kind) {
    case 'held': {
      const mask = text(event.details, 'cardMask');
      return mask
        ? t('event.heldMask', { amount: money('amount'), mask })
        : t('event.held', { amount: money('amount') });
    }
    case 'hold_capture_requested':
      return t('event.hold_capture_requested', { amount: money('amount') });
    case 'hold_captured': {
      const values = { amount: money('amount'), held: money('held'), released: money('released') };
      const isPart = text(event.details, 'amount') !== text(event.details, 'held');
      return t(isPart ? 'event.hold_capturedPart' : 'event.hold_captured', values);
    }
    case 'hold_capture_refused':
      return text(event.details, 'reason') === 'amount_exceeds_authorization'
        ? t('event.hold_capture_refused')
        : t('event.hold_capture_refused.gone');
    case 'hold_release_requested':
      return reason === 'cancelled' || reason === 'expired'
        ? t(`event.hold_release_requested.${reason}`)
        : t('event.hold_release_requested');
    default:
      return reason
        ? t(`event.hold_released.${reason}`, { amount: money('amount') })
        : t('event.hold_released', { amount: money('amount') });
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
