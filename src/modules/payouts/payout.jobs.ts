/**
 * Talking to the bank, never inside a database transaction: the send job reads the payout, calls the
 * provider, then records the answer in a short transaction that locks the payout row and checks its status
 * again (so a second run, or a second node, records nothing twice; the transfers' idempotency keys back
 * this up). The periodic status check does the same for sent payouts.
 *
 * Ledger legs:
 * - executed, `payout:<id>:executed`: debit shop in_payout (+amount), credit platform acquirer_clearing
 *   (−amount): the money has left the platform's bank account for the merchant's.
 * - returned, `payout:<id>:returned`: debit shop in_payout (+amount), credit shop available (−amount): the
 *   balance is restored. A payout the bank rejects at once is recorded as returned the same way.
 * Both only add to what the shop may spend or take from in_payout, which only payouts use, so they need
 * not take the shop's pending-account lock.
 */
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../platform/jobs.js';
import { platformAccount, postTransfer, shopAccount } from '../ledger/index.js';
import type { PayoutProvider, PayoutStatusAnswer } from './payout.provider.js';
import { payoutBankDetails, payoutTransferKey } from './payout.service.js';
import { withPayoutTables, withPayoutTablesInTransaction, type PayoutRow } from './payout.tables.js';

/** Every call to the bank is cut off after this long; the job (or the next check) tries again. */
export const PAYOUT_PROVIDER_TIMEOUT_MS = 30_000;
export const PAYOUT_STATUS_INTERVAL_MS = 60_000;
export const PAYOUT_STATUS_BATCH_SIZE = 100;

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

/** Records the bank's final answer: executed or returned. Does nothing when the payout is no longer open. */
export async function recordPayoutOutcome(
  deps: Deps,
  payoutId: string,
  outcome: { status: 'executed' } | { status: 'returned'; reason: string },
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
    const now = deps.clock.now();
    const inPayout = shopAccount(payout.shop_id, 'in_payout', payout.currency);
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
        { account: inPayout, amountMinor: payout.amount_minor },
        { account: destination, amountMinor: -payout.amount_minor },
      ],
    });
    await tables
      .updateTable('payouts')
      .set(
        outcome.status === 'executed'
          ? { status: 'executed', executed_at: now }
          : { status: 'returned', returned_at: now, return_reason: outcome.reason.slice(0, 500) },
      )
      .where('id', '=', payout.id)
      .execute();
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

/** The 'payouts.send' job: sends a created payout to the bank and records its answer. */
export function createPayoutSendHandler(deps: Deps, provider: PayoutProvider): JobHandler {
  return async (payload) => {
    const payoutId = parsePayload(payload);
    const payout = await withPayoutTables(deps.db)
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', payoutId)
      .executeTakeFirst();
    if (!payout || payout.status !== 'created') return;
    const answer = await withTimeout(
      provider.send({
        payoutId: payout.id,
        amountMinor: payout.amount_minor,
        currency: payout.currency,
        bankDetails: payoutBankDetails(payout),
      }),
      'payout send',
    );
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
