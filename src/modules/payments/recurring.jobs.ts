/**
 * The charge job of a child recurring payment: charges the card its parent saved, merchant-initiated
 * (no CVC, no 3-D Secure), through the card flow (payBySavedCard): the attempt is recorded and committed,
 * the acquirer is called outside any transaction, and the outcome is recorded with everything it causes.
 * A job run twice finds its attempt by the submission key and charges nothing more; an acquirer that
 * does not answer leaves the attempt to the card flow's reconcile job.
 */
import type { Deps } from '../../deps.js';
import type { CardAcquirer } from '../methods/index.js';
import { findSavedCard } from '../vault/index.js';
import { payBySavedCard } from './card-payment.service.js';

export const RECURRING_CHARGE_QUEUE = 'payments.recurring-charge';

export interface RecurringChargePayload {
  readonly paymentId: string;
  readonly submissionKey: string;
}

function readPayload(payload: unknown): RecurringChargePayload {
  const { paymentId, submissionKey } = (payload ?? {}) as Record<string, unknown>;
  if (typeof paymentId !== 'string' || typeof submissionKey !== 'string') {
    throw new Error('recurring charge job without paymentId or submissionKey');
  }
  return { paymentId, submissionKey };
}

export function createRecurringChargeHandler(deps: Deps, acquirer: CardAcquirer) {
  return async (payload: unknown): Promise<void> => {
    const { paymentId, submissionKey } = readPayload(payload);
    const child = await deps.db
      .selectFrom('payments')
      .select(['id', 'shop_id', 'status', 'previous_payment_id'])
      .where('id', '=', paymentId)
      .executeTakeFirst();
    if (!child?.previous_payment_id) throw new Error(`payment ${paymentId} is not a recurring charge`);
    // Settled already (an earlier run charged it, or the merchant's retry started a newer charge).
    if (child.status !== 'processing') return;
    const parent = await deps.db
      .selectFrom('payments')
      .select(['id', 'card_mask'])
      .where('id', '=', child.previous_payment_id)
      .executeTakeFirstOrThrow();
    const saved = await findSavedCard(deps.db, { shopId: child.shop_id, paymentId: parent.id });
    if (!saved || !parent.card_mask) throw new Error(`payment ${parent.id} has no saved card`);
    await payBySavedCard(deps, acquirer, {
      paymentId,
      submissionKey,
      card: { token: saved.card_token, mask: parent.card_mask },
      cvc: '',
      initiator: 'merchant',
    });
  };
}
