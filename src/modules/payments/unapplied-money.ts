/**
 * Money a method's provider took that pays no payment, so it is the buyer's and the platform holds it
 * until the operator returns it (the platform 'overpayments' account, migration 0039):
 * - 'overpaid': cash beyond the amount, kept as an overpayment (KOPEK_CASH_OVERPAYMENT=keep);
 * - 'paid_twice': a second method paid a payment that was already paid;
 * - 'left_on_closed_attempt': cash paid into a terminal code that expired (or that the buyer left for
 *   another method) before it was paid in full.
 * The acquirer side (clearing) owes the platform this money like any other: each movement is a balanced
 * transfer keyed by the attempt and the reason, so a repeated callback posts nothing twice. Test
 * payments move no money, here as everywhere.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Currency } from '../../platform/money.js';
import type { Database, PaymentRow } from '../../schema.js';
import { platformAccount, postTransfer } from '../ledger/index.js';

export type UnappliedReason = 'overpaid' | 'paid_twice' | 'left_on_closed_attempt';

interface UnappliedMoney {
  readonly payment: Pick<PaymentRow, 'id' | 'currency' | 'is_test'>;
  readonly attemptId: string;
  readonly amountMinor: bigint;
  readonly reason: UnappliedReason;
}

function legs(currency: Currency, amountMinor: bigint) {
  return [
    { account: platformAccount('acquirer_clearing', currency), amountMinor },
    { account: platformAccount('overpayments', currency), amountMinor: -amountMinor },
  ];
}

/** Holds the money for the buyer. */
export async function holdUnappliedMoney(trx: Transaction<Database>, deps: Deps, money: UnappliedMoney) {
  if (money.payment.is_test || money.amountMinor <= 0n) return;
  await postTransfer(trx, deps.clock, {
    idempotencyKey: `method-unapplied:${money.attemptId}:${money.reason}`,
    kind: 'method_unapplied',
    reference: money.payment.id,
    currency: money.payment.currency,
    legs: legs(money.payment.currency, money.amountMinor),
  });
}

/** Undoes a hold when the money pays the payment after all (the rest of the cash arrived late). */
export async function releaseUnappliedMoney(trx: Transaction<Database>, deps: Deps, money: UnappliedMoney) {
  if (money.payment.is_test || money.amountMinor <= 0n) return;
  await postTransfer(trx, deps.clock, {
    idempotencyKey: `method-unapplied:${money.attemptId}:${money.reason}:released`,
    kind: 'method_unapplied_released',
    reference: money.payment.id,
    currency: money.payment.currency,
    legs: legs(money.payment.currency, -money.amountMinor),
  });
}
