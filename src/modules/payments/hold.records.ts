/**
 * The steps of a hold as database changes, each in the caller's transaction together with everything it
 * causes: the payment's status, the hold row, the timeline event, the ledger transfer (live payments
 * only) and the notifications (transactional outbox). The caller holds the payment's lock.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, PaymentRow } from '../../schema.js';
import { postTransfer } from '../ledger/index.js';
import { findShopById } from '../shops/index.js';
import {
  buildCaptureLegs,
  buildHoldLegs,
  buildReleaseLegs,
  captureTransferKey,
  holdTransferKey,
  releaseTransferKey,
  type HoldMoney,
} from './hold.ledger.js';
import { withHoldTablesInTransaction, type HoldReleaseReason, type HoldRow } from './hold.tables.js';
import {
  BANK_CARD_METHOD,
  computePaymentFee,
  notifyPaymentPaid,
  type Settlement,
} from './payment-completion.js';
import { recordPaymentEvent } from './payment.events.js';
import { notifyResultUrl2 } from './result-url2.js';

const DAY_MS = 24 * 3_600_000;

function moneyOf(hold: HoldRow): HoldMoney {
  return { shopId: hold.shop_id, currency: hold.currency, heldMinor: hold.amount_minor };
}

async function requireShop(trx: Transaction<Database>, payment: PaymentRow) {
  const shop = await findShopById(trx, payment.shop_id);
  if (!shop) throw new Error(`payment ${payment.id} has no shop`);
  return shop;
}

/** The hold row, locked; taken after the payment's lock (the order every hold step follows). */
export async function lockHold(trx: Transaction<Database>, paymentId: string): Promise<HoldRow | undefined> {
  return withHoldTablesInTransaction(trx)
    .selectFrom('payment_holds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * The acquirer authorized the card for a StepByStep payment: the amount is reserved, not charged. The
 * payment becomes 'held' with its OpKey (Robokassa gives one to a hold), the hold row starts its
 * automatic-release clock, and only ResultUrl2 ("HOLD") tells the shop: ResultURL waits for the capture.
 */
export async function markPaymentHeld(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  settlement: Settlement,
): Promise<void> {
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.holdReleaseDays * DAY_MS);
  const held = await trx
    .updateTable('payments')
    .set({
      status: 'held',
      updated_at: now,
      op_key: settlement.opKey,
      card_mask: settlement.cardMask,
      payment_method: BANK_CARD_METHOD.paymentMethod,
      inc_curr_label: BANK_CARD_METHOD.incCurrLabel,
      fee_minor: 0n,
    })
    .where('id', '=', payment.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await withHoldTablesInTransaction(trx)
    .insertInto('payment_holds')
    .values({
      payment_id: payment.id,
      shop_id: payment.shop_id,
      amount_minor: payment.amount_minor,
      currency: payment.currency,
      acquirer_reference: settlement.acquirerReference,
      status: 'held',
      capture_amount_minor: null,
      capture_out_sum_text: null,
      capture_receipt: null,
      release_reason: null,
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
      captured_at: null,
      released_at: null,
    })
    .execute();
  await recordPaymentEvent(trx, deps.clock, payment.id, 'held', {
    opKey: settlement.opKey,
    cardMask: settlement.cardMask,
    rrn: settlement.rrn,
    acquirerReference: settlement.acquirerReference,
    amount: formatMinor(payment.amount_minor, payment.currency),
    currency: payment.currency,
    releaseAt: expiresAt.toISOString(),
  });
  if (!payment.is_test) {
    const money = { shopId: payment.shop_id, currency: payment.currency, heldMinor: payment.amount_minor };
    await postTransfer(trx, deps.clock, {
      idempotencyKey: holdTransferKey(payment.id),
      kind: 'hold',
      reference: payment.id,
      currency: payment.currency,
      legs: buildHoldLegs(money),
    });
  }
  await notifyResultUrl2(trx, deps, await requireShop(trx, held), held, 'HOLD', held.amount_minor);
}

/**
 * The acquirer captured `capturedMinor` of the hold: from here the payment is an ordinary paid payment
 * of that amount (OutSum as the shop sent it to Confirm), with its fee, its 'paid' ledger transfer
 * (which settlement moves on as usual), ResultURL, ResultUrl2 ("OK") and the buyer's e-mail. What was
 * not captured went back to the cardholder.
 */
export async function recordHoldCaptured(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  hold: HoldRow,
  capturedMinor: bigint,
): Promise<void> {
  const now = deps.clock.now();
  const feeMinor = await computePaymentFee(trx, deps, payment, capturedMinor);
  await withHoldTablesInTransaction(trx)
    .updateTable('payment_holds')
    .set({ status: 'captured', captured_at: now, updated_at: now })
    .where('payment_id', '=', payment.id)
    .execute();
  const paid = await trx
    .updateTable('payments')
    .set({
      status: 'paid',
      paid_at: now,
      updated_at: now,
      amount_minor: capturedMinor,
      out_sum_text: hold.capture_out_sum_text ?? payment.out_sum_text,
      fee_minor: feeMinor,
    })
    .where('id', '=', payment.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordPaymentEvent(trx, deps.clock, payment.id, 'hold_captured', {
    amount: formatMinor(capturedMinor, payment.currency),
    held: formatMinor(hold.amount_minor, payment.currency),
    released: formatMinor(hold.amount_minor - capturedMinor, payment.currency),
    fee: formatMinor(feeMinor, payment.currency),
    currency: payment.currency,
  });
  if (!payment.is_test) {
    await postTransfer(trx, deps.clock, {
      idempotencyKey: captureTransferKey(payment.id),
      kind: 'payment',
      reference: payment.id,
      currency: payment.currency,
      legs: buildCaptureLegs(moneyOf(hold), capturedMinor, feeMinor),
    });
  }
  await notifyPaymentPaid(trx, deps, paid);
}

/** The hold ended without a capture: the reserved amount is the cardholder's again. */
export async function recordHoldReleased(
  trx: Transaction<Database>,
  deps: Deps,
  payment: PaymentRow,
  hold: HoldRow,
  reason: HoldReleaseReason,
): Promise<void> {
  const now = deps.clock.now();
  await withHoldTablesInTransaction(trx)
    .updateTable('payment_holds')
    .set({ status: 'released', release_reason: reason, released_at: now, updated_at: now })
    .where('payment_id', '=', payment.id)
    .execute();
  const released = await trx
    .updateTable('payments')
    .set({ status: 'released', updated_at: now })
    .where('id', '=', payment.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordPaymentEvent(trx, deps.clock, payment.id, 'hold_released', {
    reason,
    amount: formatMinor(hold.amount_minor, payment.currency),
    currency: payment.currency,
  });
  if (!payment.is_test) {
    await postTransfer(trx, deps.clock, {
      idempotencyKey: releaseTransferKey(payment.id),
      kind: 'hold_release',
      reference: payment.id,
      currency: payment.currency,
      legs: buildReleaseLegs(moneyOf(hold)),
    });
  }
  const shop = await requireShop(trx, payment);
  await notifyResultUrl2(trx, deps, shop, released, 'CANCELLED', hold.amount_minor);
}
