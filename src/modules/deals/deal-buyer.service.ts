/**
 * The buyer's side of a safe deal, reached by the secret link only: seeing the deal, paying it on
 * Kopek's hosted checkout, confirming receipt and opening a dispute. Also the step the payments module
 * calls when the deal's payment is paid (fundDealEscrow), inside that payment's transaction.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { hashToken } from '../../platform/crypto.js';
import type { Database, PaymentRow, ShopsTable } from '../../schema.js';
import { createInvoicePayment } from '../payments/index.js';
import { findShopById } from '../shops/index.js';
import { postEscrowTransfer, postRefundTransfer } from './deal.ledger.js';
import { announceDealStep } from './deal.notices.js';
import { withDealTables, withDealTablesInTransaction, type DealRow } from './deal.tables.js';
import { lockDeal, releaseLockedDeal } from './deal.transitions.js';

/** 32 random bytes in base64url; anything else cannot be a deal's secret, and costs no query. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const MIN_DISPUTE_CHARACTERS = 10;
export const MAX_DISPUTE_CHARACTERS = 2000;

export interface OpenedDeal {
  readonly deal: DealRow;
  readonly shop: ShopsTable;
}

/** Why a buyer's action was refused: the deal's status does not allow it now. */
export type BuyerOutcome =
  | { readonly kind: 'done'; readonly deal: DealRow }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'refused'; readonly deal: DealRow };

function secretHashOf(secret: string): string | undefined {
  return SECRET_PATTERN.test(secret) ? hashToken(secret) : undefined;
}

export async function openDeal(deps: Deps, secret: string): Promise<OpenedDeal | undefined> {
  const secretHash = secretHashOf(secret);
  if (secretHash === undefined) return undefined;
  const deal = await withDealTables(deps.db)
    .selectFrom('deals')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
  const shop = deal ? await findShopById(deps.db, deal.shop_id) : undefined;
  return deal && shop ? { deal, shop } : undefined;
}

/**
 * The payment already started for the deal is used again unless it expired: a declined card leaves it
 * 'failed', and the buyer may still pay it with another card, so a second payment would risk two paid
 * payments for one deal. (Deal payments have no expiry of their own; only an operator could end one.)
 */
async function findReusablePayment(trx: Transaction<Database>, paymentId: string | null) {
  if (paymentId === null) return undefined;
  const payment = await trx
    .selectFrom('payments')
    .select(['id', 'status'])
    .where('id', '=', paymentId)
    .executeTakeFirst();
  return payment && payment.status !== 'expired' ? payment.id : undefined;
}

async function startLockedPayment(trx: Transaction<Database>, deps: Deps, deal: DealRow, ip: string) {
  const reusable = await findReusablePayment(trx, deal.payment_id);
  if (reusable) return reusable;
  const outcome = await createInvoicePayment(trx, deps, {
    dealId: deal.id,
    shopId: deal.shop_id,
    accountId: deal.account_id,
    invId: null,
    isTest: deal.is_test,
    amountMinor: deal.amount_minor,
    currency: deal.currency,
    description: deal.description,
    culture: deal.language,
    email: deal.buyer_email,
    // Marks the payment's origin for the shop's ResultURL handler, as the cabinet's links do.
    shp: [['shp_interface', 'deal']],
    receipt: null,
    resultUrl2: null,
    successUrl2: null,
    successUrl2Method: null,
    failUrl2: null,
    failUrl2Method: null,
    expiresAt: null,
    ip,
  });
  // InvIds come from Kopek's own sequence here (invId null), so no other payment can hold one.
  if (outcome.kind !== 'created') throw new Error(`deal ${deal.id}: an assigned InvId was taken`);
  await withDealTablesInTransaction(trx)
    .updateTable('deals')
    .set({ payment_id: outcome.paymentId, updated_at: deps.clock.now() })
    .where('id', '=', deal.id)
    .execute();
  return outcome.paymentId;
}

/**
 * The buyer pressed "pay": the payment to send them to on the hosted checkout. The deal's lock makes a
 * double click start one payment; a payment that can still be paid is reused.
 */
