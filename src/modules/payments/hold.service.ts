/**
 * Holds (Robokassa's StepByStep, reference §6) after the card was authorized: the shop captures all or
 * part of the amount (Confirm) or releases it (Cancel), and a hold nobody confirms is released after
 * KOPEK_HOLD_RELEASE_DAYS (releaseExpiredHolds, a periodic worker task on the injected clock).
 *
 * Each step follows the rule for external calls: transaction 1 locks the payment, then its hold row,
 * checks the hold is still 'held' and records the intent ('capturing' / 'releasing') with a reconcile job;
 * commit; the acquirer is called outside any transaction; transaction 2 locks both again and records the
 * outcome with its money and notifications (hold.records.ts). Two requests racing for one hold (two
 * Confirms, a Confirm and a Cancel, a Cancel and the expiry) are serialised by the payment's lock: the
 * first moves the hold out of 'held', and the other finds it gone and is refused. Confirm is allowed
 * once, as Robokassa says.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { enqueueJob } from '../../platform/jobs.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, PaymentRow } from '../../schema.js';
import type { CaptureOutcome, CardAcquirer, VoidOutcome } from '../methods/index.js';
import { callAcquirer } from './acquirer-call.js';
import { ACQUIRER_TIMEOUT_MS } from './card-payment.service.js';
import { lockHold, recordHoldCaptured, recordHoldReleased } from './hold.records.js';
import {
  withHoldTables,
  withHoldTablesInTransaction,
  type HoldReleaseReason,
  type HoldRow,
} from './hold.tables.js';
import { recordPaymentEvent } from './payment.events.js';

export const HOLD_RECONCILE_QUEUE = 'payments.reconcile-hold';
/** How often a worker looks for holds to release. */
export const HOLD_EXPIRY_INTERVAL_MS = 5 * 60_000;
export const HOLD_EXPIRY_BATCH_SIZE = 100;
const RECONCILE_DELAY_MS = ACQUIRER_TIMEOUT_MS + 30_000;

/** The hold a shop names in Confirm / Cancel: its InvoiceID, live or test by the password that signed. */
export interface HoldTarget {
  readonly shopId: string;
  readonly invId: bigint;
  readonly isTest: boolean;
}

export interface CaptureRequestInput {
  readonly amountMinor: bigint;
  /** OutSum as the shop sent it: the ResultURL after the capture is signed over it. */
  readonly outSumText: string;
  readonly receipt?: string | undefined;
}

export type HoldRefusal =
  'operation_not_found' | 'not_held' | 'hold_expired' | 'amount_exceeds_hold' | 'acquirer_refused';

/** 'pending': recorded and sent, the acquirer has not answered yet; the reconcile job finishes it. */
export type HoldActionOutcome =
  { kind: 'done' } | { kind: 'pending' } | { kind: 'refused'; reason: HoldRefusal };

/** The acquirer contradicts Kopek's books (a capture of another amount, a void after a capture). */
export class HoldNeedsOperatorError extends Error {
  override readonly name = 'HoldNeedsOperatorError';
}

type Begun = { kind: 'begun'; payment: PaymentRow; hold: HoldRow } | { kind: 'refused'; reason: HoldRefusal };
type PaymentLocator = (trx: Transaction<Database>) => Promise<PaymentRow | undefined>;

/** The newest StepByStep payment with this InvoiceID (test InvIds may repeat), locked. */
function byInvoiceId(target: HoldTarget): PaymentLocator {
  return (trx) =>
    trx
      .selectFrom('payments')
      .selectAll()
      .where('shop_id', '=', target.shopId)
      .where('inv_id', '=', target.invId)
      .where('is_test', '=', target.isTest)
      .where('is_step_by_step', '=', true)
      .orderBy('created_at', 'desc')
      .limit(1)
      .forNoKeyUpdate()
      .executeTakeFirst();
}

function byPaymentId(paymentId: string): PaymentLocator {
  return (trx) =>
    trx.selectFrom('payments').selectAll().where('id', '=', paymentId).forNoKeyUpdate().executeTakeFirst();
}

/**
 * Locks the payment, then its hold, and checks the hold is still 'held'. A hold past its release time
 * can still be released, never captured: the automatic release may be under way.
 */
async function lockHeldPayment(
  trx: Transaction<Database>,
  deps: Deps,
  locate: PaymentLocator,
  step: 'capture' | 'release',
): Promise<Begun> {
  const payment = await locate(trx);
  if (!payment) return { kind: 'refused', reason: 'operation_not_found' };
  const hold = await lockHold(trx, payment.id);
  if (!hold || hold.status !== 'held') return { kind: 'refused', reason: 'not_held' };
  const hasExpired = hold.expires_at.getTime() <= deps.clock.now().getTime();
  if (step === 'capture' && hasExpired) return { kind: 'refused', reason: 'hold_expired' };
  return { kind: 'begun', payment, hold };
}

