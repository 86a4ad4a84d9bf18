/**
 * Card attempts whose outcome Kopek could not learn on its own: the acquirer's answer was lost and the
 * reconcile job gave up, or there is no acquirer reference to ask about. Money may have moved, so such
 * an attempt is never declined on a guess; it keeps its payment frozen until an operator checks with the
 * acquirer and records what happened there. The operator may first ask the acquirer again (a recheck);
 * a manual decision needs the acquirer's reference or a note and is written to the audit log.
 */
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { defineErrors } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';
import type { AcquirerOutcome, CardAcquirer } from '../methods/index.js';
import { ACQUIRER_TIMEOUT_MS, recordOutcome } from './card-payment.service.js';

/** An attempt open longer than this has outlived its reconcile job's first tries and needs a person. */
export const REVIEW_AFTER_MS = 10 * 60_000;

export const attemptReviewErrors = defineErrors({
  attemptNotFound: {
    status: 404,
    ru: 'Попытка оплаты не найдена.',
    en: 'The card attempt was not found.',
  },
  attemptSettled: {
    status: 409,
    ru: 'Исход этой попытки уже известен: {status}.',
    en: 'The outcome of this attempt is already known: {status}.',
  },
  attemptInFlight: {
    status: 409,
    ru: 'Эквайер ещё может ответить на эту попытку. Подождите несколько минут.',
    en: 'The acquirer may still answer this attempt. Wait a few minutes.',
  },
  noReference: {
    status: 409,
    ru: 'У попытки нет номера операции эквайера: спросить эквайера автоматически нельзя. Найдите операцию у эквайера по сумме, карте и времени и запишите решение.',
    en: 'The attempt has no acquirer reference, so the acquirer cannot be asked automatically. Find the operation at the acquirer by amount, card and time, and record the decision.',
  },
  stillUnknown: {
    status: 409,
    ru: 'Эквайер по-прежнему не сообщает окончательный исход.',
    en: 'The acquirer still gives no final outcome.',
  },
});

export interface AttemptForReview {
  readonly attemptId: string;
  readonly status: string;
  readonly paymentId: string;
  readonly invId: string;
  readonly shopName: string;
  readonly merchantLogin: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly cardMask: string;
  readonly acquirerReference: string | null;
  readonly createdAt: string;
}

/** Open attempts older than REVIEW_AFTER_MS, oldest first; 3-D Secure challenges have their own timeout. */
export async function listAttemptsForReview(deps: Deps): Promise<AttemptForReview[]> {
  const before = new Date(deps.clock.now().getTime() - REVIEW_AFTER_MS);
  const rows = await deps.db
    .selectFrom('card_attempts')
    .innerJoin('payments', 'payments.id', 'card_attempts.payment_id')
    .innerJoin('shops', 'shops.id', 'payments.shop_id')
    .select([
      'card_attempts.id',
      'card_attempts.status',
      'card_attempts.payment_id',
      'card_attempts.amount_minor',
      'card_attempts.card_mask',
      'card_attempts.acquirer_reference',
      'card_attempts.created_at',
      'payments.inv_id',
      'payments.currency',
      'shops.name as shop_name',
      'shops.merchant_login',
    ])
    .where('card_attempts.status', 'in', ['unknown', 'processing'])
    .where('card_attempts.created_at', '<', before)
    .orderBy('card_attempts.created_at')
    .limit(200)
    .execute();
  return rows.map((row) => ({
    attemptId: row.id,
    status: row.status,
    paymentId: row.payment_id,
    invId: String(row.inv_id),
    shopName: row.shop_name,
    merchantLogin: row.merchant_login,
    amountMinor: String(row.amount_minor),
    currency: row.currency,
    cardMask: row.card_mask,
    acquirerReference: row.acquirer_reference,
    createdAt: row.created_at.toISOString(),
  }));
}

async function loadOpenAttempt(deps: Deps, attemptId: string) {
  const attempt = await deps.db
    .selectFrom('card_attempts')
    .innerJoin('payments', 'payments.id', 'card_attempts.payment_id')
    .selectAll('card_attempts')
    .select('payments.account_id')
    .where('card_attempts.id', '=', attemptId)
    .executeTakeFirst();
  if (!attempt) throw attemptReviewErrors.attemptNotFound();
  if (attempt.status === 'approved' || attempt.status === 'declined')
    throw attemptReviewErrors.attemptSettled({ status: attempt.status });
  const ageMs = deps.clock.now().getTime() - attempt.created_at.getTime();
  // The live call (or its first reconcile) may still record an answer: a decision now could contradict it.
  if (ageMs < ACQUIRER_TIMEOUT_MS * 2) throw attemptReviewErrors.attemptInFlight();
  return attempt;
}

/** Asks the acquirer once more and records a final answer; anything else leaves the attempt as it was. */
export async function recheckAttempt(
  deps: Deps,
  acquirer: CardAcquirer,
  attemptId: string,
): Promise<{ status: string }> {
  const attempt = await loadOpenAttempt(deps, attemptId);
  if (!attempt.acquirer_reference) throw attemptReviewErrors.noReference();
  const outcome = await acquirer.fetchStatus(attempt.acquirer_reference);
  if (outcome.kind !== 'approved' && outcome.kind !== 'declined') throw attemptReviewErrors.stillUnknown();
  await recordOutcome(deps, attemptId, outcome);
  return { status: outcome.kind };
}

export interface OperatorDecision {
  readonly outcome: 'approved' | 'declined';
  /** The acquirer's reference or RRN for the operation, or what the operator found: required. */
  readonly note: string;
  readonly operatorUserId: string;
  readonly ip: string;
}

/** Records what the operator found at the acquirer: the attempt is approved (the payment is paid) or declined. */
export async function resolveAttempt(
  deps: Deps,
  attemptId: string,
  decision: OperatorDecision,
): Promise<{ status: string }> {
  const attempt = await loadOpenAttempt(deps, attemptId);
  const reference = attempt.acquirer_reference ?? `manual:${attemptId}`;
  const outcome: AcquirerOutcome =
    decision.outcome === 'approved'
      ? { kind: 'approved', reference, rrn: decision.note.slice(0, 64), approvalCode: 'manual' }
      : { kind: 'declined', reference, reason: 'do_not_honor' };
  let isRecorded = false;
  await recordOutcome(deps, attemptId, outcome, async (trx) => {
    isRecorded = true;
    await recordAudit(trx, deps.clock, {
      accountId: attempt.account_id,
      actorUserId: decision.operatorUserId,
      action:
        decision.outcome === 'approved'
          ? 'card_attempt.approved_by_operator'
          : 'card_attempt.declined_by_operator',
      target: attemptId,
      details: { paymentId: attempt.payment_id, note: decision.note },
      ip: decision.ip,
    });
  });
  // The acquirer's own answer was recorded first (a reconcile job): that one stands.
  if (!isRecorded) throw attemptReviewErrors.attemptSettled({ status: 'settled' });
  return { status: decision.outcome };
}

/** How many attempts wait for a person: for the operator's dashboard and metrics. */
export async function countAttemptsForReview(deps: Deps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - REVIEW_AFTER_MS);
  const row = await deps.db
    .selectFrom('card_attempts')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('status', 'in', ['unknown', 'processing'])
    .where('created_at', '<', before)
    .executeTakeFirstOrThrow();
  return row.count;
}
