/**
 * Talking to the bank, never inside a database transaction: record the intent, commit, call the bank,
 * record the answer in a short transaction that locks the payout row and checks its status again (so a
 * second run, or a second node, records nothing twice; the transfers' idempotency keys back this up).
 *
 * - The send job ('payouts.send', PAYOUT_SEND_MAX_ATTEMPTS attempts with the queue's backoff) first
 *   counts the attempt on the payout row (committed), then calls the bank. The bank treats the payout id
 *   as an idempotency key, so an attempt after a crash or a lost answer cannot pay twice.
 * - The periodic status check asks the bank about sent payouts and records executed or returned.
 * - Reconciliation, also periodic, takes payouts still 'created' whose attempts ran out (or that were
 *   created, or approved by finance, more than PAYOUT_RECONCILE_AFTER_MS ago, for a job lost with its
 *   worker). Under the row lock, and only
 *   when no attempt started within PAYOUT_SEND_LEASE_MS, it sets reconcile_started_at: from then on no
 *   send job calls the bank for that payout, so nothing can reach the bank after the bank's answer below.
 *   It asks the bank by payout id: a payout the bank has is recorded as sent (or returned, if refused);
 *   one the bank never received is 'failed' and its money goes back to available.
 *
 * Ledger legs:
 * - executed, `payout:<id>:executed`: debit shop in_payout (+amount), credit platform acquirer_clearing
 *   (−amount): the money has left the platform's bank account for the merchant's.
 * - returned, `payout:<id>:returned`: debit shop in_payout (+amount), credit shop available (−amount): the
 *   balance is restored. A payout the bank rejects at once is recorded as returned the same way.
 * - failed, `payout:<id>:failed`: the same legs as returned: the bank never had the money.
 * All only add to what the shop may spend or take from in_payout, which only payouts use, so they need
 * not take the shop's pending-account lock.
 */
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../platform/jobs.js';
import { platformAccount, postTransfer, shopAccount } from '../ledger/index.js';
import { notifyPayoutOutcome } from '../messages/index.js';
import type { PayoutProvider, PayoutSendResult, PayoutStatusAnswer } from './payout.provider.js';
import { PAYOUT_SEND_MAX_ATTEMPTS, payoutBankDetails, payoutTransferKey } from './payout.service.js';
import { withPayoutTables, withPayoutTablesInTransaction, type PayoutRow } from './payout.tables.js';

/** Every call to the bank is cut off after this long; the job (or the next check) tries again. */
export const PAYOUT_PROVIDER_TIMEOUT_MS = 30_000;
export const PAYOUT_STATUS_INTERVAL_MS = 60_000;
export const PAYOUT_STATUS_BATCH_SIZE = 100;
export const PAYOUT_RECONCILE_INTERVAL_MS = 60_000;
export const PAYOUT_RECONCILE_BATCH_SIZE = 100;
/**
 * How long after an attempt started it may still be talking to the bank: the call's timeout with a wide
 * margin (and the job queue's own lease). Reconciliation never fences a payout inside this window.
 */
export const PAYOUT_SEND_LEASE_MS = 5 * 60_000;
/**
 * A payout still 'created' this long after it was made is reconciled even without a job that says its
 * attempts ran out (its worker died on the last one): far beyond the attempts' backoff and leases.
 */
export const PAYOUT_RECONCILE_AFTER_MS = 2 * 3_600_000;
export const NEVER_RECEIVED_REASON = 'the bank never received the payout';

async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), PAYOUT_PROVIDER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function parsePayload(payload: unknown): string {
  const payoutId = (payload as { payoutId?: unknown } | null)?.payoutId;
  if (typeof payoutId !== 'string' || !/^pyt_[0-9a-z]{1,40}$/.test(payoutId))
    throw new Error('payouts.send: malformed payload');
  return payoutId;
}

