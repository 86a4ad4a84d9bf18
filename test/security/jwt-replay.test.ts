/**
 * Replayed JWTs: Robokassa's Refund and Invoice API tokens carry no timestamp or nonce, so the same token
 * can arrive twice (a merchant's retry after a lost answer, or someone replaying a captured token). Kopek
 * derives the refund's requestId and the link's id from the signed token: the second arrival finds what
 * the first made and hears the same answer; no second refund, no second link, no second ledger transfer.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  callInvoiceApi,
  openLiveShop as openInvoiceShop,
  shopKey,
  signInvoiceToken,
} from '../invoices/invoice-support.js';
import {
  ledgerTotal,
  openLiveShop,
  pay,
  refundRows,
  refundTransfers,
  signRefundToken,
  unbalancedTransfers,
  type LiveShop,
} from '../refunds/refund-support.js';

let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
  // Money in the shop's balance, so partial refunds are covered.
  await pay(context, shop, '5000.00');
});
afterAll(async () => context?.close());

async function createRefund(token: string, transport: 'json-string' | 'text/plain' = 'json-string') {
  const response = await context.app.inject({
    method: 'POST',
    url: '/RefundService/Refund/Create',
    headers: { 'content-type': transport === 'json-string' ? 'application/json' : 'text/plain' },
    payload: transport === 'json-string' ? JSON.stringify(token) : token,
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { success: boolean; message: string | null; requestId: string | null };
}

describe('Refund API tokens', () => {
  // Fails if: sending the same signed token again refunds again (partial refunds would repeat until the
  // payment is drained), or the replay is answered differently from the original.
  it('refunds once per token: a replay, in another transport too, answers the first refund', async () => {
    const payment = await pay(context, shop, '300.00');
    const token = signRefundToken({ OpKey: payment.opKey, RefundSum: 10 }, shop.passwords.password3);

    const first = await createRefund(token);
    expect(first).toMatchObject({ success: true, message: null });
    const replay = await createRefund(token);
    const rawReplay = await createRefund(token, 'text/plain');

    expect(replay).toEqual(first);
    expect(rawReplay).toEqual(first);
    expect(await refundRows(context, payment.id)).toHaveLength(1);
    const transfers = new Set((await refundTransfers(context, payment.id)).map((row) => row.idempotency_key));
    expect(transfers.size).toBe(1);
  });

  // Fails if: identical tokens racing each other both refund (the check must happen under the lock).
  it('refunds once when the same token arrives several times at once', async () => {
    const payment = await pay(context, shop, '300.00');
    const token = signRefundToken({ OpKey: payment.opKey, RefundSum: 25 }, shop.passwords.password3);

    const answers = await Promise.all(Array.from({ length: 6 }, () => createRefund(token)));

    expect(new Set(answers.map((answer) => answer.requestId)).size).toBe(1);
    expect(answers.every((answer) => answer.success)).toBe(true);
    const rows = await refundRows(context, payment.id);
    expect(rows.map((row) => row.amount_minor)).toEqual([2_500n]);
    expect(await unbalancedTransfers(context)).toBe(0);
    expect(await ledgerTotal(context)).toBe(0n);
  });

  // Fails if: the protection also refuses a merchant's deliberate second refund of the same sum.
  it('makes a second refund of the same sum from a different token (a jti claim)', async () => {
    const payment = await pay(context, shop, '300.00');
    const sign = (jti: string) =>
      signRefundToken({ OpKey: payment.opKey, RefundSum: 10, jti }, shop.passwords.password3);

    const first = await createRefund(sign('a'));
    const second = await createRefund(sign('b'));

    expect(first.success && second.success).toBe(true);
    expect(second.requestId).not.toBe(first.requestId);
    expect(await refundRows(context, payment.id)).toHaveLength(2);
  });

  // Fails if: re-encoding the signature (base64url's unused low bits) makes a "new" token that refunds again.
  it('does not treat a re-encoded signature as a new token', async () => {
    const payment = await pay(context, shop, '300.00');
    const token = signRefundToken({ OpKey: payment.opKey, RefundSum: 5 }, shop.passwords.password3);
    const first = await createRefund(token);
    // An HS256 signature is 32 bytes: 43 base64url characters whose last one carries 2 unused bits.
    const last = token.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)] ?? last;
    const reencoded = `${token.slice(0, -1)}${sibling}`;

    const replay = await createRefund(reencoded);

    expect(replay.success ? replay.requestId : replay.message).toBe(
      replay.success ? first.requestId : 'BadRequest',
    );
    expect(await refundRows(context, payment.id)).toHaveLength(1);
  });
});

describe('Invoice API tokens', () => {
  // Fails if: the same token with an InvId, arriving several times at once, makes more than one link or
  // answers differently.
  it('creates one link per token with an InvId, even when copies arrive at once', async () => {
    const invoiceShop = await openInvoiceShop(context, merchant);
    const token = signInvoiceToken(
      {
        MerchantLogin: invoiceShop.merchantLogin,
        InvoiceType: 'Reusable',
        InvId: 77,
        OutSum: 99,
        Description: 'Подписка',
      },
      shopKey(invoiceShop),
    );

    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => (await callInvoiceApi(context, 'CreateInvoice', token)).json()),
    );
    const again = (await callInvoiceApi(context, 'CreateInvoice', token, 'text/plain')).json();

    const first = answers[0] as { id: string; url: string; isSuccess: boolean };
    expect(first.isSuccess).toBe(true);
    for (const answer of [...answers, again]) expect(answer).toEqual(first);
    const rows = await sql<{ id: string }>`select id from invoices where shop_id = ${invoiceShop.id}`.execute(
      context.deps.db,
    );
    expect(rows.rows.map((row) => row.id)).toEqual([first.id]);
  });

  // Documents the decision: without an InvId, identical requests are identical links a shop may want
  // twice (two buyers of the same thing), so a replay makes another unpaid link on the merchant's terms,
  // and nothing else: no payment, no money.
  it('without an InvId, a replay makes only another unpaid link: no payment, no money', async () => {
    const invoiceShop = await openInvoiceShop(context, merchant);
    const token = signInvoiceToken(
      { MerchantLogin: invoiceShop.merchantLogin, InvoiceType: 'OneTime', OutSum: 15, Description: 'Товар' },
      shopKey(invoiceShop),
    );
    const ledgerBefore = await ledgerTotal(context);
    const first = (await callInvoiceApi(context, 'CreateInvoice', token)).json() as { id: string };
    const replay = (await callInvoiceApi(context, 'CreateInvoice', token)).json() as { id: string };
    expect(replay.id).not.toBe(first.id);
    const payments = await sql<{ n: number }>`
      select count(*)::int as n from payments where shop_id = ${invoiceShop.id}`.execute(context.deps.db);
    expect(payments.rows[0]?.n).toBe(0);
    expect(await ledgerTotal(context)).toBe(ledgerBefore);
  });

  // Fails if: a replay of a token with an InvId is refused as "InvId already used" instead of being
  // answered (the merchant retrying after a lost answer must learn its link).
  it('answers a replayed token with an InvId with its link, not with "InvId already used"', async () => {
    const invoiceShop = await openInvoiceShop(context, merchant);
    const token = signInvoiceToken(
      {
        MerchantLogin: invoiceShop.merchantLogin,
        InvoiceType: 'OneTime',
        InvId: 4242,
        OutSum: 10,
        Description: 'Заказ 4242',
      },
      shopKey(invoiceShop),
    );
    const first = (await callInvoiceApi(context, 'CreateInvoice', token)).json();
    const replay = (await callInvoiceApi(context, 'CreateInvoice', token)).json();
    expect(first).toMatchObject({ isSuccess: true, invId: 4242 });
    expect(replay).toEqual(first);
  });
});