async function enqueueHoldReconcile(
  trx: Transaction<Database>,
  deps: Deps,
  paymentId: string,
): Promise<void> {
  // If this process dies before the acquirer's answer is recorded, this job finishes the step.
  await enqueueJob(trx, deps.clock, {
    queue: HOLD_RECONCILE_QUEUE,
    payload: { paymentId },
    runAt: new Date(deps.clock.now().getTime() + RECONCILE_DELAY_MS),
    maxAttempts: 30,
  });
}

async function beginCapture(deps: Deps, target: HoldTarget, request: CaptureRequestInput): Promise<Begun> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockHeldPayment(trx, deps, byInvoiceId(target), 'capture');
    if (locked.kind === 'refused') return locked;
    const { payment, hold } = locked;
    if (request.amountMinor <= 0n || request.amountMinor > hold.amount_minor)
      return { kind: 'refused', reason: 'amount_exceeds_hold' };
    const capturing = await withHoldTablesInTransaction(trx)
      .updateTable('payment_holds')
      .set({
        status: 'capturing',
        capture_amount_minor: request.amountMinor,
        capture_out_sum_text: request.outSumText,
        capture_receipt: request.receipt ?? null,
        updated_at: deps.clock.now(),
      })
      .where('payment_id', '=', payment.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordPaymentEvent(trx, deps.clock, payment.id, 'hold_capture_requested', {
      amount: formatMinor(request.amountMinor, payment.currency),
      currency: payment.currency,
    });
    await enqueueHoldReconcile(trx, deps, payment.id);
    return { kind: 'begun', payment, hold: capturing };
  });
}

async function beginRelease(deps: Deps, locate: PaymentLocator, reason: HoldReleaseReason): Promise<Begun> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockHeldPayment(trx, deps, locate, 'release');
    if (locked.kind === 'refused') return locked;
    const { payment } = locked;
    const releasing = await withHoldTablesInTransaction(trx)
      .updateTable('payment_holds')
      .set({ status: 'releasing', release_reason: reason, updated_at: deps.clock.now() })
      .where('payment_id', '=', payment.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordPaymentEvent(trx, deps.clock, payment.id, 'hold_release_requested', { reason });
    await enqueueHoldReconcile(trx, deps, payment.id);
    return { kind: 'begun', payment, hold: releasing };
  });
}

type Finish<T> = (
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  hold: HoldRow,
  outcome: T,
) => Promise<HoldActionOutcome>;

/**
 * Transaction 2 of a step: locks the payment and the hold again and records the acquirer's outcome,
 * unless another run (the reconcile job, a late answer) recorded it first.
 */
async function finishStep<T>(
  deps: Deps,
  paymentId: string,
  awaited: 'capturing' | 'releasing',
  outcome: T,
  finish: Finish<T>,
): Promise<HoldActionOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const payment = await byPaymentId(paymentId)(trx);
    const hold = payment && (await lockHold(trx, payment.id));
    if (!payment || !hold) throw new Error(`hold of payment ${paymentId} went missing`);
    if (hold.status !== awaited) {
      const isDone = hold.status === (awaited === 'capturing' ? 'captured' : 'released');
      return isDone ? { kind: 'done' } : { kind: 'refused', reason: 'not_held' };
    }
    return finish(trx, deps, payment, hold, outcome);
  });
}

const finishCapture: Finish<CaptureOutcome> = async (trx, deps, payment, hold, outcome) => {
  switch (outcome.kind) {
    case 'captured':
      if (outcome.amountMinor !== hold.capture_amount_minor)
        throw new HoldNeedsOperatorError(
          `acquirer captured ${outcome.amountMinor} of payment ${payment.id}, Kopek asked ${hold.capture_amount_minor}`,
        );
      await recordHoldCaptured(trx, deps, payment, hold, outcome.amountMinor);
      return { kind: 'done' };
    case 'refused':
      if (outcome.reason === 'already_captured')
        throw new HoldNeedsOperatorError(`acquirer says payment ${payment.id} was captured already`);
      await recordPaymentEvent(trx, deps.clock, payment.id, 'hold_capture_refused', {
        reason: outcome.reason,
      });
      if (outcome.reason === 'amount_exceeds_authorization') await reopenHold(trx, deps, payment);
      // The authorization is gone at the acquirer (voided, expired): nothing is reserved any more.
      else await recordHoldReleased(trx, deps, payment, hold, 'acquirer');
      return { kind: 'refused', reason: 'acquirer_refused' };
    case 'no_answer':
      return { kind: 'pending' };
  }
};

/** The acquirer refused the capture but still holds the money: the hold is 'held' again. */
async function reopenHold(trx: Transaction<Database>, deps: Deps, payment: PaymentRow): Promise<void> {
  await withHoldTablesInTransaction(trx)
    .updateTable('payment_holds')
    .set({
      status: 'held',
      capture_amount_minor: null,
      capture_out_sum_text: null,
      capture_receipt: null,
      updated_at: deps.clock.now(),
    })
    .where('payment_id', '=', payment.id)
    .execute();
}

