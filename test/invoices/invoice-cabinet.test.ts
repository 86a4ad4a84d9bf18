/**
 * The cabinet's payment links (/api/cabinet/invoices): creating, listing with states, one link with its
 * payments, deactivating, the QR code; permissions by role, CSRF, and another account's links answering 404.
 */
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
import {
  linkPath,
  openLiveShop,
  pageErrorCode,
  payWithCard,
  startLinkPayment,
  type LiveShop,
} from './invoice-support.js';

let context: TestContext;
let admin: TestBrowser;
let adminUserId: string;
let shop: LiveShop;
let stranger: TestBrowser;
let strangerShop: LiveShop;

beforeAll(async () => {
  context = await createTestContext();
  const registered = await registerMerchant(context);
  admin = registered.browser;
  adminUserId = registered.me.user.id;
  shop = await openLiveShop(context, admin);
  stranger = (await registerMerchant(context)).browser;
  strangerShop = await openLiveShop(context, stranger);
});
afterAll(async () => context?.close());

interface InvoiceView {
  id: string;
  shopId: string;
  shopName: string;
  url: string;
  invId: string | null;
  invoiceType: 'OneTime' | 'Reusable';
  state: 'active' | 'paid' | 'expired' | 'deactivated';
  amount: string;
  description: string;
  isTest: boolean;
  expiresAt: string | null;
  paidCount: number;
  payments?: { id: string; invId: string; status: string }[];
}

function linkForm(overrides: Record<string, unknown> = {}) {
  return {
    shopId: shop.id,
    invoiceType: 'OneTime',
    amount: '1490,50',
    description: 'Годовая подписка',
    ...overrides,
  };
}

async function createLink(
  browser: TestBrowser,
  overrides: Record<string, unknown> = {},
): Promise<InvoiceView> {
  const response = await browser.post('/api/cabinet/invoices', linkForm(overrides));
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as InvoiceView;
}

describe('creating a link', () => {
  it('makes a one-time link with an InvId, audited, that opens the pay page', async () => {
    const link = await createLink(admin, { expiresAt: '2026-03-09T21:00:00.000Z' });

    expect(link).toMatchObject({
      shopId: shop.id,
      invoiceType: 'OneTime',
      state: 'active',
      amount: '1490.50',
      description: 'Годовая подписка',
      isTest: false,
      expiresAt: '2026-03-09T21:00:00.000Z',
      paidCount: 0,
      payments: [],
    });
    expect(link.url).toMatch(new RegExp(`^${TEST_PUBLIC_URL}/merchant/Invoice/[0-9a-z]{20}$`));
    expect(Number(link.invId)).toBeGreaterThanOrEqual(1_000_000_000);
    const audit = await auditEntries(context, 'invoice.created', { target: link.id });
    expect(audit).toMatchObject([{ actor_user_id: adminUserId, details: { source: 'cabinet' } }]);
    const page = await context.app.inject({ method: 'GET', url: linkPath(link.url) });
    expect(page.statusCode).toBe(200);
  });

  it('marks its payments shp_interface=invoice, as Robokassa marks its cabinet links', async () => {
    const link = await createLink(admin, { invoiceType: 'Reusable' });
    expect(link.invId).toBeNull();
    const paymentId = await startLinkPayment(context, link.url);
    const payment = await context.deps.db
      .selectFrom('payments')
      .select('shp')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment.shp).toEqual([['shp_interface', 'invoice']]);
  });

  it.each([
    ['amount', { amount: '12.345' }],
    ['amount', { amount: '0' }],
    ['description', { description: '   ' }],
    ['description', { description: 'я'.repeat(101) }],
    ['expiresAt', { expiresAt: '2026-03-01T09:00:00Z' }],
    ['expiresAt', { expiresAt: 'soon' }],
  ])('refuses an invalid %s with a field error', async (field, overrides) => {
    const response = await admin.post('/api/cabinet/invoices', linkForm(overrides));
    expect(response.statusCode).toBe(422);
    const body = response.json() as { error: { code: string; fields: Record<string, { message: string }> } };
    expect(body.error.code).toBe('validation_failed');
    expect(Object.keys(body.error.fields)).toEqual([field]);
  });

  it('refuses an unknown type by schema, and a live link for a shop that is not active', async () => {
    expect((await admin.post('/api/cabinet/invoices', linkForm({ invoiceType: 'Monthly' }))).statusCode).toBe(
      422,
    );
    const draft = await openLiveShop(context, admin);
    await context.deps.db.updateTable('shops').set({ status: 'test' }).where('id', '=', draft.id).execute();

    const live = await admin.post('/api/cabinet/invoices', linkForm({ shopId: draft.id }));
    expect(live.statusCode).toBe(409);
    expect((live.json() as { error: { code: string } }).error.code).toBe('shop_takes_test_payments_only');
    const test = await createLink(admin, { shopId: draft.id, isTest: true });
    expect(test.isTest).toBe(true);
  });

  it("answers 404 for another account's shop, and 403 without the CSRF token", async () => {
    const foreign = await admin.post('/api/cabinet/invoices', linkForm({ shopId: strangerShop.id }));
    expect(foreign.statusCode).toBe(404);
    expect((foreign.json() as { error: { code: string } }).error.code).toBe('shop_not_found');
    const forged = await admin.post('/api/cabinet/invoices', linkForm(), { 'x-csrf-token': 'forged' });
    expect(forged.statusCode).toBe(403);
  });
});

