/**
 * The buyer's side of payment links: the page at /merchant/Invoice/<EncodedId>, the payment it starts
 * on the hosted checkout, and Robokassa's page errors 51 (expired or deactivated), 52 (one-time link
 * already paid) and 53 (no such link).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withInvoiceTables } from '../../src/modules/invoices/invoice.tables.js';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  callInvoiceApi,
  createInvoiceViaApi,
  linkPath,
  openLiveShop,
  pageErrorCode,
  payThroughIndex,
  payWithCard,
  shopKey,
  signInvoiceToken,
  startLinkPayment,
  type LiveShop,
} from './invoice-support.js';

let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
});
afterAll(async () => context?.close());

async function openLink(url: string, headers: Record<string, string> = {}) {
  return context.app.inject({
    method: 'GET',
    url: linkPath(url),
    headers: { 'accept-language': 'ru', ...headers },
  });
}

async function pressPay(url: string) {
  return context.app.inject({ method: 'POST', url: linkPath(url), headers: { 'accept-language': 'ru' } });
}

async function paymentsOfShop() {
  return context.deps.db.selectFrom('payments').selectAll().where('shop_id', '=', shop.id).execute();
}

async function linkedPayments(invoiceId: string) {
  return withInvoiceTables(context.deps.db)
    .selectFrom('invoice_payments')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .execute();
}

describe('a one-time link', () => {
  it('shows what it asks to pay, with the checkout’s strict CSP, and starts nothing on GET', async () => {
    const link = await createInvoiceViaApi(context, shop, {
      OutSum: '1490',
      Description: 'Кофе <b>зерно</b>',
    });
    const before = (await paymentsOfShop()).length;

    const page = await openLink(link.url);

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toMatch(/1\s490,00\s₽/);
    expect(page.body).toContain('Кофе &#60;b&#62;зерно&#60;/b&#62;');
    expect(page.body).toContain(`<dd>${link.invId}</dd>`);
    expect(page.body).toContain(`action="${linkPath(link.url)}"`);
    expect(page.body).toContain('Перейти к оплате');
    expect(await paymentsOfShop()).toHaveLength(before);
  });

  it('takes one payment: the same one when the buyer comes back, then error 52 once paid', async () => {
    const link = await createInvoiceViaApi(context, shop, {
      OutSum: 250,
      Description: 'Счёт за март',
      UserFields: { shp_client: '12' },
    });

    const paymentId = await startLinkPayment(context, link.url);
    expect(await startLinkPayment(context, link.url)).toBe(paymentId);

    const payment = await context.deps.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment).toMatchObject({
      shop_id: shop.id,
      inv_id: BigInt(link.invId ?? 0),
      is_inv_id_assigned: false,
      is_test: false,
      status: 'created',
      out_sum_text: '250.00',
      amount_minor: 25_000n,
      description: 'Счёт за март',
      shp: [
        ['shp_client', '12'],
        ['shp_interface', 'InvoiceService.WebApi'],
      ],
    });
    const created = await context.deps.db
      .selectFrom('payment_events')
      .select('details')
      .where('payment_id', '=', paymentId)
      .where('kind', '=', 'created')
      .executeTakeFirstOrThrow();
    expect(created.details).toMatchObject({ invoiceId: link.id, invId: String(link.invId) });

    await payWithCard(context, paymentId);

    for (const response of [await openLink(link.url), await pressPay(link.url)]) {
      expect(response.statusCode).toBe(409);
      expect(pageErrorCode(response.body)).toBe(52);
      expect(response.body).toContain('Счёт уже оплачен.');
      expect(response.body).toContain('По этой ссылке уже заплатили. Повторная оплата невозможна.');
    }
    expect(await linkedPayments(link.id)).toHaveLength(1);
  });

  it('starts one payment when the buyer presses twice at once', async () => {
    const link = await createInvoiceViaApi(context, shop);
    const [first, second] = await Promise.all([pressPay(link.url), pressPay(link.url)]);
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await linkedPayments(link.id)).toHaveLength(1);
  });

  it('refuses with 52 when its InvId was paid through Index.aspx after the link was made', async () => {
    const link = await createInvoiceViaApi(context, shop, { InvId: 880_001 });
    await payThroughIndex(context, shop, '10.00', '880001');

    const response = await pressPay(link.url);

    expect(response.statusCode).toBe(409);
    expect(pageErrorCode(response.body)).toBe(52);
    expect(await linkedPayments(link.id)).toHaveLength(0);
  });
});

describe('a reusable link', () => {
  it('starts a new payment with a new InvId each time, and stays payable after payments', async () => {
    const link = await createInvoiceViaApi(context, shop, {
      InvoiceType: 'Reusable',
      OutSum: 500,
      InvId: 990_001,
    });

    const first = await startLinkPayment(context, link.url);
    await payWithCard(context, first);
    const second = await startLinkPayment(context, link.url);
    await payWithCard(context, second);

    expect(second).not.toBe(first);
    const payments = await context.deps.db
      .selectFrom('payments')
      .select(['inv_id', 'is_inv_id_assigned', 'amount_minor', 'status'])
      .where('id', 'in', [first, second])
      .execute();
    expect(payments).toHaveLength(2);
    expect(new Set(payments.map((payment) => payment.inv_id)).size).toBe(2);
    for (const payment of payments) {
      expect(payment).toMatchObject({ is_inv_id_assigned: true, amount_minor: 50_000n, status: 'paid' });
      expect(payment.inv_id).not.toBe(990_001n);
    }
    expect(await linkedPayments(link.id)).toHaveLength(2);
    expect((await openLink(link.url)).statusCode).toBe(200);
  });
});

describe('a link that can no longer be paid', () => {
  it('answers 51 once its ExpirationDate has passed', async () => {
    const link = await createInvoiceViaApi(context, shop, {
      ExpirationDate: new Date(context.clock.now().getTime() + 3_600_000).toISOString(),
    });
    const page = await openLink(link.url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ссылка действует до');

    context.clock.advanceMs(2 * 3_600_000);

    for (const response of [await openLink(link.url), await pressPay(link.url)]) {
      expect(response.statusCode).toBe(410);
      expect(pageErrorCode(response.body)).toBe(51);
      expect(response.body).toContain('Срок действия счёта истёк.');
      expect(response.body).toContain('Срок действия ссылки на оплату истёк.');
    }
    expect(await linkedPayments(link.id)).toHaveLength(0);
  });

  it('answers 51 once the shop has deactivated it, in English for an English browser', async () => {
    const link = await createInvoiceViaApi(context, shop, { InvoiceType: 'Reusable' });
    await startLinkPayment(context, link.url);
    const token = signInvoiceToken({ MerchantLogin: shop.merchantLogin, Id: link.id }, shopKey(shop));
    await callInvoiceApi(context, 'DeactivateInvoice', token);

    const response = await pressPay(link.url);
    expect(response.statusCode).toBe(410);
    expect(pageErrorCode(response.body)).toBe(51);
    expect(response.body).toContain('Магазин отключил эту ссылку на оплату.');
    const english = await openLink(link.url, { 'accept-language': 'en-GB' });
    expect(english.body).toContain('Robokassa error code: 51');
    expect(english.body).toContain('The shop has switched this payment link off.');
    expect(await linkedPayments(link.id)).toHaveLength(1);
  });

  it('answers 53 for a link that does not exist, whatever the letter case of the path', async () => {
    for (const path of [
      '/merchant/Invoice/aaaaaaaaaaaaaaaaaaaa',
      '/Merchant/Invoice/aaaaaaaaaaaaaaaaaaaa',
      '/merchant/Invoice/not-a-code',
    ]) {
      const response = await context.app.inject({
        method: 'GET',
        url: path,
        headers: { 'accept-language': 'ru' },
      });
      expect(response.statusCode).toBe(404);
      expect(pageErrorCode(response.body)).toBe(53);
      expect(response.body).toContain('Счёт не найден.');
    }
    const post = await context.app.inject({ method: 'POST', url: '/merchant/Invoice/aaaaaaaaaaaaaaaaaaaa' });
    expect(pageErrorCode(post.body)).toBe(53);
  });

  it('answers 25 for a live link once its shop is no longer active', async () => {
    const otherShop = await openLiveShop(context, merchant);
    const link = await createInvoiceViaApi(context, otherShop);
    await context.deps.db
      .updateTable('shops')
      .set({ status: 'moderation' })
      .where('id', '=', otherShop.id)
      .execute();

    const response = await pressPay(link.url);

    expect(response.statusCode).toBe(400);
    expect(pageErrorCode(response.body)).toBe(25);
  });
});

describe('a test link', () => {
  it('says so on its page and starts a test payment, in the language of the link', async () => {
    const payload = {
      MerchantLogin: shop.merchantLogin,
      InvoiceType: 'OneTime',
      OutSum: 99,
      Culture: 'en',
      AdditionalParameters: { IsTest: '1' },
    };
    const token = signInvoiceToken(payload, shopKey(shop, shop.passwords.testPassword1));
    const link = (await callInvoiceApi(context, 'CreateInvoice', token)).json() as { url: string };

    const page = await openLink(link.url);
    expect(page.body).toContain('Test payment');
    expect(page.body).toContain('Proceed to payment');
    const paymentId = await startLinkPayment(context, link.url);
    const payment = await context.deps.db
      .selectFrom('payments')
      .select(['is_test', 'culture'])
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment).toEqual({ is_test: true, culture: 'en' });
  });
});
