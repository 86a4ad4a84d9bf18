/**
 * Creating payouts and reading them. A payout moves a shop's available money to in_payout in the same
 * transaction that records it and enqueues the job that sends it to the bank (payout.jobs.ts).
 *
 * Locks: the transaction first locks the shop's pending ledger account row (FOR UPDATE), the lock that
 * refunds and settlement take before they move a shop's money, then reads the available balance. So two
 * payouts (or a payout and a refund) of one shop are serialised and never both spend the same money.
 * There is no payment to lock first, so the order "payment, then the shop's pending account" holds.
 * Scheduled payouts (payout-schedule.jobs.ts) take the same locks after their shop's settings row.
 * No commission is taken on payouts, a product promise: the amount taken from available is the amount
 * sent to the bank, and no leg touches fee revenue.
 *
 * The minimum: the installation's (KOPEK_PAYOUT_MINIMUM), or the shop's own when higher.
 */
import type { Kysely, Transaction } from 'kysely';
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
import {
  belowMinimumError,
  insufficientFundsError,
  payoutAmountProblems,
  payoutErrors,
} from './payout.errors.js';
import {
  withPayoutTables,
  withPayoutTablesInTransaction,
  type PayoutRow,
  type PayoutStatus,
} from './payout.tables.js';

export const PAYOUT_SEND_QUEUE = 'payouts.send';
/**
 * Attempts of one send job, with the job queue's backoff between them (10 s, 20 s, 40 s ... about 21
 * minutes in all). After the last, reconciliation asks the bank about the payout (payout.jobs.ts).
 */
export const PAYOUT_SEND_MAX_ATTEMPTS = 8;
export const DEFAULT_PAYOUT_PAGE_SIZE = 50;
export const MAX_PAYOUT_PAGE_SIZE = 200;

export interface PayoutView {
  readonly id: string;
  readonly shopId: string;
  readonly amount: string;
  readonly currency: Currency;
  /** Always zero: payouts carry no commission. */
  readonly fee: string;
  readonly status: PayoutStatus;
  readonly recipientName: string;
  /** The account the money went to, masked. */
  readonly settlementAccount: string;
  /** The schedule period ('daily:2026-03-02', 'weekly:2026-W10') of a scheduled payout, else null. */
  readonly schedulePeriod: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly executedAt: string | null;
  readonly returnedAt: string | null;
  readonly returnReason: string | null;
  /** When Kopek learnt that the bank never received the payout and gave the money back. */
  readonly failedAt: string | null;
  /** Above the approval threshold: the operator's finance approves (or rejects) it first. */
  readonly approvalRequired: boolean;
  /** Why the operator's finance refused the payout (its money went back to available). */
  readonly rejectReason: string | null;
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
    fee: formatMinor(0n, row.currency),
    status: row.status,
    recipientName: details.recipientName,
    settlementAccount: maskAccount(details.settlementAccount),
    schedulePeriod: row.schedule_period,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    executedAt: row.executed_at?.toISOString() ?? null,
    returnedAt: row.returned_at?.toISOString() ?? null,
    returnReason: row.return_reason,
    failedAt: row.failed_at?.toISOString() ?? null,
    approvalRequired: row.approval_required,
    rejectReason: row.reject_reason,
  };
}

export type PayoutTransferStage = 'created' | 'executed' | 'returned' | 'failed' | 'rejected';

export const payoutTransferKey = (payoutId: string, stage: PayoutTransferStage) =>
  `payout:${payoutId}:${stage}`;

export interface PayoutRequest {
  readonly accountId: string;
  /** The cabinet's user; null when the shop's API key asked (JSON API v1). */
  readonly userId: string | null;
  readonly shopId: string;
  /** A decimal string; absent: everything available. */
  readonly amount?: string | undefined;
  readonly ip: string | null;
}

/** The minimum that applies to a shop: its own when set and higher than the installation's. */
export function effectiveMinimumMinor(platformMinimumMinor: bigint, shopMinimumMinor: bigint | null): bigint {
  return shopMinimumMinor !== null && shopMinimumMinor > platformMinimumMinor
    ? shopMinimumMinor
    : platformMinimumMinor;
}

export async function findShopMinimumMinor(db: Kysely<Database>, shopId: string): Promise<bigint | null> {
  const row = await withPayoutTables(db)
    .selectFrom('payout_settings')
    .select('minimum_minor')
    .where('shop_id', '=', shopId)
    .executeTakeFirst();
  return row?.minimum_minor ?? null;
}

export const formatMoneyText = (minor: bigint, currency: Currency) =>
  `${formatMinor(minor < 0n ? 0n : minor, currency)} ${currency}`;

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

/**
 * Lock first, then check: the shop's pending account row, the one refunds and settlement lock before
 * moving this shop's money, then its available account row, which nothing else locks (so no deadlock):
 * it serialises payouts of a shop whose available money did not come through pending (a correction,
 * say). A shop with neither row has nothing to pay out. Answers the available balance under the locks.
 */
