/**
 * The payout bank behind an interface, and the sandbox bank that ships with Kopek.
 *
 * A provider must treat the payout id as an idempotency key: the send job may call send() again for the
 * same payout after a crash between the bank's answer and its recording, and must get the same reference.
 *
 * The sandbox bank decides by the amount's kopecks, so tests and demos can pick an outcome:
 * - ...,13: accepted, then returned by the recipient's bank with "account closed";
 * - ...,14: rejected at once ("the recipient's bank refused the payment");
 * - anything else: accepted, and executed when its status is first asked for.
 * It keeps no state: the reference carries the payout id and amount.
 */
import type { Currency } from '../../platform/money.js';
import type { BankDetails } from './bank-details.validation.js';

export interface PayoutOrder {
  readonly payoutId: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly bankDetails: BankDetails;
}

export type PayoutSendResult = { readonly reference: string } | { readonly rejected: string };

export type PayoutStatusAnswer =
  | { readonly status: 'executed' }
  | { readonly status: 'returned'; readonly reason: string }
  | { readonly status: 'pending' };

export interface PayoutProvider {
  readonly isSandbox: boolean;
  send(order: PayoutOrder): Promise<PayoutSendResult>;
  fetchStatus(reference: string): Promise<PayoutStatusAnswer>;
}

export const SANDBOX_RETURNED_KOPECKS = 13n;
export const SANDBOX_REJECTED_KOPECKS = 14n;

export class SandboxBank implements PayoutProvider {
  readonly isSandbox = true;

  async send(order: PayoutOrder): Promise<PayoutSendResult> {
    if (order.amountMinor % 100n === SANDBOX_REJECTED_KOPECKS)
      return { rejected: "the recipient's bank refused the payment" };
    return { reference: `sandbox-${order.payoutId}-${order.amountMinor}` };
  }

  async fetchStatus(reference: string): Promise<PayoutStatusAnswer> {
    const match = /^sandbox-pyt_[0-9a-z]+-(\d+)$/.exec(reference);
    if (!match?.[1]) return { status: 'pending' };
    return BigInt(match[1]) % 100n === SANDBOX_RETURNED_KOPECKS
      ? { status: 'returned', reason: 'account closed' }
      : { status: 'executed' };
  }
}
