/**
 * Creating payouts and reading them. A payout moves a shop's available money to in_payout in the same
 * transaction that records it and enqueues the job that sends it to the bank (payout.jobs.ts).
 *
 * Locks: the transaction first locks the shop's pending ledger account row (FOR UPDATE), the lock that
 * refunds and settlement take before they move a shop's money, then reads the available balance. So two
 * payouts (or a payout and a refund) of one shop are serialised and never both spend the same money.
 * There is no payment to lock first, so the order "payment, then the shop's pending account" holds.
 * No commission is taken on payouts: a product promise.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import { formatMinor, parseDecimalToMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postTransfer, readShopBalances, shopAccount } from '../ledger/index.js';
import { findBankDetails } from './bank-details.service.js';
import { maskAccount, type BankDetails } from './bank-details.validation.js';
import { payoutAmountProblems, payoutErrors } from './payout.errors.js';
import {
  withPayoutTables,
  withPayoutTablesInTransaction,
  type PayoutRow,
  type PayoutStatus,
} from './payout.tables.js';

export const PAYOUT_SEND_QUEUE = 'payouts.send';
/** The smallest payout, in minor units of the currency: 100.00 (RUB by default). */
export const PAYOUT_MINIMUM_MINOR = 10_000n;
export const DEFAULT_PAYOUT_PAGE_SIZE = 50;
export const MAX_PAYOUT_PAGE_SIZE = 200;

export interface PayoutView {
  readonly id: string;
  readonly shopId: string;
  readonly amount: string;
  readonly currency: Currency;
  readonly status: PayoutStatus;
  readonly recipientName: string;
  /** The account the money went to, masked. */
  readonly settlementAccount: string;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly executedAt: string | null;
  readonly returnedAt: string | null;
  readonly returnReason: string | null;
}

export function payoutBankDetails(row: PayoutRow): BankDetails {
  return row.bank_details as BankDetails;
}

export function toPayoutView(row: PayoutRow): PayoutView {
  const details = payoutBankDetails(row);
  return {
    id: row.id,
    shopId: row.shop_id,
    amount: formatMinor(row.amount_minor, row.currency),
    currency: row.currency,
    status: row.status,
    recipientName: details.recipientName,
    settlementAccount: maskAccount(details.settlementAccount),
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    executedAt: row.executed_at?.toISOString() ?? null,
    returnedAt: row.returned_at?.toISOString() ?? null,
    returnReason: row.return_reason,
  };
}

export const payoutTransferKey = (payoutId: string, stage: 'created' | 'executed' | 'returned') =>
  `payout:${payoutId}:${stage}`;

export interface PayoutRequest {
  readonly accountId: string;
  readonly userId: string;
  readonly shopId: string;
  /** A decimal string; absent: everything available. */
  readonly amount?: string | undefined;
  readonly ip: string | null;
}

async function findShopCurrency(db: Kysely<Database>, accountId: string, shopId: string): Promise<Currency> {
  const row = await db
    .selectFrom('shops')
    .innerJoin('accounts', 'accounts.id', 'shops.account_id')
    .select('accounts.currency')
    .where('shops.id', '=', shopId)
    .where('shops.account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw payoutErrors.shopNotFound();
  return row.currency;
}

function parseAmount(text: string | undefined, currency: Currency): bigint | undefined {
  if (text === undefined) return undefined;
  const minor = parseDecimalToMinor(text.trim(), currency);
  if (minor === undefined || minor <= 0n) throw validationError({ amount: payoutAmountProblems.invalid });
  return minor;
}

/** Pays a shop's available money (all of it, or the amount asked) out to the account's bank details. */
export async function createPayout(deps: Deps, request: PayoutRequest): Promise<PayoutView> {
  const currency = await findShopCurrency(deps.db, request.accountId, request.shopId);
  const askedMinor = parseAmount(request.amount, currency);
  const bankDetails = await findBankDetails(deps.db, request.accountId);
  if (!bankDetails) throw payoutErrors.bankDetailsMissing();
  const shown = (minor: bigint) => `${formatMinor(minor < 0n ? 0n : minor, currency)} ${currency}`;
  return deps.db.transaction().execute(async (trx) => {
    const pending = shopAccount(request.shopId, 'pending', currency);
    const available = shopAccount(request.shopId, 'available', currency);
    // Lock first, then check: the same row refunds and settlement lock before moving this shop's money.
    // Then the available account's row, which nothing else locks (so no deadlock): it serialises payouts
    // of a shop whose available money did not come through pending (a correction, say), which has no
    // pending row to lock. A shop with neither row has nothing to pay out.
    for (const account of [pending, available])
      await trx.selectFrom('ledger_accounts').select('id').where('id', '=', account.id).forUpdate().execute();
    const { availableMinor } = await readShopBalances(trx, request.shopId, currency);
    const amountMinor = askedMinor ?? availableMinor;
    if (amountMinor < PAYOUT_MINIMUM_MINOR)
      throw payoutErrors.belowMinimum({ minimum: shown(PAYOUT_MINIMUM_MINOR) });
    if (amountMinor > availableMinor)
      throw payoutErrors.insufficientFunds({ available: shown(availableMinor), amount: shown(amountMinor) });
    const payoutId = createId('pyt');
    const now = deps.clock.now();
    await postTransfer(trx, deps.clock, {
      idempotencyKey: payoutTransferKey(payoutId, 'created'),
      kind: 'payout',
      reference: payoutId,
      currency,
      legs: [
        { account: available, amountMinor },
        { account: shopAccount(request.shopId, 'in_payout', currency), amountMinor: -amountMinor },
      ],
    });
    const row = await withPayoutTablesInTransaction(trx)
      .insertInto('payouts')
      .values({
        id: payoutId,
        account_id: request.accountId,
        shop_id: request.shopId,
        amount_minor: amountMinor,
        currency,
        status: 'created',
        bank_details: JSON.stringify(bankDetails),
        provider_reference: null,
        requested_by: request.userId,
        created_at: now,
        sent_at: null,
        executed_at: null,
        returned_at: null,
        return_reason: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueueJob(trx, deps.clock, { queue: PAYOUT_SEND_QUEUE, payload: { payoutId } });
    await recordAudit(trx, deps.clock, {
      accountId: request.accountId,
      actorUserId: request.userId,
      action: 'payout.created',
      target: payoutId,
      details: { shopId: request.shopId, amount: formatMinor(amountMinor, currency), currency },
      ip: request.ip,
    });
    return toPayoutView(row);
  });
}

/** The account's payouts, newest first, optionally of one shop; at most MAX_PAYOUT_PAGE_SIZE. */
export async function listPayouts(
  db: Kysely<Database>,
  accountId: string,
  options: { shopId?: string | undefined; limit: number },
): Promise<{ items: PayoutView[] }> {
  let query = withPayoutTables(db).selectFrom('payouts').selectAll().where('account_id', '=', accountId);
  if (options.shopId !== undefined) query = query.where('shop_id', '=', options.shopId);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit, 1), MAX_PAYOUT_PAGE_SIZE))
    .execute();
  return { items: rows.map(toPayoutView) };
}

/** One payout of the account; another account's payout is "not found". */
export async function findPayout(
  db: Kysely<Database>,
  accountId: string,
  payoutId: string,
): Promise<PayoutRow> {
  const row = await withPayoutTables(db)
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', payoutId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw payoutErrors.payoutNotFound();
  return row;
}
