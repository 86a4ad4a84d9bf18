/**
 * Paying by card. The acquirer is called outside any transaction: the attempt is recorded first
 * (committed), then the acquirer answers, then the outcome is recorded. A double click or a reload sends
 * the same submission key and gets the same attempt; a unique index allows one attempt in flight per
 * payment, so concurrent submissions charge once. An acquirer that does not answer leaves the attempt
 * "unknown" and a reconcile job asks again later.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import type { CardAttemptRow, Database, PaymentRow } from '../../schema.js';
import type { AcquirerOutcome, CardAcquirer, DeclineReason, ValidCard } from '../methods/index.js';
import { findShopById } from '../shops/index.js';
import { describeStoredCard, readCardForAcquirer, saveCardForPayment, storeCard } from '../vault/index.js';
import { chargedAmountMinor, computeBuyerFee } from './buyer-fee.js';
import { markPaymentHeld } from './hold.records.js';
import { closeOpenMethodAttempt } from './method-attempt.service.js';
import { markPaymentPaid } from './payment-completion.js';
import { recordPaymentEvent } from './payment.events.js';

export const RECONCILE_QUEUE = 'payments.reconcile-card-attempt';
const RECONCILE_DELAY_MS = 30_000;
/**
 * A 3-D Secure challenge the buyer abandons keeps the payment frozen until the acquirer gives up on it
 * (issuers' windows are about 10 minutes); this long after the challenge began, Kopek asks for the outcome.
 */
export const CHALLENGE_RECONCILE_AFTER_MS = 15 * 60_000;
/** Every acquirer call is cut off after this; the outcome is then unknown and reconciled later. */
export const ACQUIRER_TIMEOUT_MS = 30_000;
export const OPEN_ATTEMPT_STATUSES: readonly CardAttemptRow['status'][] = [
  'processing',
  'challenge',
  'unknown',
];

export type CardStep =
  | { kind: 'paid' }
  | { kind: 'expired' }
  | { kind: 'challenge'; attemptId: string; triesLeft: number }
  | { kind: 'declined'; reason: DeclineReason }
  | { kind: 'pending'; attemptId: string };

async function lockPayment(trx: Transaction<Database>, paymentId: string): Promise<PaymentRow | undefined> {
  return trx.selectFrom('payments').selectAll().where('id', '=', paymentId).forUpdate().executeTakeFirst();
}

function isExpired(payment: PaymentRow, now: Date): boolean {
  return (
    payment.status === 'expired' ||
    (payment.expires_at !== null && payment.expires_at.getTime() <= now.getTime())
  );
}

/** What the buyer sees for an attempt that already exists (a reload, a double click, another tab). */
function stepOfAttempt(attempt: CardAttemptRow): CardStep {
  switch (attempt.status) {
    case 'approved':
      return { kind: 'paid' };
    case 'declined':
      return { kind: 'declined', reason: (attempt.decline_reason as DeclineReason | null) ?? 'do_not_honor' };
    case 'challenge':
      return { kind: 'challenge', attemptId: attempt.id, triesLeft: -1 };
    default:
      return { kind: 'pending', attemptId: attempt.id };
  }
}

type Opening =
  { kind: 'opened'; attemptId: string; payment: PaymentRow } | { kind: 'answered'; step: CardStep };

/**
 * The card an attempt charges: typed by the buyer now (stored in the vault when the attempt opens), or
 * a card already in the vault (a saved-card payment, a recurring charge), with the mask it was shown with.
 */
export type CardSource =
  | { readonly kind: 'entered'; readonly card: ValidCard }
  | { readonly kind: 'saved'; readonly token: string; readonly mask: string };

async function keepCard(
  trx: Transaction<Database>,
  deps: Deps,
  source: CardSource,
): Promise<{ token: string; mask: string; brand: string }> {
  if (source.kind === 'entered') {
    const { pan, expiryMonth, expiryYear, brand } = source.card;
    return storeCard(trx, deps, { pan, expiryMonth, expiryYear, brand });
  }
  const stored = await describeStoredCard(trx, source.token);
  if (!stored) throw new Error(`saved card ${source.token} is not in the vault`);
  return { token: stored.token, mask: source.mask, brand: stored.brand };
}

