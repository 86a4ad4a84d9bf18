/**
 * Refunds from the cabinet over HTTP: POST and GET /api/cabinet/operations/:id/refunds with roles,
 * tenant scoping, exact amount parsing, Robokassa-independent error codes, the operation's timeline, the
 * audit log and the shop's balance afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readShopBalances } from '../../src/modules/ledger/index.js';
import { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openLiveShop, pay, refundRows, startPayment, type LiveShop } from './refund-support.js';

let context: TestContext;
const a = {} as {
  admin: TestBrowser;
  adminId: string;
  accountId: string;
  accountant: TestBrowser;
  developer: TestBrowser;
  viewer: TestBrowser;
  shop: LiveShop;
};
const b = {} as { admin: TestBrowser };

beforeAll(async () => {
  context = await createTestContext();
  const merchantA = await registerMerchant(context);
  a.admin = merchantA.browser;
  a.adminId = merchantA.me.user.id;
  a.accountId = merchantA.me.account.id;
  a.accountant = (await addEmployee(context, a.admin, 'accountant')).browser;
  a.developer = (await addEmployee(context, a.admin, 'developer')).browser;
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  a.shop = await openLiveShop(context, a.admin);
  await pay(context, a.shop, '5000.00'); // the shop's balance covers the fees refunds cost it
  b.admin = (await registerMerchant(context)).browser;
});
afterAll(async () => context?.close());

const refundsPath = (paymentId: string) => `/api/cabinet/operations/${paymentId}/refunds`;

interface RefundListAnswer {
  items: { id: string; amount: string; source: string; status: string; requestedByLogin: string | null }[];
  currency: string;
  paid: string;
  refunded: string;
  remaining: string;
  isRefundable: boolean;
}

describe('POST /api/cabinet/operations/:id/refunds', () => {
  it('refunds part of a payment for an administrator, audits it and shows it on the operation', async () => {
    const payment = await pay(context, a.shop, '1490.50');
    const response = await a.admin.post(refundsPath(payment.id), { amount: '490.50' });
    expect(response.statusCode, response.body).toBe(201);
    const refund = response.json() as { id: string; requestId: string };
    expect(refund).toMatchObject({
      paymentId: payment.id,
      amount: '490.50',
      currency: 'RUB',
      status: 'finished',
      source: 'cabinet',
      requestedBy: a.adminId,
    });

    const list = (await a.admin.get(refundsPath(payment.id))).json() as RefundListAnswer;
    expect(list).toMatchObject({
      currency: 'RUB',
      paid: '1490.50',
      refunded: '490.50',
      remaining: '1000.00',
      isRefundable: true,
    });
    expect(list.items).toEqual([
      expect.objectContaining({
        id: refund.id,
        amount: '490.50',
        source: 'cabinet',
        requestedByLogin: 'admin',
      }),
    ]);

    const operation = (await a.admin.get(`/api/cabinet/operations/${payment.id}`)).json() as {
      timeline: { kind: string; details: Record<string, unknown> }[];
    };
    expect(operation.timeline.at(-1)).toMatchObject({
      kind: 'refunded',
      details: { refundId: refund.id, amount: '490.50', remaining: '1000.00', source: 'cabinet' },
    });
    const [audit] = await auditEntries(context, 'operation.refunded', { target: payment.id });
    expect(audit).toMatchObject({ account_id: a.accountId, actor_user_id: a.adminId });
    expect(audit?.details).toEqual({ refundId: refund.id, amount: '490.50', currency: 'RUB' });
    expect(audit?.ip).toBeTruthy();
  });

  it('refunds everything that is left when no amount is sent; then the payment is no longer refundable', async () => {
    const payment = await pay(context, a.shop, '300.00');
    expect((await a.admin.post(refundsPath(payment.id), { amount: '100' })).statusCode).toBe(201);
    const rest = await a.admin.post(refundsPath(payment.id), {});
    expect(rest.statusCode).toBe(201);
    expect(rest.json()).toMatchObject({ amount: '200.00' });
    const list = (await a.admin.get(refundsPath(payment.id))).json() as RefundListAnswer;
    expect(list).toMatchObject({ refunded: '300.00', remaining: '0.00', isRefundable: false });
    const again = await a.admin.post(refundsPath(payment.id), {});
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'refund_exceeds_payment', remaining: '0.00' } });
  });

  it('lets an accountant refund; refuses a developer and a viewer with 403', async () => {
    const payment = await pay(context, a.shop, '100.00');
    for (const browser of [a.viewer, a.developer]) {
      const refused = await browser.post(refundsPath(payment.id), { amount: '10.00' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
      // They may still read the list.
      expect((await browser.get(refundsPath(payment.id))).statusCode).toBe(200);
    }
    expect(await refundRows(context, payment.id)).toHaveLength(0);
    const accepted = await a.accountant.post(refundsPath(payment.id), { amount: '10.00' });
    expect(accepted.statusCode).toBe(201);
  });

  it("answers 404 for another account's payment, to both reading and refunding, and writes nothing", async () => {
    const payment = await pay(context, a.shop, '100.00');
    for (const response of [
      await b.admin.post(refundsPath(payment.id), { amount: '10.00' }),
      await b.admin.post(refundsPath(payment.id), {}),
      await b.admin.get(refundsPath(payment.id)),
      await a.admin.get(refundsPath('pay_doesnotexist')),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'operation_not_found' } });
    }
    expect(await refundRows(context, payment.id)).toHaveLength(0);
  });

  it.each([
    ['a comma', '10,50', 'invalid_amount'],
    ['letters', 'ten', 'invalid_amount'],
    ['zero', '0.00', 'invalid_amount'],
    ['a negative amount', '-5', 'invalid_amount'],
    ['three decimals', '1.005', 'invalid_amount'],
    ['an empty string', '  ', 'required'],
  ])('answers 422 on the amount field for %s', async (_name, amount, code) => {
    const payment = await pay(context, a.shop, '100.00');
    const response = await a.admin.post(refundsPath(payment.id), { amount }, { 'accept-language': 'en' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: { code: 'validation_failed', fields: { amount: { code } } },
    });
    expect(await refundRows(context, payment.id)).toHaveLength(0);
  });

  it('answers 422 when the amount is not a string', async () => {
    const payment = await pay(context, a.shop, '100.00');
    const response = await a.admin.post(refundsPath(payment.id), { amount: 10 });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ error: { fields: { amount: { code: 'invalid' } } } });
  });

  it('answers 409 refund_exceeds_payment in the caller’s language, naming what is left', async () => {
    const payment = await pay(context, a.shop, '100.00');
    const response = await a.admin.post(
      refundsPath(payment.id),
      { amount: '100.01' },
      { 'accept-language': 'en' },
    );
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: {
        code: 'refund_exceeds_payment',
        message: 'The refund is larger than what is left to refund on this operation: at most 100.00 RUB.',
        remaining: '100.00',
      },
    });
  });

  it('answers 409 payment_not_refundable for a payment that is not paid', async () => {
    const unpaid = await startPayment(context, a.shop, '100.00');
    const response = await a.admin.post(refundsPath(unpaid), { amount: '1.00' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'payment_not_refundable' } });
    const list = (await a.admin.get(refundsPath(unpaid))).json() as RefundListAnswer;
    expect(list).toMatchObject({ items: [], isRefundable: false, refunded: '0.00', remaining: '100.00' });
  });

  it("answers 409 insufficient_shop_funds when the shop's balance does not cover the refund", async () => {
    const shop = await openLiveShop(context, a.admin);
    const first = await pay(context, shop, '1000.00');
    const second = await pay(context, shop, '1000.00');
    expect((await a.admin.post(refundsPath(first.id), {})).statusCode).toBe(201);
    const response = await a.admin.post(refundsPath(second.id), {});
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'insufficient_shop_funds' } });
    expect((response.json() as { error: { message: string } }).error.message).toContain('942.00 RUB');
    expect(await readShopBalances(context.deps.db, shop.id, 'RUB')).toMatchObject({
      pendingMinor: 94_200n,
      availableMinor: 0n,
    });
  });

  it('needs a session and the CSRF header', async () => {
    const payment = await pay(context, a.shop, '100.00');
    const anonymous = await new TestBrowser(context.app).post(refundsPath(payment.id), {});
    expect(anonymous.statusCode).toBe(401);
    const withoutCsrf = await a.admin.post(refundsPath(payment.id), {}, { 'x-csrf-token': 'wrong' });
    expect(withoutCsrf.statusCode).toBe(403);
    expect(withoutCsrf.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    expect(await refundRows(context, payment.id)).toHaveLength(0);
  });
});

describe('balances after refunds', () => {
  it('the shop is owed what its payments brought less every refund', async () => {
    const shop = await openLiveShop(context, a.admin);
    const payments = [await pay(context, shop, '1000.00'), await pay(context, shop, '2000.00')];
    const credited = payments.reduce((sum, payment) => sum + payment.amountMinor - payment.feeMinor, 0n);
    expect((await a.admin.post(refundsPath(payments[0]?.id ?? ''), { amount: '250.00' })).statusCode).toBe(
      201,
    );
    expect((await a.accountant.post(refundsPath(payments[1]?.id ?? ''), { amount: '0.01' })).statusCode).toBe(
      201,
    );
    expect(await readShopBalances(context.deps.db, shop.id, 'RUB')).toEqual({
      pendingMinor: credited - 25_001n,
      availableMinor: 0n,
      onHoldMinor: 0n,
      inPayoutMinor: 0n,
    });
  });
});

describe("the operation page's ledger entries", () => {
  it('lists every leg of the payment and of its refund, each transfer balanced', async () => {
    const payment = await pay(context, a.shop, '1490.00');
    const refunded = await a.admin.post(refundsPath(payment.id), { amount: '100.00' });
    expect(refunded.statusCode, refunded.body).toBe(201);
    const view = (await a.admin.get(`/api/cabinet/operations/${payment.id}`)).json() as {
      ledger: { transferId: string; kind: string; owner: string; account: string; amount: string }[];
    };
    const legs = (kind: string) =>
      view.ledger
        .filter((entry) => entry.kind === kind)
        .map((entry) => [entry.owner, entry.account, entry.amount]);
    // 1490.00 from the acquirer: 1446.79 owed to the shop, 43.21 fee (2.9 %).
    expect(legs('payment')).toEqual([
      ['platform', 'acquirer_clearing', '-1490.00'],
      ['shop', 'pending', '1446.79'],
      ['platform', 'fee_revenue', '43.21'],
    ]);
    expect(
      legs('refund')
        .map(([, , amount]) => amount)
        .sort(),
    ).toContain('-100.00');
    const byTransfer = new Map<string, number>();
    for (const entry of view.ledger)
      byTransfer.set(
        entry.transferId,
        (byTransfer.get(entry.transferId) ?? 0) + Math.round(Number(entry.amount) * 100),
      );
    expect([...byTransfer.values()].every((sum) => sum === 0)).toBe(true);
  });
});
