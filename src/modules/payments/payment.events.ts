/** The timeline of a payment: every step is an event row, written in the transaction of the step. */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';
import { enqueueWebhookEvents } from '../webhooks/index.js';

export type PaymentEventKind =
  | 'created'
  | 'reinitiated'
  | 'card_submitted'
  | 'challenge_requested'
  | 'challenge_answered'
  | 'declined'
  | 'acquirer_no_answer'
  | 'paid'
  | 'expired'
  | 'result_url_not_configured'
  | 'refunded'
  // Holds (StepByStep): the amount reserved; the shop's Confirm or Cancel (or the automatic release)
  // asked of the acquirer; the capture or release recorded.
  | 'held'
  | 'hold_capture_requested'
  | 'hold_captured'
  | 'hold_capture_refused'
  | 'hold_release_requested'
  | 'hold_released'
  // Other methods (method-attempt.service.ts): an attempt started with its provider, declined or
  // expired, part of the cash received, money received for a payment already paid, cash paid beyond it.
  | 'method_started'
  | 'method_declined'
  | 'method_expired'
  | 'method_part_received'
  | 'method_paid_twice'
  | 'method_overpaid'
  // A refund through the method's provider (refunds/method-refund.ts): done, or refused and returned.
  | 'refund_finished'
  | 'refund_canceled';

export async function recordPaymentEvent(
  trx: Transaction<Database>,
  clock: Clock,
  paymentId: string,
  kind: PaymentEventKind,
  details: Record<string, unknown> = {},
): Promise<void> {
  await trx
    .insertInto('payment_events')
    .values({ payment_id: paymentId, kind, details: JSON.stringify(details), created_at: clock.now() })
    .execute();
  // Every state change of a payment or refund passes here: its webhook events join the same transaction.
  await enqueueWebhookEvents(trx, clock, paymentId, kind, details);
}