describe('the list and one link', () => {
  it("lists the account's links newest first with states and paid counts, never another account's", async () => {
    context.clock.advanceMs(1_000);
    const paid = await createLink(admin, { amount: '100' });
    context.clock.advanceMs(1_000);
    const open = await createLink(admin, { amount: '200' });
    const foreign = await createLink(stranger, { shopId: strangerShop.id });
    await payWithCard(context, await startLinkPayment(context, paid.url));

    const response = await admin.get('/api/cabinet/invoices');
    expect(response.statusCode).toBe(200);
    const list = response.json() as { items: InvoiceView[]; total: number; page: number; pageSize: number };
    const ids = list.items.map((item) => item.id);
    expect(ids.slice(0, 2)).toEqual([open.id, paid.id]);
    expect(ids).not.toContain(foreign.id);
    const foreignShop = (await admin.get(`/api/cabinet/invoices?shopId=${strangerShop.id}`)).json();
    expect(foreignShop).toMatchObject({ items: [], total: 0 });
    expect(list.items.find((item) => item.id === paid.id)).toMatchObject({ state: 'paid', paidCount: 1 });
    expect(list.items.find((item) => item.id === open.id)).toMatchObject({ state: 'active', paidCount: 0 });
    expect(list).toMatchObject({ page: 1, pageSize: 20, total: list.items.length });

    const details = (await admin.get(`/api/cabinet/invoices/${paid.id}`)).json() as InvoiceView;
    expect(details.payments).toMatchObject([{ invId: paid.invId, status: 'paid' }]);
  });

  it('pages by 20', async () => {
    const pagedShop = await openLiveShop(context, admin);
    for (let index = 0; index < 21; index += 1) await createLink(admin, { shopId: pagedShop.id });
    const first = (await admin.get(`/api/cabinet/invoices?shopId=${pagedShop.id}`)).json() as {
      items: InvoiceView[];
      total: number;
    };
    const second = (await admin.get(`/api/cabinet/invoices?shopId=${pagedShop.id}&page=2`)).json() as {
      items: InvoiceView[];
    };
    expect(first).toMatchObject({ total: 21 });
    expect(first.items).toHaveLength(20);
    expect(second.items).toHaveLength(1);
    expect(first.items.map((item) => item.id)).not.toContain(second.items[0]?.id);
  });

  it("answers 404 for another account's link: details, deactivation and QR code", async () => {
    const foreign = await createLink(stranger, { shopId: strangerShop.id });
    for (const response of [
      await admin.get(`/api/cabinet/invoices/${foreign.id}`),
      await admin.post(`/api/cabinet/invoices/${foreign.id}/deactivate`),
      await admin.get(`/api/cabinet/invoices/${foreign.id}/qr.svg`),
    ]) {
      expect(response.statusCode).toBe(404);
      expect((response.json() as { error: { code: string } }).error.code).toBe('invoice_not_found');
    }
    const still = (await stranger.get(`/api/cabinet/invoices/${foreign.id}`)).json() as InvoiceView;
    expect(still.state).toBe('active');
  });
});

describe('deactivating and the QR code', () => {
  it('deactivates a link: its page then answers 51, and the action is audited', async () => {
    const link = await createLink(admin);
    const response = await admin.post(`/api/cabinet/invoices/${link.id}/deactivate`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: link.id, state: 'deactivated' });
    const page = await context.app.inject({ method: 'GET', url: linkPath(link.url) });
    expect(pageErrorCode(page.body)).toBe(51);
    expect(await auditEntries(context, 'invoice.deactivated', { target: link.id })).toHaveLength(1);
  });

  it('draws the link as an SVG QR code', async () => {
    const link = await createLink(admin);
    const response = await admin.get(`/api/cabinet/invoices/${link.id}/qr.svg`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(response.body).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The same drawing as the library makes for this address, and not for another one.
    const options = { type: 'svg', errorCorrectionLevel: 'M', margin: 2 } as const;
    expect(response.body).toBe(await QRCode.toString(link.url, options));
    expect(response.body).not.toBe(await QRCode.toString(`${link.url}x`, options));
  });
});

describe('roles', () => {
  it('lets viewers and accountants read links but not create or deactivate them; developers may', async () => {
    const link = await createLink(admin);
    for (const role of ['viewer', 'accountant']) {
      const { browser } = await addEmployee(context, admin, role);
      expect((await browser.get('/api/cabinet/invoices')).statusCode).toBe(200);
      expect((await browser.get(`/api/cabinet/invoices/${link.id}/qr.svg`)).statusCode).toBe(200);
      expect((await browser.post('/api/cabinet/invoices', linkForm())).statusCode).toBe(403);
      expect((await browser.post(`/api/cabinet/invoices/${link.id}/deactivate`)).statusCode).toBe(403);
    }
    const developer = (await addEmployee(context, admin, 'developer')).browser;
    expect((await developer.post('/api/cabinet/invoices', linkForm())).statusCode).toBe(201);
    expect((await developer.post(`/api/cabinet/invoices/${link.id}/deactivate`)).statusCode).toBe(200);
  });

  it('answers 401 without a session', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/cabinet/invoices' });
    expect(response.statusCode).toBe(401);
  });
});
