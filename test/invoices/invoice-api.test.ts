/**
 * Robokassa's Invoice API over HTTP (reference §8): CreateInvoice, DeactivateInvoice and
 * GetInvoiceInformationList with a JWT keyed with MerchantLogin:Password #1, in each transport and
 * algorithm merchants' libraries use; Robokassa's answers and refusals, and what they leave in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withInvoiceTables } from '../../src/modules/invoices/invoice.tables.js';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
import {
  callInvoiceApi,
  createInvoiceViaApi,
  openLiveShop,
  payThroughIndex,
  payWithCard,
  shopKey,
  signInvoiceToken,
  startLinkPayment,
  type LiveShop,
  type Transport,
} from './invoice-support.js';

let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;
let otherShop: LiveShop;

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
  otherShop = await openLiveShop(context, (await registerMerchant(context)).browser);
});
afterAll(async () => context?.close());

const LINK = new RegExp(`^${TEST_PUBLIC_URL}/merchant/Invoice/[0-9a-z]{20}$`);

function invoiceRows(shopId: string) {
  return withInvoiceTables(context.deps.db)
    .selectFrom('invoices')
    .selectAll()
    .where('shop_id', '=', shopId)
    .execute();
}

async function invoiceRow(id: string) {
  return withInvoiceTables(context.deps.db)
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

function createPayload(fields: Record<string, unknown> = {}) {
  return {
    MerchantLogin: shop.merchantLogin,
    InvoiceType: 'OneTime',
    OutSum: 150.5,
    Description: 'Консультация',
    ...fields,
  };
}

async function create(token: string, transport: Transport = 'json-string') {
  return (await callInvoiceApi(context, 'CreateInvoice', token, transport)).json() as Record<string, unknown>;
}

describe('CreateInvoice', () => {
  it('creates a one-time link, answering {id, invId, url, isSuccess} with an assigned InvId', async () => {
    const response = await callInvoiceApi(
      context,
      'CreateInvoice',
      signInvoiceToken(
        createPayload({ Culture: 'en', UserFields: { shp_order: '77' }, MerchantComments: 'call first' }),
        shopKey(shop),
      ),
    );

    const answer = response.json() as { id: string; invId: number; url: string; isSuccess: boolean };
    expect(Object.keys(answer)).toEqual(['id', 'invId', 'url', 'isSuccess']);
    expect(answer.isSuccess).toBe(true);
    expect(answer.id).toMatch(/^inv_[0-9a-z]{20}$/);
    expect(answer.url).toMatch(LINK);
    expect(answer.invId).toBeGreaterThanOrEqual(1_000_000_000);
    const row = await invoiceRow(answer.id);
    expect(row).toMatchObject({
      invoice_type: 'OneTime',
      source: 'api',
      is_test: false,
      amount_minor: 15_050n,
      description: 'Консультация',
      merchant_comments: 'call first',
      culture: 'en',
      inv_id: BigInt(answer.invId),
      encoded_id: answer.url.split('/').pop(),
      user_fields: [
        ['shp_order', '77'],
        ['shp_interface', 'InvoiceService.WebApi'],
      ],
    });
    expect(await auditEntries(context, 'invoice.created', { target: answer.id })).toHaveLength(1);
  });

  it.each([
    ['MD5', 'json-string'],
    ['RIPEMD160', 'text/plain'],
    ['SHA1', 'application/jwt'],
    ['HS1', 'json-string'],
    ['SHA256', 'json-string'],
    ['HS256', 'text/plain'],
    ['SHA384', 'json-string'],
    ['HS384', 'json-string'],
    ['SHA512', 'application/jwt'],
    ['HS512', 'json-string'],
    ['sha256', 'json-string'],
  ] as const)('accepts a token signed %s sent as %s', async (alg, transport) => {
    const answer = await create(
      signInvoiceToken(createPayload(), shopKey(shop), { typ: 'JWT', alg }),
      transport,
    );
    expect(answer).toMatchObject({ isSuccess: true });
  });

  it("uses the shop's own algorithm when the header names none", async () => {
    await context.deps.db
      .updateTable('shops')
      .set({ hash_algorithm: 'SHA384' })
      .where('id', '=', shop.id)
      .execute();
    try {
      const header = { typ: 'JWT' };
      expect(await create(signInvoiceToken(createPayload(), shopKey(shop), header, 'sha384'))).toMatchObject({
        isSuccess: true,
      });
      expect(await create(signInvoiceToken(createPayload(), shopKey(shop), header, 'md5'))).toEqual({
        isSuccess: false,
        message: expect.stringMatching(/^Invalid signature/),
      });
    } finally {
      await context.deps.db
        .updateTable('shops')
        .set({ hash_algorithm: 'MD5' })
        .where('id', '=', shop.id)
        .execute();
    }
  });

  it("keeps the merchant's InvId, as a number exact beyond 2^53, and refuses it for a second link", async () => {
    const big = '9223372036854775000';
    const response = await callInvoiceApi(
      context,
      'CreateInvoice',
      signInvoiceToken(createPayload({ InvId: big }), shopKey(shop)),
    );
    expect(response.body).toContain(`"invId":${big},`);

    // Another link (not the same token again, which answers its own link: test/security/jwt-replay).
    const again = await create(
      signInvoiceToken(createPayload({ InvId: big, Description: 'Другая ссылка' }), shopKey(shop)),
    );
    expect(again).toEqual({
      isSuccess: false,
      message: `Invalid InvId: ${big} is already used by another invoice or payment of the shop.`,
    });
  });

  it('refuses a one-time InvId that a live payment of the shop already holds', async () => {
    await payThroughIndex(context, shop, '10.00', '424242');
    const answer = await create(signInvoiceToken(createPayload({ InvId: 424242 }), shopKey(shop)));
    expect(answer).toEqual({
      isSuccess: false,
      message: 'Invalid InvId: 424242 is already used by another invoice or payment of the shop.',
    });
    // A reusable link's InvId only names the link: its payments get their own numbers.
    const reusable = await create(
      signInvoiceToken(createPayload({ InvId: 424242, InvoiceType: 'Reusable' }), shopKey(shop)),
    );
    expect(reusable).toMatchObject({ isSuccess: true, invId: 424242 });
  });

  it('creates a reusable link without an InvId (each payment gets its own)', async () => {
    const answer = await create(signInvoiceToken(createPayload({ InvoiceType: 'reusable' }), shopKey(shop)));
    expect(answer).toMatchObject({ isSuccess: true, invId: null, url: expect.stringMatching(LINK) });
    expect(await invoiceRow(String(answer.id))).toMatchObject({ invoice_type: 'Reusable', inv_id: null });
  });

  it('takes ExpirationDate, InvoiceItems as the Receipt, SuccessUrl2Data and the e-mail', async () => {
    const answer = await create(
      signInvoiceToken(
        createPayload({
          OutSum: '300',
          ExpirationDate: '2026-03-05T12:00:00+03:00',
          Sno: 'usn_income',
          InvoiceItems: [
            { Name: 'Товар', Quantity: 2, Cost: 150, Tax: 'vat20', PaymentMethod: 'full_payment' },
          ],
          SuccessUrl2Data: { Url: 'https://shop.example/thanks', Method: 'POST' },
          Aliases: ['BankCard', 'SBP'],
          AdditionalParameters: { Email: 'buyer@example.ru' },
        }),
        shopKey(shop),
      ),
    );
    expect(answer).toMatchObject({ isSuccess: true });
    const row = await invoiceRow(String(answer.id));
    expect(row).toMatchObject({
      amount_minor: 30_000n,
      expires_at: new Date('2026-03-05T09:00:00Z'),
      success_url2: 'https://shop.example/thanks',
      success_url2_method: 'POST',
      email: 'buyer@example.ru',
    });
    expect(JSON.parse(String(row.receipt))).toEqual({
      sno: 'usn_income',
      // Read by the Receipt rules and written back in Robokassa's own form, with the line's sum.
      items: [
        { name: 'Товар', quantity: 2, cost: 150, sum: 300, tax: 'vat20', payment_method: 'full_payment' },
      ],
    });
  });

  it.each([
    ['not a JWT', 'hello'],
    ['two segments', 'eyJhbGciOiJNRDUifQ.e30'],
    ['an empty body', ''],
    ['alg none', `${b64({ alg: 'none' })}.${b64({ MerchantLogin: 'x' })}.c2ln`],
    ['an unknown algorithm', `${b64({ alg: 'HS1024' })}.${b64({ MerchantLogin: 'x' })}.c2ln`],
    ['a payload that is not an object', `${b64({ alg: 'MD5' })}.${b64([1, 2])}.c2ln`],
  ])('answers a bad request for %s', async (_name, token) => {
    const answer = await create(token);
    expect(answer).toEqual({ isSuccess: false, message: expect.stringMatching(/^Invalid request: /) });
  });

  it.each([
    ['Password #2', () => shopKey(shop, shop.passwords.password2)],
    ['Password #1 without the login', () => shop.passwords.password1],
    ['the login in other letter case', () => shopKey(shop).toUpperCase()],
    ["another shop's key", () => shopKey(otherShop)],
    ['the test Password #1 for a live link', () => shopKey(shop, shop.passwords.testPassword1)],
  ])('refuses a token signed with %s', async (_name, key) => {
    const before = (await invoiceRows(shop.id)).length;
    const answer = await create(signInvoiceToken(createPayload(), key()));
    expect(answer).toEqual({ isSuccess: false, message: expect.stringMatching(/^Invalid signature: /) });
    expect(await invoiceRows(shop.id)).toHaveLength(before);
  });

  it('refuses an unknown shop', async () => {
    const answer = await create(
      signInvoiceToken(createPayload({ MerchantLogin: 'no-such-shop' }), 'no-such-shop:password'),
    );
    expect(answer).toEqual({
      isSuccess: false,
      message: 'Merchant not found: no shop has this MerchantLogin.',
    });
  });

  it.each([
    ['MerchantLogin', { MerchantLogin: 42 }],
    ['InvoiceType', { InvoiceType: 'Monthly' }],
    ['InvoiceType', { InvoiceType: undefined }],
    ['InvId', { InvId: -5 }],
    ['InvId', { InvId: 'abc' }],
    ['OutSum', { OutSum: 0 }],
    ['OutSum', { OutSum: '10.001' }],
    ['OutSum', { OutSum: undefined }],
    ['Description', { Description: 'x'.repeat(101) }],
    ['Culture', { Culture: 'de' }],
    ['UserFields', { UserFields: { info: 'no prefix' } }],
    ['InvoiceItems', { InvoiceItems: { Name: 'not an array' } }],
    ['InvoiceItems', { InvoiceItems: [{ Name: 'Товар', Quantity: 0, Cost: 1, Tax: 'none' }] }],
    // 54-FZ rules: a retired VAT rate, and items that do not add up to OutSum.
    ['InvoiceItems', { InvoiceItems: [{ Name: 'Товар', Quantity: 1, Cost: 100, Tax: 'vat18' }] }],
    ['InvoiceItems', { InvoiceItems: [{ Name: 'Товар', Quantity: 1, Cost: 1, Tax: 'none' }] }],
    ['Sno', { Sno: 'envd2', InvoiceItems: [{ Name: 'Товар', Quantity: 1, Cost: 150.5, Tax: 'none' }] }],
    ['SuccessUrl2Data', { SuccessUrl2Data: { Url: 'javascript:alert(1)' } }],
    ['FailUrl2Data', { FailUrl2Data: { Url: 'https://shop.example/fail', Method: 'PUT' } }],
    ['ExpirationDate', { ExpirationDate: '2026-03-01T12:00:00+03:00' }],
    ['ExpirationDate', { ExpirationDate: 'tomorrow' }],
    ['Aliases', { Aliases: ['SBP'] }],
    ['AdditionalParameters.StepByStep', { AdditionalParameters: { StepByStep: 'true' } }],
    ['AdditionalParameters.Email', { AdditionalParameters: { Email: 'not-an-address' } }],
  ] as [string, Record<string, unknown>][])(
    'refuses an invalid %s, creating nothing',
    async (field, fields) => {
      const before = (await invoiceRows(shop.id)).length;
      const login = 'MerchantLogin' in fields ? 'x' : shop.merchantLogin;
      const answer = await create(
        signInvoiceToken(createPayload(fields), `${login}:${shop.passwords.password1}`),
      );
      expect(answer).toEqual({
        isSuccess: false,
        message: expect.stringMatching(new RegExp(`^Invalid ${field}: `)),
      });
      expect(await invoiceRows(shop.id)).toHaveLength(before);
    },
  );

  it('creates only test links for a shop that is not active, signed with the test password', async () => {
    const testShop = await openLiveShop(context, merchant);
    await context.deps.db
      .updateTable('shops')
      .set({ status: 'test' })
      .where('id', '=', testShop.id)
      .execute();
    const live = { ...createPayload(), MerchantLogin: testShop.merchantLogin };
    expect(await create(signInvoiceToken(live, shopKey(testShop)))).toEqual({
      isSuccess: false,
      message:
        'The shop is not activated: only test invoices (AdditionalParameters.IsTest = "1") can be created.',
    });

    const test = { ...live, AdditionalParameters: { IsTest: '1' } };
    const answer = await create(signInvoiceToken(test, shopKey(testShop, testShop.passwords.testPassword1)));
    expect(answer).toMatchObject({ isSuccess: true });
    expect(await invoiceRow(String(answer.id))).toMatchObject({ is_test: true });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('DeactivateInvoice', () => {
  async function deactivate(fields: Record<string, unknown>, key = shopKey(shop)) {
    const token = signInvoiceToken({ MerchantLogin: shop.merchantLogin, ...fields }, key);
    return (await callInvoiceApi(context, 'DeactivateInvoice', token)).json() as Record<string, unknown>;
  }

  it.each([
    [
      'EncodedId',
      (created: { id: string; url: string; invId: number | null }) => created.url.split('/').pop(),
    ],
    ['Id', (created: { id: string }) => created.id],
    ['InvId', (created: { invId: number | null }) => created.invId],
  ])('deactivates a link named by %s, and again without complaint', async (field, value) => {
    const created = await createInvoiceViaApi(context, shop);
    expect(await deactivate({ [field]: value(created) })).toEqual({ isSuccess: true });
    const row = await invoiceRow(created.id);
    expect(row.deactivated_at).toEqual(context.clock.now());
    expect(await deactivate({ [field]: value(created) })).toEqual({ isSuccess: true });
    expect(await auditEntries(context, 'invoice.deactivated', { target: created.id })).toHaveLength(1);
  });

  it("answers not found for an unknown link and for another shop's link", async () => {
    const foreign = await createInvoiceViaApi(context, otherShop);
    expect(await deactivate({ Id: foreign.id })).toEqual({ isSuccess: false, message: 'Invoice not found.' });
    expect(await deactivate({ EncodedId: 'aaaaaaaaaaaaaaaaaaaa' })).toEqual({
      isSuccess: false,
      message: 'Invoice not found.',
    });
    expect((await invoiceRow(foreign.id)).deactivated_at).toBeNull();
  });

  it('refuses a request naming no link, a bad signature, and the test password for a live link', async () => {
    const created = await createInvoiceViaApi(context, shop);
    expect(await deactivate({})).toEqual({
      isSuccess: false,
      message: 'Invalid EncodedId: one of EncodedId, Id or InvId is expected.',
    });
    expect(await deactivate({ Id: created.id }, shopKey(shop, 'wrong'))).toMatchObject({
      isSuccess: false,
      message: expect.stringMatching(/^Invalid signature/),
    });
    expect(await deactivate({ Id: created.id }, shopKey(shop, shop.passwords.testPassword1))).toEqual({
      isSuccess: false,
      message: 'Invoice not found.',
    });
    expect((await invoiceRow(created.id)).deactivated_at).toBeNull();
  });
});

describe('GetInvoiceInformationList', () => {
  let listShop: LiveShop;
  const made: Record<string, { id: string; url: string; invId: number | null }> = {};

  beforeAll(async () => {
    listShop = await openLiveShop(context, merchant);
    // One second between links, so "newest first" has one answer.
    const later = () => context.clock.advanceMs(1_000);
    made.paid = await createInvoiceViaApi(context, listShop, { OutSum: 100, Description: 'Оплаченный счёт' });
    await payWithCard(context, await startLinkPayment(context, made.paid.url));
    later();
    made.open = await createInvoiceViaApi(context, listShop, { OutSum: 200, Description: 'Открытый счёт' });
    later();
    made.reusable = await createInvoiceViaApi(context, listShop, {
      InvoiceType: 'Reusable',
      OutSum: 300,
      Description: 'Абонемент',
      MerchantComments: 'зал №3',
    });
    later();
    made.expiring = await createInvoiceViaApi(context, listShop, {
      OutSum: 400,
      ExpirationDate: new Date(context.clock.now().getTime() + 60_000).toISOString(),
    });
    later();
    made.deactivated = await createInvoiceViaApi(context, listShop, { OutSum: 500 });
    const token = signInvoiceToken(
      { MerchantLogin: listShop.merchantLogin, Id: made.deactivated.id },
      shopKey(listShop),
    );
    await callInvoiceApi(context, 'DeactivateInvoice', token);
    context.clock.advanceMs(120_000);
  });

  async function list(fields: Record<string, unknown> = {}, key?: string) {
    const payload = {
      MerchantLogin: listShop.merchantLogin,
      CurrentPage: 1,
      PageSize: 10,
      InvoiceStatuses: ['Paid', 'Expired', 'Notpaid'],
      InvoiceTypes: ['OneTime', 'Reusable'],
      DateFrom: '2026-03-01T00:00:00+03:00',
      DateTo: '2026-03-03T00:00:00+03:00',
      ...fields,
    };
    const response = await callInvoiceApi(
      context,
      'GetInvoiceInformationList',
      signInvoiceToken(payload, key ?? shopKey(listShop)),
    );
    return response.json() as {
      isSuccess: boolean;
      message?: string;
      currentPage: number;
      pageSize: number;
      totalCount: number;
      totalPages: number;
      invoices: Record<string, unknown>[];
    };
  }

  const ids = (answer: { invoices: Record<string, unknown>[] }) => answer.invoices.map((item) => item.id);

  it("lists the shop's links, newest first, each with its status", async () => {
    const answer = await list();
    expect(answer).toMatchObject({
      isSuccess: true,
      currentPage: 1,
      pageSize: 10,
      totalCount: 5,
      totalPages: 1,
    });
    expect(ids(answer)).toEqual([
      made.deactivated?.id,
      made.expiring?.id,
      made.reusable?.id,
      made.open?.id,
      made.paid?.id,
    ]);
    expect(answer.invoices.map((item) => item.status)).toEqual([
      'Expired',
      'Expired',
      'Notpaid',
      'Notpaid',
      'Paid',
    ]);
    const paid = answer.invoices[4];
    expect(paid).toEqual({
      id: made.paid?.id,
      encodedId: made.paid?.url.split('/').pop(),
      invId: made.paid?.invId,
      url: made.paid?.url,
      invoiceType: 'OneTime',
      status: 'Paid',
      isTest: false,
      outSum: 100,
      currency: 'RUB',
      description: 'Оплаченный счёт',
      merchantComments: null,
      createdDate: expect.any(String),
      expirationDate: null,
      deactivationDate: null,
      paidDate: expect.any(String),
      paymentsPaid: 1,
    });
  });

  it('filters by status and type, with the lower-case values of Robokassa’s own sample', async () => {
    expect(ids(await list({ InvoiceStatuses: ['paid'] }))).toEqual([made.paid?.id]);
    expect(ids(await list({ InvoiceStatuses: ['expired'] }))).toEqual([
      made.deactivated?.id,
      made.expiring?.id,
    ]);
    expect(ids(await list({ InvoiceStatuses: ['notpaid'], InvoiceTypes: ['onetime'] }))).toEqual([
      made.open?.id,
    ]);
    expect(ids(await list({ InvoiceTypes: ['reusable'] }))).toEqual([made.reusable?.id]);
  });

  it('pages, sorts ascending, and filters by keywords, sums, dates and aliases', async () => {
    const second = await list({ PageSize: 2, CurrentPage: 2, IsAscending: true });
    expect(second).toMatchObject({ totalCount: 5, totalPages: 3, currentPage: 2, pageSize: 2 });
    expect(ids(second)).toEqual([made.reusable?.id, made.expiring?.id]);
    expect(ids(await list({ Keywords: 'зал' }))).toEqual([made.reusable?.id]);
    expect(ids(await list({ Keywords: 'СЧЁТ' }))).toEqual([made.open?.id, made.paid?.id]);
    expect(ids(await list({ Keywords: String(made.open?.invId) }))).toEqual([made.open?.id]);
    expect(ids(await list({ SumFrom: 200, SumTo: '300.00' }))).toEqual([made.reusable?.id, made.open?.id]);
    expect((await list({ DateFrom: '2026-03-01', DateTo: '2026-03-02' })).totalCount).toBe(5);
    expect((await list({ DateFrom: '2026-03-03', DateTo: '2026-03-04' })).totalCount).toBe(0);
    expect((await list({ PaymentAliases: ['BankCard'] })).totalCount).toBe(5);
    expect((await list({ PaymentAliases: ['SBP'] })).totalCount).toBe(0);
  });

  it('shows a request signed with the test password only the test links', async () => {
    const answer = await list({}, shopKey(listShop, listShop.passwords.testPassword1));
    expect(answer).toMatchObject({ isSuccess: true, totalCount: 0, invoices: [] });
  });

  it.each([
    ['CurrentPage', { CurrentPage: 0 }],
    ['PageSize', { PageSize: 1000 }],
    ['InvoiceStatuses', { InvoiceStatuses: undefined }],
    ['InvoiceStatuses', { InvoiceStatuses: ['Refunded'] }],
    ['InvoiceTypes', { InvoiceTypes: [] }],
    ['DateFrom', { DateFrom: 'yesterday' }],
    ['DateTo', { DateTo: '2026-02-01T00:00:00Z' }],
    ['IsAscending', { IsAscending: 'yes' }],
    ['SumFrom', { SumFrom: -1 }],
  ])('refuses an invalid %s', async (field, fields) => {
    expect(await list(fields)).toEqual({
      isSuccess: false,
      message: expect.stringMatching(new RegExp(`^Invalid ${field}: `)),
    });
  });

  it('refuses a bad signature and an unknown shop', async () => {
    expect(await list({}, shopKey(listShop, 'wrong'))).toMatchObject({
      isSuccess: false,
      message: expect.stringMatching(/^Invalid signature/),
    });
    expect(await list({ MerchantLogin: 'nobody' }, 'nobody:x')).toMatchObject({
      isSuccess: false,
      message: 'Merchant not found: no shop has this MerchantLogin.',
    });
  });
});
