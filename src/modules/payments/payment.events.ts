/** The timeline of a payment: every step is an event row, written in the transaction of the step. */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';

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
  | 'refunded';

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
}