export type PayoutOutcome =
  | { readonly status: 'executed' }
  | { readonly status: 'returned'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

function outcomeChanges(outcome: PayoutOutcome, now: Date) {
  if (outcome.status === 'executed') return { status: 'executed' as const, executed_at: now };
  if (outcome.status === 'returned')
    return { status: 'returned' as const, returned_at: now, return_reason: outcome.reason.slice(0, 500) };
  return { status: 'failed' as const, failed_at: now, failure_reason: outcome.reason.slice(0, 500) };
}

/** Records a final outcome with its ledger transfer. Does nothing when the payout is no longer open. */
export async function recordPayoutOutcome(
  deps: Deps,
  payoutId: string,
  outcome: PayoutOutcome,
  openStatuses: readonly ('created' | 'sent')[],
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const tables = withPayoutTablesInTransaction(trx);
    const payout = await tables
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', payoutId)
      .forUpdate()
      .executeTakeFirst();
    if (!payout || !(openStatuses as string[]).includes(payout.status)) return false;
    const destination =
      outcome.status === 'executed'
        ? platformAccount('acquirer_clearing', payout.currency)
        : shopAccount(payout.shop_id, 'available', payout.currency);
    await postTransfer(trx, deps.clock, {
      idempotencyKey: payoutTransferKey(payout.id, outcome.status),
      kind: 'payout',
      reference: payout.id,
      currency: payout.currency,
      legs: [
        {
          account: shopAccount(payout.shop_id, 'in_payout', payout.currency),
          amountMinor: payout.amount_minor,
        },
        { account: destination, amountMinor: -payout.amount_minor },
      ],
    });
    await tables
      .updateTable('payouts')
      .set(outcomeChanges(outcome, deps.clock.now()))
      .where('id', '=', payout.id)
      .execute();
    // The account's message (and the mail of those who follow payouts), in the outcome's transaction.
    await notifyPayoutOutcome(trx, deps, {
      payoutId: payout.id,
      accountId: payout.account_id,
      shopId: payout.shop_id,
      amountMinor: payout.amount_minor,
      currency: payout.currency,
      status: outcome.status,
      ...(outcome.status === 'returned' ? { reason: outcome.reason } : {}),
    });
    return true;
  });
}

async function recordSent(deps: Deps, payoutId: string, reference: string): Promise<void> {
  await withPayoutTables(deps.db)
    .updateTable('payouts')
    .set({ status: 'sent', provider_reference: reference, sent_at: deps.clock.now() })
    .where('id', '=', payoutId)
    .where('status', '=', 'created')
    .execute();
}

/**
 * Counts a send attempt on the payout row and commits it before the bank is called. Answers the payout,
 * or nothing when it must not be sent: no longer 'created', or reconciliation has fenced it.
 */
async function startSendAttempt(deps: Deps, payoutId: string): Promise<PayoutRow | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const tables = withPayoutTablesInTransaction(trx);
    const payout = await tables
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', payoutId)
      .forUpdate()
      .executeTakeFirst();
    if (!payout || payout.status !== 'created' || payout.reconcile_started_at !== null) return undefined;
    return tables
      .updateTable('payouts')
      .set({ send_attempts: sql<number>`send_attempts + 1`, last_send_attempt_at: deps.clock.now() })
      .where('id', '=', payoutId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Keeps the error for operators; after the last attempt marks the payout for reconciliation. */
async function recordSendFailure(deps: Deps, payoutId: string, error: unknown, isLastAttempt: boolean) {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  await withPayoutTables(deps.db)
    .updateTable('payouts')
    .set({ last_send_error: message, ...(isLastAttempt ? { send_exhausted_at: deps.clock.now() } : {}) })
    .where('id', '=', payoutId)
    .where('status', '=', 'created')
    .execute();
}

/** The 'payouts.send' job: sends a created payout to the bank and records its answer. */
export function createPayoutSendHandler(deps: Deps, provider: PayoutProvider): JobHandler {
  return async (payload, context) => {
    const payoutId = parsePayload(payload);
    const payout = await startSendAttempt(deps, payoutId);
    if (!payout) return;
    let answer: PayoutSendResult;
    try {
      answer = await withTimeout(
        provider.send({
          payoutId: payout.id,
          amountMinor: payout.amount_minor,
          currency: payout.currency,
          bankDetails: payoutBankDetails(payout),
        }),
        'payout send',
      );
    } catch (error) {
      await recordSendFailure(deps, payout.id, error, context.attempt >= PAYOUT_SEND_MAX_ATTEMPTS).catch(
        (recordError: unknown) =>
          context.logger.error({ err: recordError, payoutId }, 'recording a payout send failure failed'),
      );
      throw error;
    }
    if ('reference' in answer) await recordSent(deps, payout.id, answer.reference);
    else
      await recordPayoutOutcome(deps, payout.id, { status: 'returned', reason: answer.rejected }, [
        'created',
      ]);
  };
}

/** Asks the bank about sent payouts (oldest first, one batch) and records the final answers. */
export async function checkSentPayouts(deps: Deps, provider: PayoutProvider): Promise<number> {
  const payouts: PayoutRow[] = await withPayoutTables(deps.db)
    .selectFrom('payouts')
    .selectAll()
    .where('status', '=', 'sent')
    .orderBy('sent_at')
    .orderBy('id')
    .limit(PAYOUT_STATUS_BATCH_SIZE)
    .execute();
  let recorded = 0;
  for (const payout of payouts) {
    try {
      if (payout.provider_reference === null) continue;
      const answer: PayoutStatusAnswer = await withTimeout(
        provider.fetchStatus(payout.provider_reference),
        'payout status',
      );
      if (answer.status === 'pending') continue;
      if (await recordPayoutOutcome(deps, payout.id, answer, ['sent'])) recorded += 1;
    } catch (error) {
      deps.logger.error({ err: error, payoutId: payout.id }, 'payout status check failed');
    }
  }
  return recorded;
}

/**
 * Fences a stuck payout (under its row lock, re-checking every condition): answers whether this run may
 * reconcile it. A payout fenced by an earlier run whose bank call failed is taken again.
 */
async function fenceStuckPayout(deps: Deps, payoutId: string, now: Date): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const tables = withPayoutTablesInTransaction(trx);
    const payout = await tables
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', payoutId)
      .forUpdate()
      .executeTakeFirst();
    if (!payout || payout.status !== 'created' || !isStuck(payout, now)) return false;
    if (payout.reconcile_started_at === null)
      await tables
        .updateTable('payouts')
        .set({ reconcile_started_at: now })
        .where('id', '=', payoutId)
        .execute();
    return true;
  });
}

