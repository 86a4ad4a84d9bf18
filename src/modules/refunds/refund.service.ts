/**
 * Refunding a paid payment: one transaction that locks the payment, checks what is left to refund and
 * what the shop's balance covers, records the refund, posts its ledger transfer and the payment's
 * timeline event (and, for the cabinet, the audit entry). The sandbox acquirer returns the money at
 * once, so a refund is born 'finished'.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { formatMinor, parseDecimalToMinor } from '../../platform/money.js';
import type { Database, PaymentRow, RefundRow, RefundSource, RefundStatus } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import {
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
  type TransferLeg,
} from '../ledger/index.js';
import { draftFromReceipt, enqueueFiscalReceipt, fallbackDraft } from '../fiscal/index.js';
import { notifyRefund } from '../messages/index.js';
import { recordPaymentEvent } from '../payments/index.js';
import { enqueueMethodRefund, methodOfPayment, refundsThroughProvider } from './method-refund.js';
import { parseReceiptItemList, type Receipt } from '../protocol/index.js';
import { amountProblems, refundErrors } from './refund.errors.js';

/** A payment has a handful of refunds; the limit only guards the list against a runaway writer. */
const MAX_LISTED_REFUNDS = 500;

export interface RefundRequest {
  readonly paymentId: string;
  /** When given, the payment must belong to this account (the cabinet's tenant scoping). */
  readonly accountId?: string;
  /** Minor units; absent means everything that is left to refund. */
  readonly amountMinor?: bigint;
  readonly source: RefundSource;
  /** The cabinet user who asked; null for the Refund API. */
  readonly requestedBy?: string | null;
  /** InvoiceItems as the Refund API received them, kept for the refund receipt. */
  readonly items?: unknown;
  /**
   * The refund receipt's items, already read by the Receipt rules (protocol.parseReceiptItemList); they
   * must add up to the refunded amount. Absent: one line for the amount.
   */
  readonly receipt?: Receipt | undefined;
  /** The caller's address, for the audit entry of a cabinet refund. */
  readonly ip?: string | null;
  /**
   * A requestId the caller derived from its request (the Refund API: from the signed token). A refund
   * with it already on this payment is answered again instead of refunding twice.
   */
  readonly requestId?: string;
}