const finishRelease: Finish<VoidOutcome> = async (trx, deps, payment, hold, outcome) => {
  const reason = hold.release_reason ?? 'cancelled';
  switch (outcome.kind) {
    case 'voided':
      await recordHoldReleased(trx, deps, payment, hold, reason);
      return { kind: 'done' };
    case 'refused':
      if (outcome.reason === 'already_captured')
        throw new HoldNeedsOperatorError(`acquirer says payment ${payment.id} was captured, not released`);
      // Nothing to void at the acquirer (unknown or already voided): the money is not reserved either.
      await recordHoldReleased(trx, deps, payment, hold, reason);
      return { kind: 'done' };
    case 'no_answer':
      return { kind: 'pending' };
  }
};

function captureOf(acquirer: CardAcquirer, hold: HoldRow) {
  const amountMinor = hold.capture_amount_minor ?? 0n;
  return () =>
    acquirer.capture({
      reference: hold.acquirer_reference,
      amountMinor,
      idempotencyKey: `hold:${hold.payment_id}:capture:${amountMinor}`,
    });
}

/** Confirm: captures `amountMinor` (at most the held amount) of the shop's hold. */
export async function confirmHold(
  deps: Deps,
  acquirer: CardAcquirer,
  target: HoldTarget,
  request: CaptureRequestInput,
): Promise<HoldActionOutcome> {
  const begun = await beginCapture(deps, target, request);
  if (begun.kind === 'refused') return begun;
  const noAnswer: CaptureOutcome = { kind: 'no_answer', reference: begun.hold.acquirer_reference };
  const outcome = await callAcquirer(deps, captureOf(acquirer, begun.hold), noAnswer);
  return finishStep(deps, begun.payment.id, 'capturing', outcome, finishCapture);
}

async function releaseHold(
  deps: Deps,
  acquirer: CardAcquirer,
  locate: PaymentLocator,
  reason: HoldReleaseReason,
): Promise<HoldActionOutcome> {
  const begun = await beginRelease(deps, locate, reason);
  if (begun.kind === 'refused') return begun;
  const reference = begun.hold.acquirer_reference;
  const outcome = await callAcquirer<VoidOutcome>(deps, () => acquirer.voidAuthorization(reference), {
    kind: 'no_answer',
    reference,
  });
  return finishStep(deps, begun.payment.id, 'releasing', outcome, finishRelease);
}

/** Cancel: the shop gives the reserved amount back to the buyer. */
export async function cancelHold(
  deps: Deps,
  acquirer: CardAcquirer,
  target: HoldTarget,
): Promise<HoldActionOutcome> {
  return releaseHold(deps, acquirer, byInvoiceId(target), 'cancelled');
}

export interface HoldExpiryRunResult {
  readonly examined: number;
  readonly released: number;
  readonly failed: number;
}

/**
 * Releases every hold past its release time (up to one batch, oldest first). Safe on several worker
 * nodes at once: each release locks its payment and finds the hold no longer 'held' if another did it.
 */
export async function releaseExpiredHolds(deps: Deps, acquirer: CardAcquirer): Promise<HoldExpiryRunResult> {
  const due = await withHoldTables(deps.db)
    .selectFrom('payment_holds')
    .select('payment_id')
    .where('status', '=', 'held')
    .where('expires_at', '<=', deps.clock.now())
    .orderBy('expires_at')
    .limit(HOLD_EXPIRY_BATCH_SIZE)
    .execute();
  let released = 0;
  let failed = 0;
  for (const { payment_id: paymentId } of due) {
    try {
      const outcome = await releaseHold(deps, acquirer, byPaymentId(paymentId), 'expired');
      if (outcome.kind !== 'refused') released += 1;
    } catch (error) {
      failed += 1;
      deps.logger.error({ err: error, paymentId }, 'automatic release of a hold failed');
    }
  }
  return { examined: due.length, released, failed };
}

/**
 * The reconcile job of a hold step: if the step is still open ('capturing' / 'releasing') the acquirer is
 * asked again, with the same capture key, so a capture whose answer was lost is never taken twice.
 * Throwing (no answer yet, or a contradiction for the operator) makes the queue retry with backoff.
 */
export function createHoldReconcileHandler(deps: Deps, acquirer: CardAcquirer) {
  return async (payload: unknown): Promise<void> => {
    const paymentId = (payload as { paymentId?: unknown } | null)?.paymentId;
    if (typeof paymentId !== 'string') throw new Error('hold reconcile job without paymentId');
    const hold = await withHoldTables(deps.db)
      .selectFrom('payment_holds')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirst();
    if (!hold || (hold.status !== 'capturing' && hold.status !== 'releasing')) return;
    const reference = hold.acquirer_reference;
    const outcome =
      hold.status === 'capturing'
        ? await finishStep(
            deps,
            paymentId,
            'capturing',
            await callAcquirer<CaptureOutcome>(deps, captureOf(acquirer, hold), {
              kind: 'no_answer',
              reference,
            }),
            finishCapture,
          )
        : await finishStep(
            deps,
            paymentId,
            'releasing',
            await callAcquirer<VoidOutcome>(deps, () => acquirer.voidAuthorization(reference), {
              kind: 'no_answer',
              reference,
            }),
            finishRelease,
          );
    if (outcome.kind === 'pending') throw new Error(`acquirer has no answer yet for hold ${paymentId}`);
  };
}
