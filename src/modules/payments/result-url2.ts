/**
 * ResultUrl2 (reference §2.1): a notification to the URL the payment request named, as a JWS (RS256)
 * signed with Kopek's key, POSTed whatever the shop's ResultURL method is, acknowledged by any 2xx and
 * delivered again at most five times. Sent when a hold is taken (HOLD), when a payment is paid or a hold
 * captured (OK), and when a hold ends without a capture (CANCELLED).
 *
 * Like Robokassa, Kopek does not send it for test payments: a test notification of this shape could not
 * be told from a live one (it has no IsTest field), and a merchant fulfilling orders on it would ship
 * goods for a test. Test holds are followed with OpStateExt (state 20) instead.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, PaymentRow, ShopsTable } from '../../schema.js';
import { enqueueSignedNotification } from '../notifications/index.js';
import { buildResult2Payload, type Result2State } from '../protocol/index.js';

/** Robokassa: "no more than five" redeliveries after the first attempt. */
export const RESULT_URL2_MAX_ATTEMPTS = 6;

export async function notifyResultUrl2(
  trx: Transaction<Database>,
  deps: Deps,
  shop: Pick<ShopsTable, 'merchant_login'>,
  payment: PaymentRow,
  state: Result2State,
  incSumMinor: bigint,
): Promise<void> {
  if (!payment.result_url2 || payment.is_test) return;
  const payload = buildResult2Payload({
    shop: shop.merchant_login,
    opKey: payment.op_key ?? '',
    invId: String(payment.inv_id),
    paymentMethod: payment.payment_method ?? '',
    incSum: formatMinor(incSumMinor, payment.currency),
    state,
    at: deps.clock.now(),
  });
  await enqueueSignedNotification(
    trx,
    { masterKey: deps.config.masterKey, clock: deps.clock },
    {
      accountId: payment.account_id,
      subjectId: payment.id,
      kind: 'result_url2',
      url: payment.result_url2,
      payload,
      maxAttempts: RESULT_URL2_MAX_ATTEMPTS,
    },
  );
}
