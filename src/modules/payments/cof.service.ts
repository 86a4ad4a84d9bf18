/**
 * Saved-card payments (CoF, robokassa-protocol.md §7.1): `/Merchant/Payment/CoFPayment` carries
 * `Token` = the OpKey of an earlier card operation of the same shop (OpStateExt's `OpKey`, kept in
 * payments.op_key). The card is the one that operation was paid with (its approved attempt's vault
 * token); the buyer only types the CVC, and the card flow charges that card as usual (3-D Secure
 * included). The card number never leaves the vault but for the acquirer call.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Database, PaymentRow } from '../../schema.js';
import type { CardAcquirer } from '../methods/index.js';
import { protocolError, type ProtocolError } from '../protocol/index.js';
import { payBySavedCard, type CardStep } from './card-payment.service.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface CofCard {
  /** The earlier operation whose card pays. */
  readonly paymentId: string;
  readonly token: string;
  readonly mask: string;
}

/** The approved card of a payment: the card its OpKey stands for. */
async function findApprovedCard(executor: Executor, paymentId: string): Promise<CofCard | undefined> {
  const attempt = await executor
    .selectFrom('card_attempts')
    .select(['card_token', 'card_mask'])
    .where('payment_id', '=', paymentId)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  return attempt && { paymentId, token: attempt.card_token, mask: attempt.card_mask };
}

/**
 * The card behind a Token for this shop, or error 35 naming Token. Another shop's OpKey, an unknown
 * one and one of the other mode (a test operation for a live payment) read alike: nothing is told
 * about operations the shop does not own.
 */
export async function resolveCofToken(
  executor: Executor,
  target: { shopId: string; token: string; isTest: boolean },
): Promise<{ ok: true; card: CofCard } | { ok: false; error: ProtocolError }> {
  const operation = await executor
    .selectFrom('payments')
    .select('id')
    .where('op_key', '=', target.token)
    .where('shop_id', '=', target.shopId)
    .where('is_test', '=', target.isTest)
    .executeTakeFirst();
  const card = operation && (await findApprovedCard(executor, operation.id));
  if (card) return { ok: true, card };
  return {
    ok: false,
    error: protocolError(35, 'Token', {
      ru: 'Token не найден: передайте OpKey карточной операции этого магазина (его возвращает OpStateExt).',
      en: 'Token not found: send the OpKey of a card operation of this shop (OpStateExt returns it).',
    }),
  };
}

/** The saved card a CoF payment is paid with; undefined for any other payment. */
export async function findCofCard(deps: Deps, payment: PaymentRow): Promise<CofCard | undefined> {
  if (payment.cof_payment_id === null) return undefined;
  return findApprovedCard(deps.db, payment.cof_payment_id);
}

/** The buyer's CVC for the saved card: the charge goes through the card flow like a typed card. */
export async function payByCofCard(
  deps: Deps,
  acquirer: CardAcquirer,
  input: { payment: PaymentRow; submissionKey: string; cvc: string },
): Promise<CardStep> {
  const card = await findCofCard(deps, input.payment);
  if (!card) throw new Error(`payment ${input.payment.id} is not a saved-card payment`);
  return payBySavedCard(deps, acquirer, {
    paymentId: input.payment.id,
    submissionKey: input.submissionKey,
    card,
    cvc: input.cvc,
    initiator: 'cardholder',
  });
}