async function openAttempt(
  deps: Deps,
  paymentId: string,
  submissionKey: string,
  source: CardSource,
  email: string | undefined,
): Promise<Opening> {
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const payment = await lockPayment(trx, paymentId);
    if (!payment) throw new Error(`payment ${paymentId} not found`);
    if (payment.status === 'paid') return { kind: 'answered', step: { kind: 'paid' } };
    // A hold is the buyer's finished payment (the shop decides the rest); a released one takes no card.
    if (payment.status === 'held') return { kind: 'answered', step: { kind: 'paid' } };
    if (payment.status === 'released') return { kind: 'answered', step: { kind: 'expired' } };
    const attempts = await trx
      .selectFrom('card_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    const repeated = attempts.find((attempt) => attempt.submission_key === submissionKey);
    if (repeated) return { kind: 'answered', step: stepOfAttempt(repeated) };
    // An attempt in flight is finished first, even past the expiry: money may already be moving.
    const open = attempts.find((attempt) => OPEN_ATTEMPT_STATUSES.includes(attempt.status));
    if (open) return { kind: 'answered', step: stepOfAttempt(open) };
    if (isExpired(payment, now)) {
      await expirePayment(trx, deps, payment);
      return { kind: 'answered', step: { kind: 'expired' } };
    }
    // The buyer paying by card gives up a QR code or code of another method still open.
    await closeOpenMethodAttempt(trx, deps, paymentId, 'buyer_switched');
    const stored = await keepCard(trx, deps, source);
    const attemptId = createId('att');
    // The buyer's share of the fee (shops.is_buyer_fee) is fixed here, with the amount the acquirer is asked.
    const buyerFeeMinor = await fixBuyerFee(trx, deps, payment);
    const charged = { ...payment, buyer_fee_minor: buyerFeeMinor };
    await trx
      .insertInto('card_attempts')
      .values({
        id: attemptId,
        payment_id: paymentId,
        submission_key: submissionKey,
        amount_minor: chargedAmountMinor(charged),
        status: 'processing',
        card_token: stored.token,
        card_mask: stored.mask,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .updateTable('payments')
      .set({
        status: 'processing',
        email: email ?? payment.email,
        buyer_fee_minor: buyerFeeMinor,
        updated_at: now,
      })
      .where('id', '=', paymentId)
      .execute();
    // If this process dies before the acquirer's answer is recorded, this job finds the attempt later.
    await enqueueJob(trx, deps.clock, {
      queue: RECONCILE_QUEUE,
      payload: { attemptId },
      runAt: new Date(now.getTime() + ACQUIRER_TIMEOUT_MS + RECONCILE_DELAY_MS),
      maxAttempts: 30,
    });
    await recordPaymentEvent(trx, deps.clock, paymentId, 'card_submitted', {
      attemptId,
      cardMask: stored.mask,
      brand: stored.brand,
    });
    return { kind: 'opened', attemptId, payment: charged };
  });
}

async function fixBuyerFee(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
): Promise<bigint | null> {
  const shop = await findShopById(trx, payment.shop_id);
  if (!shop) throw new Error(`payment ${payment.id} has no shop`);
  return computeBuyerFee(trx, deps, payment, shop);
}

export async function payByCard(
  deps: Deps,
  acquirer: CardAcquirer,
  input: { paymentId: string; submissionKey: string; card: ValidCard; email?: string | undefined },
): Promise<CardStep> {
  return chargeCard(deps, acquirer, { ...input, source: { kind: 'entered', card: input.card } });
}

/**
 * Pays with a card already in the vault: a saved-card (CoF) payment with the CVC the buyer just typed,
 * or a merchant-initiated recurring charge without one. The number is read from the vault right before
 * the acquirer call and kept no longer.
 */
export async function payBySavedCard(
  deps: Deps,
  acquirer: CardAcquirer,
  input: {
    paymentId: string;
    submissionKey: string;
    card: { token: string; mask: string };
    cvc: string;
    initiator: 'cardholder' | 'merchant';
    email?: string | undefined;
  },
): Promise<CardStep> {
  return chargeCard(deps, acquirer, {
    ...input,
    source: { kind: 'saved', token: input.card.token, mask: input.card.mask },
  });
}

async function chargeCard(
  deps: Deps,
  acquirer: CardAcquirer,
  input: {
    paymentId: string;
    submissionKey: string;
    source: CardSource;
    cvc?: string;
    initiator?: 'cardholder' | 'merchant';
    email?: string | undefined;
  },
): Promise<CardStep> {
  let opening: Opening;
  try {
    opening = await openAttempt(deps, input.paymentId, input.submissionKey, input.source, input.email);
  } catch (error) {
    // Another submission opened an attempt between our read and our insert: that one is being charged.
    if (
      isUniqueViolation(error, 'card_attempts_one_open_key') ||
      isUniqueViolation(error, 'card_attempts_payment_id_submission_key_key')
    ) {
      return { kind: 'pending', attemptId: '' };
    }
    throw error;
  }
  if (opening.kind === 'answered') return opening.step;
  const { source } = input;
  const outcome = await askAcquirer(deps, async () =>
    acquirer.authorize({
      paymentId: input.paymentId,
      attemptId: opening.attemptId,
      amountMinor: chargedAmountMinor(opening.payment),
      currency: opening.payment.currency,
      card:
        source.kind === 'entered'
          ? source.card
          : { ...(await readCardForAcquirer(deps.db, deps, source.token)), cvc: input.cvc ?? '' },
      description: opening.payment.description,
      capture: opening.payment.is_step_by_step ? 'deferred' : 'immediate',
      ...(input.initiator ? { initiator: input.initiator } : {}),
    }),
  );
  return recordOutcome(deps, opening.attemptId, outcome);
}

/** A thrown error or a hung acquirer is an unknown outcome, never a decline: money may have moved. */
async function askAcquirer(deps: Deps, call: () => Promise<AcquirerOutcome>): Promise<AcquirerOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AcquirerOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'no_answer', reference: null }), ACQUIRER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    deps.logger.warn({ err: error }, 'card acquirer call failed; the outcome will be reconciled');
    return { kind: 'no_answer', reference: null };
  } finally {
    clearTimeout(timer);
  }
}