/**
 * When the payout became the automatic bank's to send: its creation, or finance's approval of a payout
 * held above the threshold (hours later, perhaps), whose send job only starts then.
 */
const sendableSince = (payout: PayoutRow): Date => payout.decided_at ?? payout.created_at;

function isStuck(payout: PayoutRow, now: Date): boolean {
  const isGivenUp =
    payout.send_exhausted_at !== null ||
    payout.reconcile_started_at !== null ||
    sendableSince(payout).getTime() < now.getTime() - PAYOUT_RECONCILE_AFTER_MS;
  const isAttemptRecent =
    payout.last_send_attempt_at !== null &&
    payout.last_send_attempt_at.getTime() > now.getTime() - PAYOUT_SEND_LEASE_MS;
  return isGivenUp && !isAttemptRecent;
}

/** Asks the bank about one fenced payout and records what it knows. Answers whether anything changed. */
async function reconcilePayout(deps: Deps, provider: PayoutProvider, payoutId: string): Promise<boolean> {
  if (!(await fenceStuckPayout(deps, payoutId, deps.clock.now()))) return false;
  const answer = await withTimeout(provider.findPayout(payoutId), 'payout lookup');
  if (!answer.isKnown)
    return recordPayoutOutcome(deps, payoutId, { status: 'failed', reason: NEVER_RECEIVED_REASON }, [
      'created',
    ]);
  if ('reference' in answer.result) {
    await recordSent(deps, payoutId, answer.result.reference);
    return true;
  }
  return recordPayoutOutcome(deps, payoutId, { status: 'returned', reason: answer.result.rejected }, [
    'created',
  ]);
}

/** Reconciles payouts stuck in 'created' (one batch, oldest first); answers how many were settled. */
export async function reconcileStuckPayouts(deps: Deps, provider: PayoutProvider): Promise<number> {
  const now = deps.clock.now();
  const leaseStart = new Date(now.getTime() - PAYOUT_SEND_LEASE_MS);
  const candidates = await withPayoutTables(deps.db)
    .selectFrom('payouts')
    .select('id')
    .where('status', '=', 'created')
    .where((eb) =>
      eb.or([
        eb('send_exhausted_at', 'is not', null),
        eb('reconcile_started_at', 'is not', null),
        eb(
          eb.fn.coalesce('decided_at', 'created_at'),
          '<',
          new Date(now.getTime() - PAYOUT_RECONCILE_AFTER_MS),
        ),
      ]),
    )
    .where((eb) =>
      eb.or([eb('last_send_attempt_at', 'is', null), eb('last_send_attempt_at', '<=', leaseStart)]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(PAYOUT_RECONCILE_BATCH_SIZE)
    .execute();
  let settled = 0;
  for (const { id } of candidates) {
    try {
      if (await reconcilePayout(deps, provider, id)) settled += 1;
    } catch (error) {
      deps.logger.error({ err: error, payoutId: id }, 'payout reconciliation failed');
    }
  }
  return settled;
}
