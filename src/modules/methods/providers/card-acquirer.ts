/**
 * The provider interface every card acquirer implements: the sandbox that ships with Kopek and, later,
 * real acquiring banks. Callers follow the design's rule for external calls: record the intent and commit,
 * call the acquirer outside any transaction, then record the outcome; a 'no_answer' is settled later
 * through fetchStatus (or a repeated capture / void) by a reconcile job. Two-stage payments (holds) are
 * an authorization with a deferred capture, then capture or voidAuthorization.
 */
import type { LocalizedText } from '../../../platform/i18n.js';

export interface CardAuthorizationRequest {
  readonly paymentId: string;
  /** The card attempt: one authorization per attempt, so an acquirer may use it as an idempotency key. */
  readonly attemptId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Held only for the duration of the call: never stored, never logged (the CVC above all). */
  readonly card: {
    readonly pan: string;
    readonly expiryMonth: number;
    readonly expiryYear: number;
    readonly cvc: string;
  };
  readonly description: string;
  /**
   * 'immediate' (the default) charges the card. 'deferred' only reserves the amount (a hold, Robokassa's
   * StepByStep): 'approved' then means authorized, and the money moves when capture is called or is
   * given back by voidAuthorization.
   */
  readonly capture?: 'immediate' | 'deferred';
  /**
   * 'cardholder' (the default): the buyer is paying now, with the CVC, and may be asked for 3-D Secure.
   * 'merchant': a merchant-initiated charge on a saved card (a recurring payment) with nobody present:
   * no CVC (card.cvc is ''), no 3-D Secure, as card schemes allow for agreed recurring charges.
   */
  readonly initiator?: 'cardholder' | 'merchant';
}

export interface CaptureRequest {
  /** The authorization's reference, from the 'approved' outcome. */
  readonly reference: string;
  /** At most the authorized amount: less captures part of it and gives the rest back to the cardholder. */
  readonly amountMinor: bigint;
  /** The same key on a repeated call (a reconcile after a lost answer): the acquirer captures once. */
  readonly idempotencyKey: string;
}

/**
 * Why an acquirer refuses to capture or void: the authorization is unknown, was never approved or was
 * for an immediate charge ('not_authorized'); it was voided or expired ('voided'); it was captured
 * already, with another amount or key ('already_captured'); the amount is larger than authorized.
 */
export const HOLD_REFUSAL_REASONS = [
  'not_authorized',
  'voided',
  'already_captured',
  'amount_exceeds_authorization',
] as const;
export type HoldRefusalReason = (typeof HOLD_REFUSAL_REASONS)[number];

export type CaptureOutcome =
  | { readonly kind: 'captured'; readonly reference: string; readonly amountMinor: bigint }
  | { readonly kind: 'refused'; readonly reference: string; readonly reason: HoldRefusalReason }
  /** Timed out: the capture may or may not have happened; call again with the same idempotency key. */
  | { readonly kind: 'no_answer'; readonly reference: string };

export type VoidOutcome =
  | { readonly kind: 'voided'; readonly reference: string }
  | { readonly kind: 'refused'; readonly reference: string; readonly reason: HoldRefusalReason }
  | { readonly kind: 'no_answer'; readonly reference: string };

export const DECLINE_REASONS = [
  'insufficient_funds',
  'do_not_honor',
  'challenge_failed',
  'challenge_expired',
  'acquirer_timeout',
  'card_expired',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export type AcquirerOutcome =
  | {
      readonly kind: 'approved';
      readonly reference: string;
      readonly rrn: string;
      readonly approvalCode: string;
    }
  | { readonly kind: 'declined'; readonly reference: string | null; readonly reason: DeclineReason }
  /** 3-D Secure: ask the cardholder for the code and pass it to answerChallenge. */
  | { readonly kind: 'challenge'; readonly reference: string; readonly triesLeft: number }
  /** Timed out: the outcome is unknown (money may have moved); ask fetchStatus later. */
  | { readonly kind: 'no_answer'; readonly reference: string | null };

export interface CardAcquirer {
  readonly name: string;
  /** A sandbox moves no money; the UI labels an installation without a real acquirer as a sandbox. */
  readonly isSandbox: boolean;
  authorize(request: CardAuthorizationRequest): Promise<AcquirerOutcome>;
  /** The cardholder's 3-D Secure answer. On an operation not awaiting one: its current outcome. */
  answerChallenge(reference: string, answer: string): Promise<AcquirerOutcome>;
  /** The operation's current outcome; an unknown reference is declined ('do_not_honor', reference null). */
  fetchStatus(reference: string): Promise<AcquirerOutcome>;
  /** Charges all or part of a deferred-capture authorization. Idempotent by the request's key. */
  capture(request: CaptureRequest): Promise<CaptureOutcome>;
  /** Gives a deferred-capture authorization back to the cardholder. Voiding a voided one answers 'voided'. */
  voidAuthorization(reference: string): Promise<VoidOutcome>;
}

export function isDeclineReason(value: unknown): value is DeclineReason {
  return typeof value === 'string' && (DECLINE_REASONS as readonly string[]).includes(value);
}

/** What the buyer reads on the checkout page when the card is declined. */
export const DECLINE_REASON_TEXTS: Readonly<Record<DeclineReason, LocalizedText>> = {
  insufficient_funds: {
    ru: 'Недостаточно средств на карте.',
    en: 'The card has insufficient funds.',
  },
  do_not_honor: {
    ru: 'Банк отклонил платёж. Попробуйте другую карту или обратитесь в банк, выпустивший карту.',
    en: 'The bank declined the payment. Try another card or contact the bank that issued the card.',
  },
  challenge_failed: {
    ru: 'Платёж не подтверждён: код подтверждения введён неверно.',
    en: 'The payment was not confirmed: the confirmation code was wrong.',
  },
  challenge_expired: {
    ru: 'Платёж не подтверждён: время на ввод кода подтверждения истекло. Попробуйте ещё раз.',
    en: 'The payment was not confirmed: the time to enter the confirmation code ran out. Please try again.',
  },
  acquirer_timeout: {
    ru: 'Банк не ответил вовремя, платёж не прошёл. Попробуйте ещё раз.',
    en: 'The bank did not answer in time and the payment did not go through. Please try again.',
  },
  card_expired: {
    ru: 'Срок действия карты истёк.',
    en: 'The card has expired.',
  },
};