export async function lockShopMoneyForPayout(
  trx: Transaction<Database>,
  shopId: string,
  currency: Currency,
): Promise<bigint> {
  for (const purpose of ['pending', 'available'] as const)
    await trx
      .selectFrom('ledger_accounts')
      .select('id')
      .where('id', '=', shopAccount(shopId, purpose, currency).id)
      .forUpdate()
      .execute();
  return (await readShopBalances(trx, shopId, currency)).availableMinor;
}

export interface NewPayout {
  readonly accountId: string;
  readonly shopId: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly bankDetails: BankDetails;
  /** The user who ordered it; null for a scheduled payout. */
  readonly requestedBy: string | null;
  readonly schedulePeriod: string | null;
}

/** The send job of a payout the automatic bank pays (at creation, or when finance approves it). */
export async function enqueuePayoutSend(trx: Transaction<Database>, deps: Deps, payoutId: string) {
  await enqueueJob(trx, deps.clock, {
    queue: PAYOUT_SEND_QUEUE,
    payload: { payoutId },
    maxAttempts: PAYOUT_SEND_MAX_ATTEMPTS,
  });
}

/**
 * Records a payout, moves its amount from available to in_payout (the whole amount: no commission) and
 * enqueues its send job, all in the caller's transaction, which must hold lockShopMoneyForPayout's locks.
 * A payout above the approval threshold is held as 'awaiting_approval' instead, with no send job: its
 * money is already reserved in in_payout, and finance approves it (payout-queue.service.ts) or rejects it.
 */
export async function insertPayout(
  trx: Transaction<Database>,
  deps: Deps,
  payout: NewPayout,
): Promise<PayoutRow> {
  const payoutId = createId('pyt');
  const isApprovalRequired = payout.amountMinor > deps.config.payoutApprovalThresholdMinor;
  await postTransfer(trx, deps.clock, {
    idempotencyKey: payoutTransferKey(payoutId, 'created'),
    kind: 'payout',
    reference: payoutId,
    currency: payout.currency,
    legs: [
      { account: shopAccount(payout.shopId, 'available', payout.currency), amountMinor: payout.amountMinor },
      { account: shopAccount(payout.shopId, 'in_payout', payout.currency), amountMinor: -payout.amountMinor },
    ],
  });
  const row = await withPayoutTablesInTransaction(trx)
    .insertInto('payouts')
    .values({
      id: payoutId,
      account_id: payout.accountId,
      shop_id: payout.shopId,
      amount_minor: payout.amountMinor,
      currency: payout.currency,
      status: isApprovalRequired ? 'awaiting_approval' : 'created',
      approval_required: isApprovalRequired,
      bank_details: JSON.stringify(payout.bankDetails),
      provider_reference: null,
      requested_by: payout.requestedBy,
      created_at: deps.clock.now(),
      sent_at: null,
      executed_at: null,
      returned_at: null,
      return_reason: null,
      schedule_period: payout.schedulePeriod,
      send_attempts: 0,
      last_send_attempt_at: null,
      last_send_error: null,
      send_exhausted_at: null,
      reconcile_started_at: null,
      failed_at: null,
      failure_reason: null,
      decided_by: null,
      decided_at: null,
      reject_reason: null,
      order_number: null,
      export_file_id: null,
      exported_at: null,
      bank_reference: null,
      executed_on: null,
      returned_on: null,
      outcome_recorded_by: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (!isApprovalRequired) await enqueuePayoutSend(trx, deps, payoutId);
  return row;
}

/** Pays a shop's available money (all of it, or the amount asked) out to the account's bank details. */
export async function createPayout(deps: Deps, request: PayoutRequest): Promise<PayoutView> {
  const currency = await findShopCurrency(deps.db, request.accountId, request.shopId);
  const askedMinor = parseAmount(request.amount, currency);
  const bankDetails = await findBankDetails(deps.db, request.accountId);
  if (!bankDetails) throw payoutErrors.bankDetailsMissing();
  // Read without a lock: a minimum changed at this very moment may apply either way, and locking the
  // settings row after the money rows would invert the scheduled payouts' lock order.
  const minimumMinor = effectiveMinimumMinor(
    deps.config.payoutMinimumMinor,
    await findShopMinimumMinor(deps.db, request.shopId),
  );
  return deps.db.transaction().execute(async (trx) => {
    const availableMinor = await lockShopMoneyForPayout(trx, request.shopId, currency);
    const amountMinor = askedMinor ?? availableMinor;
    if (amountMinor < minimumMinor)
      throw belowMinimumError(
        {
          minimum: formatMoneyText(minimumMinor, currency),
          available: formatMoneyText(availableMinor, currency),
        },
        askedMinor !== undefined,
      );
    if (amountMinor > availableMinor)
      throw insufficientFundsError({
        available: formatMoneyText(availableMinor, currency),
        amount: formatMoneyText(amountMinor, currency),
      });
    const row = await insertPayout(trx, deps, {
      accountId: request.accountId,
      shopId: request.shopId,
      amountMinor,
      currency,
      bankDetails,
      requestedBy: request.userId,
      schedulePeriod: null,
    });
    await recordAudit(trx, deps.clock, {
      accountId: request.accountId,
      actorUserId: request.userId,
      action: 'payout.created',
      target: row.id,
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
