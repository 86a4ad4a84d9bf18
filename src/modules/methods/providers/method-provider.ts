/**
 * The interface every provider of a non-card method implements (SBP, e-wallets, internet banks, cash
 * terminals, mobile apps, phone operators), and the shape of what it tells Kopek back. A provider is an
 * external party: Kopek records the intent and commits, calls `start` outside any transaction, records
 * what came back, and learns the outcome later from the provider's signed callbacks (or `fetchStatus`).
 *
 * Each provider speaks its own vocabulary; its transformer turns our request into its request and its
 * statuses into ours (`toOurStatus`). A status a transformer does not know is 'unknown' and never counts
 * as paid. The sandbox providers that ship with Kopek implement this interface over HTTP-like pages
 * under /sandbox/... and send their callbacks signed, through the job queue, like a real one would.
 */
import type { PaymentMethodKind, PaymentMethodItem } from '../catalog.js';

export interface MethodStartRequest {
  /** Our attempt id: the provider's idempotency key (a repeated start returns the same operation). */
  readonly attemptId: string;
  readonly paymentId: string;
  readonly method: PaymentMethodItem;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly description: string;
  /** Where the provider sends the buyer back (wallets, banks, apps). */
  readonly returnUrl: string;
  /** What the buyer entered on the checkout page for this method (the phone number, ...). */
  readonly buyerInput: Readonly<Record<string, string>>;
  /** Until when the provider should hold the operation open (the QR's or the code's life). */
  readonly expiresAt: Date;
}

/** What the buyer does next, shown by the checkout page for the attempt. */
export type MethodInstructions =
  /** SBP and mobile apps: a link opened on a phone, shown as a QR code on a desktop. */
  | { readonly type: 'qr_link'; readonly url: string }
  /** Wallets and internet banks: the buyer goes to the provider's pages and comes back. */
  | { readonly type: 'redirect'; readonly url: string }
  /** Cash: a code typed into a terminal, on a printable voucher. */
  | { readonly type: 'payment_code'; readonly code: string }
  /** Phone balance: the operator sent a code by SMS; the buyer types it on our page. */
  | { readonly type: 'sms_confirmation'; readonly maskedPhone: string; readonly operator: string };

export type MethodStartOutcome =
  | {
      readonly kind: 'started';
      readonly reference: string;
      readonly instructions: MethodInstructions;
      /** Facts worth keeping with the attempt (masked account, operator, bank...). No secrets. */
      readonly details?: Readonly<Record<string, unknown>>;
    }
  /** The provider refused before anything began: a field the buyer should fix, or a limit. */
  | { readonly kind: 'refused'; readonly reason: MethodRefusalReason; readonly field?: string };

export const METHOD_REFUSAL_REASONS = [
  'invalid_phone',
  'unknown_operator',
  'limit_per_payment',
  'limit_per_day',
  'provider_unavailable',
] as const;
export type MethodRefusalReason = (typeof METHOD_REFUSAL_REASONS)[number];

/** Our reading of a provider's status. */
export type OurMethodStatus = 'pending' | 'partially_paid' | 'paid' | 'declined' | 'expired' | 'unknown';

/** One authenticated callback, read into our terms. */
export interface MethodEvent {
  /** The provider's id of this notification: the same id twice is processed once. */
  readonly eventId: string;
  readonly reference: string;
  readonly status: OurMethodStatus;
  /** The provider's own word, kept for the record and the debugger. */
  readonly providerStatus: string;
  /** Money received so far for the operation (cash terminals report part payments). */
  readonly receivedMinor?: bigint;
  /** The buyer's account at the provider, masked (shown as IncAccount). */
  readonly maskedAccount?: string;
  readonly declineReason?: string;
}

export type CallbackReading =
  | { readonly ok: true; readonly event: MethodEvent; readonly payload: unknown }
  | { readonly ok: false; readonly reason: 'bad_signature' | 'malformed'; readonly payload?: unknown };

export interface MethodRefundOutcome {
  readonly kind: 'refunded' | 'refused';
  readonly reference?: string;
  readonly reason?: string;
}

export interface MethodProvider {
  /** Stable name: stored with attempts and callbacks, and the path of its callback URL. */
  readonly name: string;
  readonly kinds: readonly PaymentMethodKind[];
  readonly isSandbox: boolean;
  start(request: MethodStartRequest): Promise<MethodStartOutcome>;
  /** Reads and authenticates a callback from its raw body and headers. */
  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading;
  /** A second step the buyer takes on our page (the SMS code): answered by a callback, like the rest. */
  confirm?(reference: string, input: Readonly<Record<string, string>>): Promise<ConfirmOutcome>;
  /** Returns money to the buyer through the method; only for refundable methods. */
  refund?(request: {
    reference: string;
    amountMinor: bigint;
    refundId: string;
  }): Promise<MethodRefundOutcome>;
}

export type ConfirmOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'wrong_code'; readonly triesLeft: number }
  | { readonly kind: 'declined'; readonly reason: string };