export interface RefundView {
  readonly id: string;
  readonly paymentId: string;
  /** Decimal in the currency's scale, e.g. '150.00'. */
  readonly amount: string;
  readonly currency: string;
  readonly status: RefundStatus;
  readonly source: RefundSource;
  readonly requestId: string;
  readonly requestedBy: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface RefundList {
  /** Oldest first. */
  readonly items: (RefundView & { readonly requestedByLogin: string | null })[];
  readonly currency: string;
  /** What was paid, what has been refunded (refunds not canceled) and what is left to refund. */
  readonly paid: string;
  readonly refunded: string;
  readonly remaining: string;
  /** Whether the payment can be refunded at all (it is paid and something is left). */
  readonly isRefundable: boolean;
}

export function toRefundView(row: RefundRow): RefundView {
  return {
    id: row.id,
    paymentId: row.payment_id,
    amount: formatMinor(row.amount_minor, row.currency),
    currency: row.currency,
    status: row.status,
    source: row.source,
    requestId: row.request_id,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** The sum of a payment's refunds that still count (not canceled). */
async function sumRefunds(db: Kysely<Database>, paymentId: string): Promise<bigint> {
  const row = await db
    .selectFrom('refunds')
    .select((eb) => eb.fn.sum<bigint | string | null>('amount_minor').as('total'))
    .where('payment_id', '=', paymentId)
    .where('status', '!=', 'canceled')
    .executeTakeFirstOrThrow();
  // sum(bigint) is numeric in PostgreSQL: it arrives as text (or null for no rows).
  return row.total === null ? 0n : BigInt(row.total);
}

/**
 * Locking the payment serialises every refund of it: the next one reads the sums this one left.
 * FOR NO KEY UPDATE, not FOR UPDATE: it excludes other refunds (and the card flow's FOR UPDATE) just the
 * same, but lets rows that reference the payment be inserted meanwhile (their foreign key takes KEY
 * SHARE), so settlement, which holds the shop's pending account and then records the payment, can never
 * deadlock with a refund waiting for that account.
 */
async function lockPayment(
  trx: Transaction<Database>,
  paymentId: string,
  accountId: string | undefined,
): Promise<PaymentRow | undefined> {
  let query = trx.selectFrom('payments').selectAll().where('id', '=', paymentId);
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  return query.forNoKeyUpdate().executeTakeFirst();
}

/**
 * Refunds of different payments of one shop draw on the same balance, and settlement moves money from
 * pending to available: whoever takes money out of a shop's pending account holds that account's ledger
 * row (the lock settlement takes, src/modules/balances), so "the balance covers it" and the split between
 * pending and available are decided on balances nobody else is changing. A shop without a pending account
 * has never been owed money (available is filled only from pending), so there is nothing to lock then.
 * Order: payment first, then the shop's pending account.
 */
async function lockShopFunds(trx: Transaction<Database>, payment: PaymentRow): Promise<void> {
  const pending = shopAccount(payment.shop_id, 'pending', payment.currency);
  await trx.selectFrom('ledger_accounts').select('id').where('id', '=', pending.id).forUpdate().execute();
}

/**
 * The refund's money. The buyer's card gets the amount back through the acquirer, so the acquirer owes
 * the platform that much less: acquirer_clearing is credited (−amount), reversing the debit the payment
 * posted. The shop pays for it: what the platform owes the shop shrinks by the amount, taken from
 * pending first (up to its balance) and from available for the rest (debits, +). Legs sum to zero.
 * The platform's fee stays in fee_revenue: it is not returned, so a full refund costs the shop the
 * whole amount although it was credited the amount less the fee.
 * An acquirer that refunds later would park the amount in platform 'refunds' while 'processing' and
 * move it to acquirer_clearing when finished; the sandbox finishes at once, so one transfer suffices.
 */
export function buildRefundLegs(
  payment: Pick<PaymentRow, 'shop_id' | 'currency'>,
  amountMinor: bigint,
  pendingMinor: bigint,
  counterPurpose: 'acquirer_clearing' | 'refunds' = 'acquirer_clearing',
): TransferLeg[] {
  const fromPending = pendingMinor > 0n ? (pendingMinor < amountMinor ? pendingMinor : amountMinor) : 0n;
  const fromAvailable = amountMinor - fromPending;
  const legs: TransferLeg[] = [];
  if (fromPending > 0n)
    legs.push({
      account: shopAccount(payment.shop_id, 'pending', payment.currency),
      amountMinor: fromPending,
    });
  if (fromAvailable > 0n)
    legs.push({
      account: shopAccount(payment.shop_id, 'available', payment.currency),
      amountMinor: fromAvailable,
    });
  legs.push({ account: platformAccount(counterPurpose, payment.currency), amountMinor: -amountMinor });
  return legs;
}

/** Live payments: the shop's pending and available money must cover the refund; then the transfer. */
async function moveRefundMoney(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  refundId: string,
  amountMinor: bigint,
  counterPurpose: 'acquirer_clearing' | 'refunds',
): Promise<void> {
  await lockShopFunds(trx, payment);
  const balances = await readShopBalances(trx, payment.shop_id, payment.currency);
  const coverMinor = balances.pendingMinor + balances.availableMinor;
  if (coverMinor < amountMinor) {
    const shown = (minor: bigint) =>
      `${formatMinor(minor < 0n ? 0n : minor, payment.currency)} ${payment.currency}`;
    throw refundErrors.insufficientShopFunds({ cover: shown(coverMinor), amount: shown(amountMinor) });
  }
  await postTransfer(trx, deps.clock, {
    idempotencyKey: `refund:${refundId}`,
    kind: 'refund',
    reference: payment.id,
    currency: payment.currency,
    legs: buildRefundLegs(payment, amountMinor, balances.pendingMinor, counterPurpose),
  });
}

/** Refunds a paid payment (part of it, or all that is left). Throws the module's errors; writes nothing then. */
export async function refundPayment(deps: Deps, request: RefundRequest): Promise<RefundView> {
  if (request.amountMinor !== undefined && request.amountMinor <= 0n)
    throw validationError({ amount: amountProblems.invalid });
  return deps.db.transaction().execute(async (trx) => {
    const payment = await lockPayment(trx, request.paymentId, request.accountId);
    if (!payment) throw refundErrors.operationNotFound();
    // Under the payment's lock, so the same request sent twice at once still refunds once.
    const repeated =
      request.requestId === undefined ? undefined : await findRefundByRequestId(trx, request.requestId);
    if (repeated && repeated.payment_id === payment.id) return toRefundView(repeated);
    if (payment.status !== 'paid') throw refundErrors.paymentNotRefundable();
    // A safe deal's money is in escrow, not the shop's balance; the deal returns it (src/modules/deals).
    if (payment.is_escrow) throw refundErrors.dealPaymentNotRefundable();
    const method = methodOfPayment(payment);
    if (!method.item.capabilities.isRefundable)
      throw refundErrors.methodNotRefundable({ method: method.item.alias });
    const remainingMinor = payment.amount_minor - (await sumRefunds(trx, payment.id));
    const amountMinor = request.amountMinor ?? remainingMinor;
    if (request.receipt && request.receipt.totalMinor !== amountMinor) {
      const shown = (minor: bigint) => `${formatMinor(minor, payment.currency)} ${payment.currency}`;
      throw refundErrors.refundItemsMismatch({
        items: shown(request.receipt.totalMinor),
        amount: shown(amountMinor),
      });
    }
    if (amountMinor <= 0n || amountMinor > remainingMinor) {
      const remaining = formatMinor(remainingMinor, payment.currency);
      throw refundErrors.refundExceedsPayment(
        { remaining: `${remaining} ${payment.currency}` },
        { remaining },
      );
    }
    const now = deps.clock.now();
    const refundId = createId('rfd');
    // A payment by another method is refunded through that method's provider, after this commits
    // (method-refund.ts): the money waits in the platform's 'refunds' account meanwhile.
    const isThroughProvider = !payment.is_test && refundsThroughProvider(payment);
    // Test payments moved no money, so their refunds move none either.
    if (!payment.is_test)
      await moveRefundMoney(
        trx,
        deps,
        payment,
        refundId,
        amountMinor,
        isThroughProvider ? 'refunds' : 'acquirer_clearing',
      );
    if (isThroughProvider) await enqueueMethodRefund(trx, deps, refundId);
    const row = await trx
      .insertInto('refunds')
      .values({
        id: refundId,
        payment_id: payment.id,
        shop_id: payment.shop_id,
        account_id: payment.account_id,
        amount_minor: amountMinor,
        currency: payment.currency,
        status: isThroughProvider ? 'processing' : 'finished',
        source: request.source,
        request_id: request.requestId ?? randomUUID(),
        requested_by: request.requestedBy ?? null,
        items: request.items === undefined || request.items === null ? null : JSON.stringify(request.items),
        created_at: now,
        finished_at: isThroughProvider ? null : now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const amount = formatMinor(amountMinor, payment.currency);
    await recordPaymentEvent(trx, deps.clock, payment.id, 'refunded', {
      refundId,
      amount,
      currency: payment.currency,
      source: request.source,
      remaining: formatMinor(remainingMinor - amountMinor, payment.currency),
    });
    // Every refund moves money, whoever asked: the Refund API and the JSON API are audited too.
    await recordAudit(trx, deps.clock, {
      accountId: payment.account_id,
      actorUserId: request.requestedBy ?? null,
      action: 'operation.refunded',
      target: payment.id,
      details: { refundId, amount, currency: payment.currency },
      ip: request.ip ?? null,
    });
    // The refund's fiscal receipt (sell_refund): the items given with the refund, else one line for
    // the refunded amount; only shops with fiscal settings get one.
    await enqueueFiscalReceipt(trx, deps.clock, {
      kind: 'sell_refund',
      paymentId: payment.id,
      refundId,
      receipt: request.receipt
        ? draftFromReceipt(request.receipt, { email: payment.email })
        : fallbackDraft({ description: payment.description, amountMinor, email: payment.email }),
    });
    await notifyRefund(trx, deps, {
      refundId,
      payment,
      amountMinor,
      remainingMinor: remainingMinor - amountMinor,
    });
    return toRefundView(row);
  });
}

/**
 * The cabinet's refund: the payment must be the caller's (else "not found"); the amount text is parsed
 * exactly in the payment's currency; a missing amount refunds everything that is left.
 */
export async function refundFromCabinet(
  deps: Deps,
  actor: { readonly accountId: string; readonly userId: string },
  paymentId: string,
  amountText: string | undefined,
  ip: string | null,
  items?: unknown,
): Promise<RefundView> {
  const receipt = readCabinetRefundItems(items);
  let amountMinor: bigint | undefined;
  if (amountText !== undefined) {
    const payment = await deps.db
      .selectFrom('payments')
      .select('currency')
      .where('id', '=', paymentId)
      .where('account_id', '=', actor.accountId)
      .executeTakeFirst();
    if (!payment) throw refundErrors.operationNotFound();
    const trimmed = amountText.trim();
    if (trimmed === '') throw validationError({ amount: amountProblems.required });
    amountMinor = parseDecimalToMinor(trimmed, payment.currency);
    if (amountMinor === undefined || amountMinor <= 0n)
      throw validationError({ amount: amountProblems.invalid });
  }
  return refundPayment(deps, {
    paymentId,
    accountId: actor.accountId,
    ...(amountMinor !== undefined ? { amountMinor } : {}),
    source: 'cabinet',
    requestedBy: actor.userId,
    ip,
    ...(receipt ? { receipt } : {}),
  });
}

/**
 * The cabinet refund's receipt items (camelCase: name, quantity, cost or sum, tax, paymentMethod,
 * paymentObject), read by the Receipt rules; a problem is a field error on `items` naming the item and
 * field. Their total is checked against the refunded amount under the payment's lock.
 */
function readCabinetRefundItems(items: unknown): Receipt | undefined {
  if (items === undefined || items === null) return undefined;
  const parsed = parseReceiptItemList(items, 'camel');
  if (!parsed.ok) throw validationError({ items: { code: 'invalid_items', text: parsed.message } });
  return parsed.receipt;
}

/** A payment's refunds with the totals, scoped to the account (another account's payment: "not found"). */
export async function listPaymentRefunds(
  db: Kysely<Database>,
  accountId: string,
  paymentId: string,
): Promise<RefundList> {
  const payment = await db
    .selectFrom('payments')
    .select(['id', 'amount_minor', 'currency', 'status'])
    .where('id', '=', paymentId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!payment) throw refundErrors.operationNotFound();
  const [rows, refundedMinor] = await Promise.all([
    db
      .selectFrom('refunds')
      .leftJoin('users', 'users.id', 'refunds.requested_by')
      .selectAll('refunds')
      .select('users.login as requested_by_login')
      .where('refunds.payment_id', '=', payment.id)
      .orderBy('refunds.created_at')
      .orderBy('refunds.id')
      .limit(MAX_LISTED_REFUNDS)
      .execute(),
    sumRefunds(db, payment.id),
  ]);
  const remainingMinor = payment.amount_minor - refundedMinor;
  return {
    items: rows.map((row) => ({ ...toRefundView(row), requestedByLogin: row.requested_by_login })),
    currency: payment.currency,
    paid: formatMinor(payment.amount_minor, payment.currency),
    refunded: formatMinor(refundedMinor, payment.currency),
    remaining: formatMinor(remainingMinor, payment.currency),
    isRefundable: payment.status === 'paid' && remainingMinor > 0n,
  };
}

/** The Refund API's GetState: any refund by its requestId (a UUID nobody can guess). */
export async function findRefundByRequestId(
  db: Kysely<Database>,
  requestId: string,
): Promise<RefundRow | undefined> {
  return db.selectFrom('refunds').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}
