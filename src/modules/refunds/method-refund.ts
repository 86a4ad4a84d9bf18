/**
 * Refunds of payments made with a method other than a card go back through that method's provider (an
 * SBP refund by the operation's reference, a wallet's refund...). The refund is recorded 'processing' with
 * its money moved from the shop to the platform's 'refunds' account (refund.service.ts), and this job,
 * enqueued in the same transaction, asks the provider outside any transaction. Provider refunds are
 * idempotent by our refund id, so a job retried after a crash never returns the money twice.
 *   refunded -> 'finished': 'refunds' pays the provider's clearing (the provider owes us that much less);
 *   refused  -> 'canceled': the money goes back to the shop's available balance, and the shop is told.
 * Cash and phone-balance payments cannot be refunded through the method: refundPayment refuses them.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { enqueueJob } from '../../platform/jobs.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, PaymentRow, RefundRow } from '../../schema.js';
import { platformAccount, postTransfer, shopAccount } from '../ledger/index.js';
import {
  findMethodByLabelOrAlias,
  findProviderByName,
  type MethodRefundOutcome,
  type PaymentMethodMatch,
} from '../methods/index.js';
import { recordPaymentEvent } from '../payments/index.js';

export const METHOD_REFUND_QUEUE = 'refunds.method';

const BANK_CARD = findMethodByLabelOrAlias('BankCard') as PaymentMethodMatch;

/** The method that paid the payment (the bank card for payments from before methods existed). */
export function methodOfPayment(payment: Pick<PaymentRow, 'inc_curr_label'>): PaymentMethodMatch {
  return (payment.inc_curr_label && findMethodByLabelOrAlias(payment.inc_curr_label)) || BANK_CARD;
}

export function refundsThroughProvider(payment: Pick<PaymentRow, 'inc_curr_label' | 'status'>): boolean {
  return methodOfPayment(payment).item.kind !== 'bank_card';
}

export async function enqueueMethodRefund(trx: Transaction<Database>, deps: Deps, refundId: string) {
  await enqueueJob(trx, deps.clock, { queue: METHOD_REFUND_QUEUE, payload: { refundId }, maxAttempts: 20 });
}

export function createMethodRefundHandler(deps: Deps) {
  return async (payload: unknown): Promise<void> => {
    const { refundId } = payload as { refundId: string };
    const refund = await deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refundId)
      .executeTakeFirst();
    if (!refund || refund.status !== 'processing') return;
    const attempt = await deps.db
      .selectFrom('method_attempts')
      .select(['provider', 'provider_reference'])
      .where('payment_id', '=', refund.payment_id)
      .where('status', '=', 'paid')
      .orderBy('finished_at')
      .executeTakeFirst();
    const provider = attempt && findProviderByName(deps.providers.methodProviders, attempt.provider);
    // A provider error is thrown: the job retries with backoff, and the same refund id keeps it single.
    const outcome: MethodRefundOutcome =
      provider?.refund && attempt?.provider_reference
        ? await provider.refund({
            reference: attempt.provider_reference,
            amountMinor: refund.amount_minor,
            refundId: refund.id,
          })
        : { kind: 'refused', reason: 'provider_cannot_refund' };
    await recordOutcome(deps, refund, outcome);
  };
}

async function recordOutcome(deps: Deps, refund: RefundRow, outcome: MethodRefundOutcome): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refund.id)
      .forUpdate()
      .executeTakeFirst();
    if (!current || current.status !== 'processing') return;
    const now = deps.clock.now();
    const isRefunded = outcome.kind === 'refunded';
    await trx
      .updateTable('refunds')
      .set({
        status: isRefunded ? 'finished' : 'canceled',
        finished_at: now,
        provider_reference: outcome.reference ?? null,
      })
      .where('id', '=', refund.id)
      .execute();
    const parked = platformAccount('refunds', refund.currency);
    const counter = isRefunded
      ? platformAccount('acquirer_clearing', refund.currency)
      : shopAccount(refund.shop_id, 'available', refund.currency);
    await postTransfer(trx, deps.clock, {
      idempotencyKey: `refund:${refund.id}:${isRefunded ? 'sent' : 'returned'}`,
      kind: 'refund',
      reference: refund.payment_id,
      currency: refund.currency,
      legs: [
        { account: parked, amountMinor: refund.amount_minor },
        { account: counter, amountMinor: -refund.amount_minor },
      ],
    });
    await recordPaymentEvent(
      trx,
      deps.clock,
      refund.payment_id,
      isRefunded ? 'refund_finished' : 'refund_canceled',
      {
        refundId: refund.id,
        amount: formatMinor(refund.amount_minor, refund.currency),
        ...(outcome.reference ? { providerReference: outcome.reference } : {}),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
      },
    );
  });
}
