/**
 * Paying with a method other than a card (SBP, wallets, internet banks, cash terminals, mobile apps,
 * phone balance): the buyer's attempt and what the method's provider says about it.
 *
 * - Start: the attempt is recorded ('starting') and committed, the provider is called outside any
 *   transaction, and its answer is recorded ('pending' with the instructions the buyer follows, or
 *   'declined' with the reason). One attempt is open per payment; choosing another method closes it.
 * - Callbacks (method-callback.ts): each authenticated event is recorded once (provider_callbacks) and
 *   applied under the payment's row lock: 'paid' pays the payment through the same path as a card
 *   (markPaymentPaid: ledger transfer, ResultURL, e-mails, receipt), a part payment raises what was
 *   received, a decline or expiry closes the attempt and the buyer may try again. A provider status we do
 *   not know is recorded and changes nothing.
 * - Expiry: a pending attempt past its time (the QR's 10 minutes, the terminal code's 72 hours...) is
 *   closed by a periodic sweep, judged by the injected clock.
 */
import type { Selectable, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { createId } from '../../platform/ids.js';
import type { Database, MethodAttemptsTable, PaymentRow } from '../../schema.js';
import {
  findProviderForKind,
  isMethodEnabled,
  isProviderEnabled,
  methodAmountProblem,
  type MethodEvent,
  type MethodInstructions,
  type MethodProvider,
  type MethodRefusalReason,
  type MethodStartOutcome,
  type PaymentMethodMatch,
} from '../methods/index.js';
import { findShopById } from '../shops/index.js';
import { chargedAmountMinor, computeBuyerFee } from './buyer-fee.js';
import { markPaymentPaid } from './payment-completion.js';
import { recordPaymentEvent } from './payment.events.js';
import { holdUnappliedMoney, releaseUnappliedMoney } from './unapplied-money.js';

export type MethodAttemptRow = Selectable<MethodAttemptsTable>;

/** Why the buyer cannot use the method for this payment now. */
export type MethodStartRefusal =
  MethodRefusalReason | 'method_disabled' | 'currency' | 'below_minimum' | 'above_maximum' | 'payment_closed';

export type MethodStartResult =
  | { readonly kind: 'pending'; readonly attempt: MethodAttemptRow }
  | { readonly kind: 'paid' }
  | { readonly kind: 'refused'; readonly reason: MethodStartRefusal; readonly field?: string };

/** Statuses in which the payment takes no new attempt of any method. */
const CLOSED_PAYMENT_STATUSES: readonly PaymentRow['status'][] = [
  'paid',
  'held',
  'released',
  'expired',
  'processing',
  'awaiting_3ds',
];

const OPEN_STATUSES = ['starting', 'pending'] as const;

async function lockPayment(trx: Transaction<Database>, paymentId: string): Promise<PaymentRow | undefined> {
  return trx.selectFrom('payments').selectAll().where('id', '=', paymentId).forUpdate().executeTakeFirst();
}

/** The payment's open attempt of a non-card method, if any. */
export async function findOpenMethodAttempt(
  db: Deps['db'] | Transaction<Database>,
  paymentId: string,
): Promise<MethodAttemptRow | undefined> {
  return db
    .selectFrom('method_attempts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .where('status', 'in', [...OPEN_STATUSES])
    .executeTakeFirst();
}

/** The payment's latest attempt of a non-card method (open or finished), for the checkout page. */
export async function findLatestMethodAttempt(
  db: Deps['db'],
  paymentId: string,
): Promise<MethodAttemptRow | undefined> {
  return db
    .selectFrom('method_attempts')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** The instructions the provider gave for a pending attempt (what checkout shows). */
export function instructionsOf(attempt: MethodAttemptRow): MethodInstructions | undefined {
  const instructions = attempt.details.instructions;
  return instructions && typeof instructions === 'object' ? (instructions as MethodInstructions) : undefined;
}

/**
 * Closes the payment's open attempt on our side (the buyer chose another method or a card). The
 * provider's operation may still complete: a late 'paid' for it is still money received (applyEvent).
 */
export async function closeOpenMethodAttempt(
  trx: Transaction<Database>,
  deps: Deps,
  paymentId: string,
  reason: 'buyer_switched' | 'buyer_cancelled',
): Promise<void> {
  const open = await findOpenMethodAttempt(trx, paymentId);
  if (!open) return;
  await finishAttempt(trx, deps, open, 'declined', reason);
}

/** Starts (or, on a reload or double click, returns) the buyer's attempt with `method`. */
export async function startMethodAttempt(
  deps: Deps,
  input: {
    readonly paymentId: string;
    readonly method: PaymentMethodMatch;
    readonly buyerInput: Readonly<Record<string, string>>;
    readonly returnUrl: string;
  },
): Promise<MethodStartResult> {
  const provider = findProviderForKind(deps.providers.methodProviders, input.method.item.kind);
  if (!provider) return { kind: 'refused', reason: 'provider_unavailable' };
  const opened = await openAttempt(deps, provider, input.paymentId, input.method);
  if (opened.kind !== 'opened') return opened;
  const { attempt, payment } = opened;
  const outcome: MethodStartOutcome = await provider
    .start({
      attemptId: attempt.id,
      paymentId: payment.id,
      method: input.method.item,
      amountMinor: attempt.amount_minor,
      currency: payment.currency,
      description: payment.description,
      returnUrl: input.returnUrl,
      buyerInput: input.buyerInput,
      expiresAt: attempt.expires_at,
    })
    .catch((error: unknown) => {
      deps.logger.warn({ err: error, attemptId: attempt.id, provider: provider.name }, 'method start failed');
      return { kind: 'refused', reason: 'provider_unavailable' };
    });
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockAttempt(trx, attempt.id);
    if (current.status !== 'starting') return { kind: 'pending', attempt: current };
    if (outcome.kind === 'refused') {
      await finishAttempt(trx, deps, current, 'declined', outcome.reason);
      return { kind: 'refused', reason: outcome.reason, ...(outcome.field ? { field: outcome.field } : {}) };
    }
    const started = await trx
      .updateTable('method_attempts')
      .set({
        status: 'pending',
        provider_reference: outcome.reference,
        details: JSON.stringify({
          ...current.details,
          ...outcome.details,
          instructions: outcome.instructions,
        }),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', attempt.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordPaymentEvent(trx, deps.clock, payment.id, 'method_started', {
      attemptId: attempt.id,
      method: input.method.item.label,
      provider: provider.name,
      reference: outcome.reference,
    });
    return { kind: 'pending', attempt: started };
  });
}

type Opening =
  | { kind: 'opened'; attempt: MethodAttemptRow; payment: PaymentRow }
  | Exclude<MethodStartResult, { kind: 'pending' }>
  | { kind: 'pending'; attempt: MethodAttemptRow };

async function openAttempt(
  deps: Deps,
  provider: MethodProvider,
  paymentId: string,
  method: PaymentMethodMatch,
): Promise<Opening> {
  return deps.db.transaction().execute(async (trx): Promise<Opening> => {
    const now = deps.clock.now();
    const payment = await lockPayment(trx, paymentId);
    if (!payment) throw new Error(`payment ${paymentId} not found`);
    if (payment.status === 'paid') return { kind: 'paid' };
    const isPastExpiry = payment.expires_at !== null && payment.expires_at.getTime() <= now.getTime();
    if (CLOSED_PAYMENT_STATUSES.includes(payment.status) || isPastExpiry)
      return { kind: 'refused', reason: 'payment_closed' };
    const open = await findOpenMethodAttempt(trx, paymentId);
    const isStale = open !== undefined && isStaleStart(open, now);
    if (open && !isStale && open.method_label === method.item.label)
      return { kind: 'pending', attempt: open };
    const shop = await findShopById(trx, payment.shop_id);
    if (!shop) throw new Error(`payment ${paymentId} has no shop`);
    // Refused before the open attempt is touched: a start that cannot happen leaves the buyer's QR or
    // code as it was. A provider the operator switched off takes no new attempt.
    if (!(await isProviderEnabled(trx, provider.name)))
      return { kind: 'refused', reason: 'provider_unavailable' };
    if (!(await isMethodEnabled(trx, shop.id, method.item.label)))
      return { kind: 'refused', reason: 'method_disabled' };
    const buyerFeeMinor = await computeBuyerFee(trx, deps, payment, shop, method.group.code);
    const amountMinor = chargedAmountMinor({ ...payment, buyer_fee_minor: buyerFeeMinor });
    const amountProblem = methodAmountProblem(method.item, amountMinor, payment.currency);
    if (amountProblem) return { kind: 'refused', reason: amountProblem };
    if (open)
      await finishAttempt(trx, deps, open, 'declined', isStale ? 'start_interrupted' : 'buyer_switched');
    const ttlMinutes =
      deps.config.methodAttemptTtlMinutes[
        method.item.kind as keyof Deps['config']['methodAttemptTtlMinutes']
      ];
    const attempt = await trx
      .insertInto('method_attempts')
      .values({
        id: createId('mat'),
        payment_id: paymentId,
        method_label: method.item.label,
        kind: method.item.kind,
        provider: provider.name,
        status: 'starting',
        amount_minor: amountMinor,
        details: JSON.stringify({ groupCode: method.group.code }),
        expires_at: new Date(now.getTime() + ttlMinutes * 60_000),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The buyer's share of the fee is fixed with the amount the provider is asked, as for a card.
    await trx
      .updateTable('payments')
      .set({ buyer_fee_minor: buyerFeeMinor, updated_at: now })
      .where('id', '=', paymentId)
      .execute();
    return { kind: 'opened', attempt, payment: { ...payment, buyer_fee_minor: buyerFeeMinor } };
  });
}

/**
 * An attempt left 'starting' for long: the process died between recording it and the provider's answer.
 * The buyer never saw instructions, so nothing can have been paid with it; it is closed so that the
 * payment can take a new attempt (the one-open-attempt index would refuse it otherwise).
 */
const STALE_START_MS = 60_000;

function isStaleStart(attempt: MethodAttemptRow, now: Date): boolean {
  return attempt.status === 'starting' && now.getTime() - attempt.created_at.getTime() > STALE_START_MS;
}

async function lockAttempt(trx: Transaction<Database>, attemptId: string): Promise<MethodAttemptRow> {
  return trx
    .selectFrom('method_attempts')
    .selectAll()
    .where('id', '=', attemptId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

async function finishAttempt(
  trx: Transaction<Database>,
  deps: Deps,
  attempt: MethodAttemptRow,
  status: 'declined' | 'expired',
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  await trx
    .updateTable('method_attempts')
    .set({ status, decline_reason: reason, updated_at: now, finished_at: now })
    .where('id', '=', attempt.id)
    .execute();
  await recordPaymentEvent(
    trx,
    deps.clock,
    attempt.payment_id,
    status === 'expired' ? 'method_expired' : 'method_declined',
    {
      attemptId: attempt.id,
      method: attempt.method_label,
      reason,
      ...(attempt.received_minor > 0n ? { keptMinor: String(attempt.received_minor) } : {}),
    },
  );
  if (attempt.received_minor > 0n) {
    const payment = await trx
      .selectFrom('payments')
      .select(['id', 'currency', 'is_test'])
      .where('id', '=', attempt.payment_id)
      .executeTakeFirstOrThrow();
    await holdUnappliedMoney(trx, deps, {
      payment,
      attemptId: attempt.id,
      amountMinor: attempt.received_minor,
      reason: 'left_on_closed_attempt',
    });
  }
}

/** What applying one provider event did, recorded with the callback (the integration debugger shows it). */
export type EventOutcome =
  | 'paid'
  | 'paid_late'
  | 'paid_twice'
  | 'partially_paid'
  | 'declined'
  | 'expired'
  | 'pending'
  | 'unknown_status'
  | 'already_applied'
  | 'unknown_reference';

/**
 * Applies one authenticated provider event under the attempt's and the payment's row locks. Money that
 * arrived always counts: a 'paid' for an attempt we already closed (expired, or the buyer switched)
 * still pays the payment if nothing else did, and is recorded as 'paid_twice' for the operator to
 * refund if the payment was paid another way meanwhile.
 */
export async function applyMethodEvent(
  trx: Transaction<Database>,
  deps: Deps,
  provider: MethodProvider,
  event: MethodEvent,
): Promise<{ outcome: EventOutcome; attemptId?: string }> {
  const found = await trx
    .selectFrom('method_attempts')
    .select('id')
    .where('provider', '=', provider.name)
    .where('provider_reference', '=', event.reference)
    .executeTakeFirst();
  if (!found) return { outcome: 'unknown_reference' };
  // The payment first, then the attempt: the same order as every other path that locks both.
  const attemptPaymentId = (
    await trx
      .selectFrom('method_attempts')
      .select('payment_id')
      .where('id', '=', found.id)
      .executeTakeFirstOrThrow()
  ).payment_id;
  const payment = await lockPayment(trx, attemptPaymentId);
  if (!payment) throw new Error(`attempt ${found.id} has no payment`);
  const attempt = await lockAttempt(trx, found.id);
  const outcome = await applyToAttempt(trx, deps, provider, payment, attempt, event);
  return { outcome, attemptId: attempt.id };
}

async function applyToAttempt(
  trx: Transaction<Database>,
  deps: Deps,
  provider: MethodProvider,
  payment: PaymentRow,
  attempt: MethodAttemptRow,
  event: MethodEvent,
): Promise<EventOutcome> {
  const isOpen = attempt.status === 'pending' || attempt.status === 'starting';
  switch (event.status) {
    case 'paid':
      return applyPaid(trx, deps, payment, attempt, event.receivedMinor ?? attempt.amount_minor, event);
    case 'partially_paid': {
      const received = event.receivedMinor ?? attempt.received_minor;
      if (received >= attempt.amount_minor) return applyPaid(trx, deps, payment, attempt, received, event);
      if (!isOpen || received <= attempt.received_minor) return 'already_applied';
      await trx
        .updateTable('method_attempts')
        .set({ received_minor: received, updated_at: deps.clock.now() })
        .where('id', '=', attempt.id)
        .execute();
      await recordPaymentEvent(trx, deps.clock, payment.id, 'method_part_received', {
        attemptId: attempt.id,
        receivedMinor: String(received),
        owedMinor: String(attempt.amount_minor),
      });
      return 'partially_paid';
    }
    case 'declined':
    case 'expired':
      if (!isOpen) return 'already_applied';
      await finishAttempt(trx, deps, attempt, event.status, event.declineReason ?? event.providerStatus);
      return event.status;
    case 'pending':
      return 'pending';
    default:
      deps.logger.warn(
        { provider: provider.name, attemptId: attempt.id, providerStatus: event.providerStatus },
        'a provider status Kopek does not know: recorded, not applied',
      );
      return 'unknown_status';
  }
}

async function applyPaid(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  attempt: MethodAttemptRow,
  receivedMinor: bigint,
  event: MethodEvent,
): Promise<EventOutcome> {
  if (attempt.status === 'paid') return 'already_applied';
  const now = deps.clock.now();
  const wasOpen = attempt.status === 'pending' || attempt.status === 'starting';
  const overpaid = receivedMinor > attempt.amount_minor ? receivedMinor - attempt.amount_minor : 0n;
  // Cash left on this attempt when it closed was held for the buyer (finishAttempt): it pays now.
  const heldBefore = wasOpen ? 0n : attempt.received_minor;
  await trx
    .updateTable('method_attempts')
    .set({
      status: 'paid',
      received_minor: receivedMinor,
      overpaid_minor: overpaid,
      decline_reason: null,
      updated_at: now,
      finished_at: now,
    })
    .where('id', '=', attempt.id)
    .execute();
  if (payment.status === 'paid' || payment.status === 'held') {
    await recordPaymentEvent(trx, deps.clock, payment.id, 'method_paid_twice', {
      attemptId: attempt.id,
      method: attempt.method_label,
      receivedMinor: String(receivedMinor),
    });
    await holdUnappliedMoney(trx, deps, {
      payment,
      attemptId: attempt.id,
      amountMinor: receivedMinor - heldBefore,
      reason: 'paid_twice',
    });
    return 'paid_twice';
  }
  // The amount fixed when the attempt opened is what the buyer paid: the payment's fee follows it.
  const method = { paymentMethod: groupCodeOf(attempt), incCurrLabel: attempt.method_label };
  await markPaymentPaid(trx, deps, payment, {
    opKey: createId('op'),
    cardMask: event.maskedAccount ?? '',
    acquirerReference: attempt.provider_reference ?? attempt.id,
    rrn: '',
    method,
  });
  const unapplied = { payment, attemptId: attempt.id } as const;
  await releaseUnappliedMoney(trx, deps, {
    ...unapplied,
    amountMinor: heldBefore,
    reason: 'left_on_closed_attempt',
  });
  if (overpaid > 0n) {
    await recordPaymentEvent(trx, deps.clock, payment.id, 'method_overpaid', {
      attemptId: attempt.id,
      overpaidMinor: String(overpaid),
    });
    await holdUnappliedMoney(trx, deps, { ...unapplied, amountMinor: overpaid, reason: 'overpaid' });
  }
  return wasOpen ? 'paid' : 'paid_late';
}

function groupCodeOf(attempt: MethodAttemptRow): string {
  const group = attempt.details.groupCode;
  return typeof group === 'string' ? group : 'Other';
}

/**
 * Closes pending attempts past their time; returns how many. Each is closed under its payment's lock, so
 * a callback that arrives at the same moment either pays first or finds the attempt closed (and, being
 * money received, still pays: applyPaid).
 */
export async function expireMethodAttempts(deps: Deps, limit = 200): Promise<number> {
  const due = await deps.db
    .selectFrom('method_attempts')
    .select(['id', 'payment_id'])
    .where('status', '=', 'pending')
    .where('expires_at', '<=', deps.clock.now())
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  let expired = 0;
  for (const row of due) {
    const closed = await deps.db.transaction().execute(async (trx) => {
      await lockPayment(trx, row.payment_id);
      const attempt = await lockAttempt(trx, row.id);
      if (attempt.status !== 'pending' || attempt.expires_at.getTime() > deps.clock.now().getTime())
        return false;
      await finishAttempt(trx, deps, attempt, 'expired', 'expired');
      return true;
    });
    if (closed) expired += 1;
  }
  return expired;
}

export const METHOD_EXPIRY_INTERVAL_MS = 30_000;