export async function startDealPayment(
  deps: Deps,
  secret: string,
  ip: string,
): Promise<{ kind: 'started'; paymentId: string } | Exclude<BuyerOutcome, { kind: 'done' }>> {
  const secretHash = secretHashOf(secret);
  if (secretHash === undefined) return { kind: 'not_found' };
  return deps.db.transaction().execute(async (trx) => {
    const deal = await lockDeal(trx, { secretHash });
    if (!deal) return { kind: 'not_found' } as const;
    if (deal.status !== 'created') return { kind: 'refused', deal } as const;
    return { kind: 'started', paymentId: await startLockedPayment(trx, deps, deal, ip) } as const;
  });
}

/** Runs `change` on the deal found by the secret, locked, when its status is 'paid'. */
async function changePaidDeal(
  deps: Deps,
  secret: string,
  change: (trx: Transaction<Database>, deal: DealRow) => Promise<DealRow>,
): Promise<BuyerOutcome> {
  const secretHash = secretHashOf(secret);
  if (secretHash === undefined) return { kind: 'not_found' };
  return deps.db.transaction().execute(async (trx) => {
    const deal = await lockDeal(trx, { secretHash });
    if (!deal) return { kind: 'not_found' } as const;
    if (deal.status !== 'paid') return { kind: 'refused', deal } as const;
    return { kind: 'done', deal: await change(trx, deal) } as const;
  });
}

/** The buyer confirms receipt: the money goes to the shop now. */
export async function confirmReceipt(deps: Deps, secret: string): Promise<BuyerOutcome> {
  return changePaidDeal(deps, secret, (trx, deal) =>
    releaseLockedDeal(trx, deps, deal, { resolution: 'buyer_confirmed', resolvedBy: null, note: null }),
  );
}

export function isDisputeTextValid(text: string): boolean {
  const length = [...text.trim()].length;
  return length >= MIN_DISPUTE_CHARACTERS && length <= MAX_DISPUTE_CHARACTERS;
}

/** The buyer opens a dispute: the deadline no longer releases the money; an operator decides. */
export async function openDispute(deps: Deps, secret: string, text: string): Promise<BuyerOutcome> {
  if (!isDisputeTextValid(text)) throw new Error('openDispute: the caller checks the text first');
  return changePaidDeal(deps, secret, async (trx, deal) => {
    const now = deps.clock.now();
    const disputed = await withDealTablesInTransaction(trx)
      .updateTable('deals')
      .set({ status: 'disputed', dispute_text: text.trim(), disputed_at: now, updated_at: now })
      .where('id', '=', deal.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await announceDealStep(trx, deps, disputed, 'disputed');
    return disputed;
  });
}

/**
 * Called by payments.markPaymentPaid for an escrow payment, in its transaction (the payment row is
 * locked there, then the deal's). The amount goes to escrow and the deal becomes 'paid' with its
 * release time. A deal the merchant cancelled while the buyer was paying gets the money back at once.
 */
export async function fundDealEscrow(trx: Transaction<Database>, deps: Deps, payment: PaymentRow) {
  const deal = await lockDeal(trx, { paymentId: payment.id });
  if (!deal) throw new Error(`escrow payment ${payment.id} has no deal`);
  if (deal.status !== 'created' && deal.status !== 'cancelled') {
    throw new Error(`deal ${deal.id} is ${deal.status}: its payment cannot be paid again`);
  }
  const now = deps.clock.now();
  const releaseAt = new Date(now.getTime() + deal.deadline_days * 86_400_000);
  const wasCancelled = deal.status === 'cancelled';
  const paid = await withDealTablesInTransaction(trx)
    .updateTable('deals')
    .set({ status: wasCancelled ? 'refunded' : 'paid', paid_at: now, release_at: releaseAt, updated_at: now })
    .where('id', '=', deal.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await postEscrowTransfer(trx, deps.clock, paid);
  if (wasCancelled) {
    await postRefundTransfer(trx, deps.clock, paid);
    await announceDealStep(trx, deps, paid, 'refunded');
  } else {
    await announceDealStep(trx, deps, paid, 'paid');
  }
}
