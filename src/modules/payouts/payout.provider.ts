/**
 * The payout bank behind an interface. The sandbox bank that ships with Kopek is in sandbox-bank.ts.
 *
 * A provider must treat the payout id as an idempotency key: the send job may call send() again for the
 * same payout after a crash or a lost answer, and must get the same answer (the same reference) while
 * the bank pays only once. findPayout() answers, by payout id, whether the bank has received the payout
 * at all: what reconciliation asks once the send attempts have run out.
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

/** What the bank knows of a payout id: nothing, or the answer its send got (or would get again). */
export type PayoutLookupAnswer =
  { readonly isKnown: false } | { readonly isKnown: true; readonly result: PayoutSendResult };

export interface PayoutProvider {
  readonly isSandbox: boolean;
  send(order: PayoutOrder): Promise<PayoutSendResult>;
  fetchStatus(reference: string): Promise<PayoutStatusAnswer>;
  findPayout(payoutId: string): Promise<PayoutLookupAnswer>;
}
