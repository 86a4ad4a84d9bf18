/**
 * The sandbox bank: a PayoutProvider that ships with Kopek, for tests and demos. It keeps its own
 * records in sandbox_bank_payouts, as a real bank keeps them on its side, so every node and every restart
 * sees the same bank: a payout id it has received gets the same reference again, and is paid once.
 *
 * It decides by the amount's kopecks, so tests and demos can pick an outcome:
 * - ,13: accepted, then returned by the recipient's bank with "account closed";
 * - ,14: rejected at once ("the recipient's bank refused the payment");
 * - ,15: the bank cannot be reached: every send fails and nothing is received, so after the attempts run
 *   out reconciliation finds the bank never got the payout and gives the money back;
 * - ,16: the bank receives the payout but the answer to the first send is lost: the retry gets the same
 *   reference, and the bank still holds one payout;
 * - anything else: accepted, and executed when its status is first asked for.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';
import type {
  PayoutLookupAnswer,
  PayoutOrder,
  PayoutProvider,
  PayoutSendResult,
  PayoutStatusAnswer,
} from './payout.provider.js';
import { withPayoutTables, type SandboxBankPayoutsTable } from './payout.tables.js';

export const SANDBOX_RETURNED_KOPECKS = 13n;
export const SANDBOX_REJECTED_KOPECKS = 14n;
export const SANDBOX_UNREACHABLE_KOPECKS = 15n;
export const SANDBOX_LOST_ANSWER_KOPECKS = 16n;

const REJECTION = "the recipient's bank refused the payment";

export class SandboxBankError extends Error {
  override readonly name = 'SandboxBankError';
}

function answerOf(row: Pick<SandboxBankPayoutsTable, 'outcome' | 'reference'>): PayoutSendResult {
  return row.outcome === 'rejected' ? { rejected: REJECTION } : { reference: row.reference };
}

export class SandboxBank implements PayoutProvider {
  readonly isSandbox = true;

  constructor(private readonly options: { readonly db: Kysely<Database>; readonly clock: Clock }) {}

  async send(order: PayoutOrder): Promise<PayoutSendResult> {
    const kopecks = order.amountMinor % 100n;
    if (kopecks === SANDBOX_UNREACHABLE_KOPECKS) throw new SandboxBankError('sandbox bank: unreachable');
    // One statement: a repeated payout id (a retry, or two senders at once) counts the receipt and gets
    // the first answer; the row lock of the upsert serialises concurrent receipts.
    const row = await withPayoutTables(this.options.db)
      .insertInto('sandbox_bank_payouts')
      .values({
        payout_id: order.payoutId,
        reference: `sandbox-${order.payoutId}`,
        amount_minor: order.amountMinor,
        currency: order.currency,
        recipient_account: order.bankDetails.settlementAccount,
        outcome: kopecks === SANDBOX_REJECTED_KOPECKS ? 'rejected' : 'accepted',
        times_received: 1,
        received_at: this.options.clock.now(),
      })
      .onConflict((conflict) =>
        conflict
          .column('payout_id')
          .doUpdateSet({ times_received: sql<number>`sandbox_bank_payouts.times_received + 1` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    // A bank refuses a known idempotency key with a different order rather than paying it.
    if (row.amount_minor !== order.amountMinor || row.currency !== order.currency)
      throw new SandboxBankError('sandbox bank: this payout id was received with another amount');
    if (kopecks === SANDBOX_LOST_ANSWER_KOPECKS && row.times_received === 1)
      throw new SandboxBankError('sandbox bank: the answer was lost');
    return answerOf(row);
  }

  async fetchStatus(reference: string): Promise<PayoutStatusAnswer> {
    const row = await withPayoutTables(this.options.db)
      .selectFrom('sandbox_bank_payouts')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirst();
    // References of the first, stateless sandbox carried the amount: payouts sent before it kept records.
    const legacyAmount = /^sandbox-pyt_[0-9a-z]+-(\d+)$/.exec(reference)?.[1];
    if (!row && legacyAmount === undefined)
      throw new SandboxBankError(`sandbox bank: unknown reference ${reference}`);
    if (row?.outcome === 'rejected') return { status: 'returned', reason: REJECTION };
    return (row?.amount_minor ?? BigInt(legacyAmount ?? '0')) % 100n === SANDBOX_RETURNED_KOPECKS
      ? { status: 'returned', reason: 'account closed' }
      : { status: 'executed' };
  }

  async findPayout(payoutId: string): Promise<PayoutLookupAnswer> {
    const row = await withPayoutTables(this.options.db)
      .selectFrom('sandbox_bank_payouts')
      .select(['outcome', 'reference'])
      .where('payout_id', '=', payoutId)
      .executeTakeFirst();
    return row ? { isKnown: true, result: answerOf(row) } : { isKnown: false };
  }
}