export async function answerChallenge(
  deps: Deps,
  acquirer: CardAcquirer,
  input: { paymentId: string; attemptId: string; answer: string },
): Promise<CardStep> {
  const attempt = await deps.db
    .selectFrom('card_attempts')
    .selectAll()
    .where('id', '=', input.attemptId)
    .where('payment_id', '=', input.paymentId)
    .executeTakeFirst();
  if (!attempt) return { kind: 'declined', reason: 'do_not_honor' };
  if (attempt.status !== 'challenge' || !attempt.acquirer_reference) return stepOfAttempt(attempt);
  const reference = attempt.acquirer_reference;
  const outcome = await askAcquirer(deps, () => acquirer.answerChallenge(reference, input.answer));
  await deps.db.transaction().execute((trx) =>
    recordPaymentEvent(trx, deps.clock, input.paymentId, 'challenge_answered', {
      attemptId: attempt.id,
      outcome: outcome.kind,
    }),
  );
  return recordOutcome(deps, attempt.id, outcome);
}

/**
 * Records what the acquirer said, in one transaction with everything it causes. alsoRecord adds the
 * caller's own rows (an operator's audit entry) to that transaction, when the attempt was still open.
 */
export async function recordOutcome(
  deps: Deps,
  attemptId: string,
  outcome: AcquirerOutcome,
  alsoRecord?: (trx: Transaction<Database>) => Promise<void>,
): Promise<CardStep> {
  return deps.db.transaction().execute(async (trx) => {
    const attempt = await trx
      .selectFrom('card_attempts')
      .selectAll()
      .where('id', '=', attemptId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const payment = await lockPayment(trx, attempt.payment_id);
    if (!payment) throw new Error(`attempt ${attemptId} has no payment`);
    // An outcome may arrive twice (a reconcile job and a late answer): only an open attempt changes.
    if (attempt.status === 'approved' || attempt.status === 'declined') return stepOfAttempt(attempt);
    await alsoRecord?.(trx);
    const now = deps.clock.now();
    const setAttempt = (status: CardAttemptRow['status'], extra: Partial<CardAttemptRow> = {}) =>
      trx
        .updateTable('card_attempts')
        .set({
          status,
          updated_at: now,
          acquirer_reference: outcome.reference ?? attempt.acquirer_reference,
          ...extra,
        })
        .where('id', '=', attemptId)
        .execute();
    const setPayment = (status: PaymentRow['status']) =>
      trx.updateTable('payments').set({ status, updated_at: now }).where('id', '=', payment.id).execute();
    switch (outcome.kind) {
      case 'approved':
        if (attempt.amount_minor !== chargedAmountMinor(payment)) {
          // Cannot happen while an open attempt keeps the payment from changing; if it does, stop loudly.
          throw new Error(
            `attempt ${attemptId} approved ${attempt.amount_minor}, the payment asks ${chargedAmountMinor(payment)}`,
          );
        }
        await setAttempt('approved');
        // StepByStep: the acquirer only reserved the amount; the shop captures it later (hold.service.ts).
        await (payment.is_step_by_step ? markPaymentHeld : markPaymentPaid)(trx, deps, payment, {
          opKey: createId('op'),
          cardMask: attempt.card_mask,
          acquirerReference: outcome.reference,
          rrn: outcome.rrn,
        });
        // Recurring=true (or a child of such a payment): the buyer agreed to later charges on this card.
        if (!payment.is_step_by_step && (payment.is_recurring || payment.previous_payment_id !== null)) {
          await saveCardForPayment(trx, deps, {
            paymentId: payment.id,
            shopId: payment.shop_id,
            cardToken: attempt.card_token,
          });
        }
        return { kind: 'paid' };
      case 'declined':
        await setAttempt('declined', { decline_reason: outcome.reason });
        await setPayment('failed');
        await recordPaymentEvent(trx, deps.clock, payment.id, 'declined', {
          attemptId,
          reason: outcome.reason,
        });
        return { kind: 'declined', reason: outcome.reason };
      case 'challenge':
        await setAttempt('challenge');
        await setPayment('awaiting_3ds');
        if (attempt.status !== 'challenge') {
          await recordPaymentEvent(trx, deps.clock, payment.id, 'challenge_requested', { attemptId });
          await enqueueJob(trx, deps.clock, {
            queue: RECONCILE_QUEUE,
            payload: { attemptId, afterChallenge: true },
            runAt: new Date(now.getTime() + CHALLENGE_RECONCILE_AFTER_MS),
          });
        }
        return { kind: 'challenge', attemptId, triesLeft: outcome.triesLeft };
      case 'no_answer':
        await setAttempt('unknown');
        await setPayment('processing');
        // The reconcile job enqueued with the attempt will ask the acquirer again.
        await recordPaymentEvent(trx, deps.clock, payment.id, 'acquirer_no_answer', { attemptId });
        return { kind: 'pending', attemptId };
      default:
        throw new Error(`unknown acquirer outcome ${JSON.stringify(outcome satisfies never)}`);
    }
  });
}

async function expirePayment(trx: Transaction<Database>, deps: Deps, payment: PaymentRow): Promise<void> {
  if (payment.status === 'expired') return;
  await trx
    .updateTable('payments')
    .set({ status: 'expired', updated_at: deps.clock.now() })
    .where('id', '=', payment.id)
    .execute();
  await recordPaymentEvent(trx, deps.clock, payment.id, 'expired');
}

/**
 * The reconcile job: asks the acquirer again about an attempt whose outcome is unknown. The job that
 * follows a challenge (afterChallenge) also asks about a challenge still unanswered: by then the acquirer
 * has declined it, and the payment is free for another card.
 */
export function createReconcileHandler(deps: Deps, acquirer: CardAcquirer) {
  return async (payload: unknown): Promise<void> => {
    const { attemptId, afterChallenge } = payload as { attemptId?: unknown; afterChallenge?: unknown };
    if (typeof attemptId !== 'string') throw new Error('reconcile job without attemptId');
    const attempt = await deps.db
      .selectFrom('card_attempts')
      .selectAll()
      .where('id', '=', attemptId)
      .executeTakeFirst();
    const reconcilable: readonly CardAttemptRow['status'][] =
      afterChallenge === true ? OPEN_ATTEMPT_STATUSES : ['unknown', 'processing'];
    // Settled, or (before the challenge deadline) waiting for the cardholder's code: nothing to do.
    if (!attempt || !reconcilable.includes(attempt.status)) return;
    if (!attempt.acquirer_reference) {
      // No reference: the answer was lost, or this process died before recording it. A lost answer may
      // still have charged the card, so the attempt is never declined on a guess: it stays open for the
      // operator to check with the acquirer.
      if (attempt.status === 'processing')
        await recordOutcome(deps, attemptId, { kind: 'no_answer', reference: null });
      throw new Error(
        `attempt ${attemptId} has no acquirer reference: an operator must check it with the acquirer`,
      );
    }
    const outcome = await askAcquirer(deps, () => acquirer.fetchStatus(attempt.acquirer_reference ?? ''));
    // Still unknown or still waiting for the code: the job queue asks again later, with backoff.
    if (outcome.kind === 'no_answer' || outcome.kind === 'challenge')
      throw new Error(`acquirer has no final answer yet for ${attempt.acquirer_reference}`);
    await recordOutcome(deps, attemptId, outcome);
  };
}

/** Used by the checkout page to decide what to show for a payment in flight. */
export async function findOpenAttempt(deps: Deps, paymentId: string): Promise<CardAttemptRow | undefined> {
  return deps.db
    .selectFrom('card_attempts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .where('status', 'in', [...OPEN_ATTEMPT_STATUSES])
    .executeTakeFirst();
}
