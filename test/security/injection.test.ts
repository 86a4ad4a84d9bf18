/**
 * Injection:
 * - SQL: classic payloads in every text field of the main forms and endpoints (registration, sign-in,
 *   shops and their settings, employees, payment links, API keys, webhook endpoints, bank details, fiscal
 *   settings, moderation, inbox search, the payment request, the web service, the JSON API, list
 *   filters) are harmless: refused (4xx) or stored verbatim (read back byte for byte), never a 5xx,
 *   never a delay from pg_sleep, and every table and row is still there afterwards.
 * - XSS: payloads in Description, Shp_ values, e-mail and card fields, shop names, payment-link
 *   descriptions, the debugger's echo of a wrong signature, and the demo store's InvId appear on the
 *   server-rendered pages only HTML-escaped: the raw payload is never in the page, the decoded page
 *   shows it (so the payload did reach the page).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex, signInitRequest } from '../../src/modules/protocol/index.js';
import { DEMO } from '../../src/seed.js';
import { TestBrowser } from '../support/client.js';
import { createOperator, createShopVia, registerMerchant, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, MerchantStub, paymentIdFrom, prepareDemoShop, submitCard } from '../support/payments.js';
import { openLiveShop, type LiveShop } from '../refunds/refund-support.js';
import { decodeHtmlEntities, percentEncode } from './security-support.js';

const SQL_PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE payments; --",
  '" OR ""="',
  "1' UNION SELECT password_hash FROM users --",
  "x'; select pg_sleep(5); --",
  '$$; delete from ledger_entries; $$',
  "%' and 1=1 --",
  "admin'--",
  '\\',
  "E'\\x27",
  '1) OR (1=1',
  '_%_',
];

const XSS_PAYLOADS = [
  '<script>alert("kpk1")</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</title><script>alert(4)</script>',
  '<a href="javascript:alert(5)">x</a>',
  // Attribute breakouts without angle brackets: only quote escaping stops these in value="...".
  'x" autofocus onfocus="alert(6)',
  "x' autofocus onfocus='alert(7)",
];

const stub = new MerchantStub();
let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;

beforeAll(async () => {
  await stub.start();
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  await prepareDemoShop(context, stub);
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
}, 120_000);
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

/** Row counts of every table, to see that no payload deleted or dropped anything. */
async function tableSizes(): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(context.deps.db);
  const sizes: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(
      context.deps.db,
    );
    sizes[name] = result.rows[0]?.n ?? -1;
  }
  return sizes;
}

interface Outcome {
  readonly status: number;
  readonly durationMs: number;
}

/** Times a request: a payload that reached SQL as code would sleep five seconds. */
async function timed<T extends { statusCode: number }>(send: () => Promise<T>): Promise<[T, Outcome]> {
  const started = performance.now();
  const response = await send();
  return [response, { status: response.statusCode, durationMs: performance.now() - started }];
}

describe('SQL injection', () => {
  // Fails if: a payload causes a 5xx, a delay (pg_sleep ran), a lost row or table, or is stored altered.
  it('refuses or stores verbatim every payload in the cabinet forms, and no table loses a row', async () => {
    const before = await tableSizes();
    const failures: string[] = [];
    const check = (what: string, outcome: Outcome) => {
      if (outcome.status >= 500) failures.push(`${what} → ${outcome.status}`);
      if (outcome.durationMs > 4_000) failures.push(`${what} took ${Math.round(outcome.durationMs)} ms`);
    };
    const verbatim = (what: string, stored: unknown, payload: string) => {
      if (stored !== payload)
        failures.push(`${what} stored ${JSON.stringify(stored)} for ${JSON.stringify(payload)}`);
    };
    const operator = (await createOperator(context)).browser;

    for (const [index, payload] of SQL_PAYLOADS.entries()) {
      const fresh = new TestBrowser(context.app);
      const registration = {
        country: 'RU',
        currency: 'RUB',
        documentFlow: 'edo',
        legalForm: 'legal_entity',
        accountLogin: `sqli-${index}`,
        adminLogin: 'admin',
        email: `sqli${index}@example.ru`,
        requirementsAccepted: true,
      };
      for (const field of [
        'country',
        'currency',
        'documentFlow',
        'legalForm',
        'accountLogin',
        'adminLogin',
        'email',
        'promoCode',
      ]) {
        const [, outcome] = await timed(() =>
          new TestBrowser(context.app).post('/api/cabinet/registrations', {
            ...registration,
            [field]: payload,
          }),
        );
        check(`registration ${field}`, outcome);
        if (outcome.status < 300 && field !== 'promoCode')
          failures.push(`registration accepted ${field}=${payload}`);
      }
      for (const body of [
        { email: payload, password: payload },
        { accountLogin: payload, userLogin: payload, password: 'x' },
      ]) {
        const [, outcome] = await timed(() => fresh.post('/api/cabinet/sessions', body));
        check('sign-in', outcome);
        if (outcome.status !== 401 && outcome.status !== 422)
          failures.push(`sign-in ${JSON.stringify(body)} → ${outcome.status}`);
      }
      const [, reset] = await timed(() => fresh.post('/api/cabinet/password-resets', { email: payload }));
      check('password reset', reset);

      const [created, createdOutcome] = await timed(() =>
        merchant.post('/api/cabinet/shops', {
          name: `${payload} shop`,
          siteUrl: 'https://shop.example.ru',
          description: payload,
          merchantLogin: `sqli_shop_${index}`,
        }),
      );
      check('shop', createdOutcome);
      if (created.statusCode === 201) {
        const view = (
          await merchant.get(`/api/cabinet/shops/${(created.json() as { id: string }).id}`)
        ).json() as {
          name: string;
          description: string;
        };
        verbatim('shop name', view.name, `${payload} shop`);
        verbatim('shop description', view.description, payload);
      } else failures.push(`shop with a payload name → ${created.statusCode} ${created.body.slice(0, 120)}`);
      for (const field of ['merchantLogin', 'siteUrl']) {
        const [, outcome] = await timed(() =>
          merchant.post('/api/cabinet/shops', {
            name: 'x',
            siteUrl: 'https://x.example.ru',
            merchantLogin: `m${index}x`,
            [field]: payload,
          }),
        );
        check(`shop ${field}`, outcome);
      }
      for (const field of [
        'resultUrl',
        'successUrl',
        'failUrl',
        'hashAlgorithm',
        'resultMethod',
        'password1',
      ]) {
        const [, outcome] = await timed(() =>
          merchant.patch(`/api/cabinet/shops/${shop.id}`, { [field]: payload }),
        );
        check(`shop settings ${field}`, outcome);
      }
      for (const field of ['login', 'email', 'role']) {
        const invite = {
          login: `emp${index}`,
          email: `emp${index}@example.ru`,
          role: 'viewer',
          [field]: payload,
        };
        const [, outcome] = await timed(() => merchant.post('/api/cabinet/employees', invite));
        check(`employee ${field}`, outcome);
        if (outcome.status < 300) failures.push(`employee accepted ${field}=${payload}`);
      }

      const [invoice, invoiceOutcome] = await timed(() =>
        merchant.post('/api/cabinet/invoices', {
          shopId: shop.id,
          invoiceType: 'Reusable',
          amount: '10.00',
          description: payload,
        }),
      );
      check('invoice', invoiceOutcome);
      if (invoice.statusCode === 201) {
        const view = (
          await merchant.get(`/api/cabinet/invoices/${(invoice.json() as { id: string }).id}`)
        ).json() as {
          description: string;
        };
        verbatim('invoice description', view.description, payload);
      }
      const [, amount] = await timed(() =>
        merchant.post('/api/cabinet/invoices', {
          shopId: shop.id,
          invoiceType: 'Reusable',
          amount: payload,
          description: 'x',
        }),
      );
      check('invoice amount', amount);

      if (payload.trim() !== '') {
        const [key, keyOutcome] = await timed(() =>
          merchant.post(`/api/cabinet/shops/${shop.id}/api-keys`, { name: payload }),
        );
        check('API key name', keyOutcome);
        if (key.statusCode === 201) verbatim('API key name', (key.json() as { name: string }).name, payload);
      }
      const [endpoint, endpointOutcome] = await timed(() =>
        merchant.post(`/api/cabinet/shops/${shop.id}/webhook-endpoints`, {
          url: 'https://hooks.example.ru/kopek',
          events: ['payment.paid'],
          description: payload,
        }),
      );
      check('webhook description', endpointOutcome);
      if (endpoint.statusCode === 201)
        verbatim('webhook description', (endpoint.json() as { description: string }).description, payload);
      const [, endpointUrl] = await timed(() =>
        merchant.post(`/api/cabinet/shops/${shop.id}/webhook-endpoints`, {
          url: payload,
          events: ['payment.paid'],
        }),
      );
      check('webhook url', endpointUrl);

      for (const field of [
        'bik',
        'settlementAccount',
        'correspondentAccount',
        'inn',
        'kpp',
        'recipientName',
      ]) {
        const [, outcome] = await timed(() =>
          merchant.request('PUT', '/api/cabinet/bank-details', {
            bik: '044525225',
            settlementAccount: '40702810000000001234',
            correspondentAccount: '30101810400000000225',
            inn: '7707083893',
            kpp: '773601001',
            recipientName: 'ООО Ромашка',
            [field]: payload,
          }),
        );
        check(`bank details ${field}`, outcome);
      }
      for (const field of [
        'login',
        'password',
        'groupCode',
        'companyInn',
        'paymentAddress',
        'sno',
        'companyEmail',
        'baseUrl',
      ]) {
        const [, outcome] = await timed(() =>
          merchant.request('PUT', `/api/cabinet/shops/${shop.id}/fiscal-settings`, {
            provider: 'atol',
            baseUrl: 'https://testonline.atol.ru/possystem/v5',
            login: 'login',
            password: 'password',
            groupCode: 'group',
            companyInn: '7707083893',
            paymentAddress: 'https://shop.example.ru',
            sno: 'usn_income',
            companyEmail: 'shop@example.ru',
            [field]: payload,
          }),
        );
        check(`fiscal settings ${field}`, outcome);
      }

      const query = percentEncode(payload);
      for (const url of [
        `/api/cabinet/operations?shopId=${query}`,
        `/api/cabinet/operations?before=${query}`,
        `/api/cabinet/operations?status=${query}`,
        `/api/cabinet/operations/${query}`,
        `/api/cabinet/balance/entries?shopId=${query}&account=pending`,
        `/api/cabinet/payouts?shopId=${query}`,
        `/api/cabinet/invoices?shopId=${query}`,
        `/api/cabinet/fiscal-receipts?paymentId=${query}`,
        `/api/cabinet/messages?q=${query}`,
        `/api/cabinet/audit?before=${query}`,
        `/api/cabinet/shops/${query}`,
      ]) {
        const [, outcome] = await timed(() => merchant.get(url));
        check(`GET ${url}`, outcome);
      }
      const [, search] = await timed(() => merchant.get(`/api/cabinet/messages?q=${query}`));
      if (search.status !== 200) failures.push(`inbox search for ${payload} → ${search.status}`);

      const moderated = await createShopVia(merchant, { merchantLogin: `sqli_mod_${index}` });
      await merchant.post(`/api/cabinet/shops/${moderated.id}/moderation`, {});
      const [, reject] = await timed(() =>
        operator.post(`/api/backoffice/shops/${moderated.id}/reject`, { reason: payload }),
      );
      check('moderation reason', reject);
    }
    expect(failures).toEqual([]);
    const after = await tableSizes();
    for (const [table, rows] of Object.entries(before)) {
      expect(after[table], `${table} lost rows`).toBeGreaterThanOrEqual(rows);
    }
  });

  // Fails if: a payload in a Robokassa parameter or a JSON API filter causes a 5xx or a delay, or a
  // signed payment request stores its Description, Email or Shp_ value altered.
  it('keeps payloads in the payment request verbatim and refuses them in the web service and the JSON API', async () => {
    const key = await merchant.post(`/api/cabinet/shops/${shop.id}/api-keys`, { name: 'SQLi' });
    const apiKey = (key.json() as { secret: string }).secret;
    const failures: string[] = [];
    let invId = 90_000;
    for (const payload of SQL_PAYLOADS) {
      invId += 1;
      const shp: [string, string][] = [['Shp_note', payload]];
      const signature = signInitRequest(
        'MD5',
        { merchantLogin: 'demo', outSum: '10.00', invId: String(invId), shp },
        DEMO.shop.password1,
      );
      const fields = new URLSearchParams({
        MerchantLogin: 'demo',
        OutSum: '10.00',
        InvId: String(invId),
        Description: payload,
        Email: 'buyer@example.ru',
        Shp_note: payload,
        SignatureValue: signature,
      });
      const [started, outcome] = await timed(() =>
        context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${fields}` }),
      );
      if (outcome.status !== 303 || outcome.durationMs > 4_000) {
        failures.push(
          `Index.aspx with ${payload} → ${outcome.status} in ${Math.round(outcome.durationMs)} ms`,
        );
        continue;
      }
      const row = await context.deps.db
        .selectFrom('payments')
        .select(['description', 'shp'])
        .where('id', '=', paymentIdFrom(started.headers.location as string))
        .executeTakeFirstOrThrow();
      if (row.description !== payload) failures.push(`Description stored as ${row.description}`);
      const storedShp = typeof row.shp === 'string' ? row.shp : JSON.stringify(row.shp);
      if (!storedShp.includes(JSON.stringify(payload).slice(1, -1)))
        failures.push(`Shp_note stored as ${storedShp}`);

      const encoded = percentEncode(payload);
      for (const url of [
        `/Merchant/WebService/Service.asmx/OpStateExt?MerchantLogin=${encoded}&InvoiceID=1&Signature=x`,
        `/Merchant/WebService/Service.asmx/OpStateExt?MerchantLogin=demo&InvoiceID=${encoded}&Signature=${hashHex('MD5', `demo:${payload}:${DEMO.shop.password2}`)}`,
        `/Merchant/WebService/Service.asmx/GetRates?MerchantLogin=demo&OutSum=${encoded}&IncCurrLabel=${encoded}`,
        `/RefundService/Refund/GetState?id=${encoded}`,
        `/merchant/Invoice/${encoded}`,
        `/Merchant/Index/${encoded}`,
      ]) {
        const [response, timing] = await timed(() => context.app.inject({ method: 'GET', url }));
        if (response.statusCode >= 500 || timing.durationMs > 4_000)
          failures.push(`GET ${url} → ${response.statusCode}`);
      }
      for (const url of [
        `/api/v1/payments?before=${encoded}`,
        `/api/v1/payments?status=${encoded}`,
        `/api/v1/payments/${encoded}`,
      ]) {
        const [response, timing] = await timed(() =>
          context.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}` } }),
        );
        if (response.statusCode >= 500 || response.statusCode < 400 || timing.durationMs > 4_000)
          failures.push(`GET ${url} → ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

/** The payload never appears raw in the page, and the page shows it once its entities are decoded. */
function expectEscaped(page: string, payload: string, what: string): void {
  expect(page.includes(payload), `${what}: the raw payload is in the page`).toBe(false);
  expect(decodeHtmlEntities(page).includes(payload), `${what}: the payload did not reach the page`).toBe(
    true,
  );
}

describe('XSS on the server-rendered pages', () => {
  let demoAdmin: TestBrowser;
  let demoShopId: string;

  beforeAll(async () => {
    demoAdmin = await signInBrowser(context, DEMO.administrator.email, DEMO.administrator.password);
    const shops = (await demoAdmin.get('/api/cabinet/shops')).json() as {
      items: { id: string; merchantLogin: string }[];
    };
    demoShopId = shops.items.find((item) => item.merchantLogin === 'demo')?.id ?? '';
    expect(demoShopId).not.toBe('');
  });

  let invId = 95_000;

  /** A signed payment request of the demo shop with these fields; returns the payment id. */
  async function startPayment(description: string, shpValue: string, extra: Record<string, string> = {}) {
    invId += 1;
    const shp: [string, string][] = [['Shp_item', shpValue]];
    const signature = signInitRequest(
      'MD5',
      { merchantLogin: 'demo', outSum: '10.00', invId: String(invId), shp },
      DEMO.shop.password1,
    );
    const query = new URLSearchParams({
      MerchantLogin: 'demo',
      OutSum: '10.00',
      InvId: String(invId),
      Description: description,
      Shp_item: shpValue,
      SignatureValue: signature,
      ...extra,
    });
    const response = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    return paymentIdFrom(response.headers.location as string);
  }

  // Fails if: the shop name, Description or InvId of a payment reaches the payment page unescaped.
  it.each(XSS_PAYLOADS)('escapes %s as Description and shop name on the payment page', async (payload) => {
    const renamed = await demoAdmin.patch(`/api/cabinet/shops/${demoShopId}`, { name: `Shop ${payload}` });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const paymentId = await startPayment(payload, 'plain');
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expectEscaped(page.body, payload, 'Description');
    expectEscaped(page.body, `Shop ${payload}`, 'shop name');
  });

  // Fails if: Shp_ values reach the hidden inputs of the SuccessURL form (paid page) or the FailURL form
  // ("back to the shop") unescaped: an attribute breakout there runs script on Kopek's origin.
  it.each(XSS_PAYLOADS)('escapes %s as a Shp_ value in the SuccessURL and FailURL forms', async (payload) => {
    const unpaid = await startPayment('Order', payload);
    const back = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${unpaid}/return` });
    expect(back.statusCode, back.body.slice(0, 300)).toBe(200);
    expectEscaped(back.body, payload, 'FailURL form');

    const paid = await startPayment('Order', payload);
    const card = await submitCard(context.app, paid, cardForm('4111 1111 1111 1111'));
    expect(card.statusCode).toBe(303);
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paid}` });
    expect(page.statusCode).toBe(200);
    expectEscaped(page.body, payload, 'SuccessURL form');
  });

  // Fails if: what the buyer typed is echoed back unescaped when the card form is refused.
  it.each(XSS_PAYLOADS)('escapes %s echoed in the refused card form', async (payload) => {
    const paymentId = await startPayment('Order', 'plain');
    const response = await submitCard(
      context.app,
      paymentId,
      new URLSearchParams({
        cardNumber: payload,
        expiry: payload,
        cvc: '1',
        email: `${payload}@x`,
        submissionKey: payload,
      }).toString(),
    );
    expect(response.statusCode).toBe(422);
    expectEscaped(response.body, payload, 'card number');
    expectEscaped(response.body, `${payload}@x`, 'e-mail');
  });

  // Fails if: the integration debugger (test mode, wrong signature) echoes the received signature or
  // the values in its base strings unescaped.
  it.each(XSS_PAYLOADS)(
    'escapes %s in the integration debugger of a wrongly signed test request',
    async (payload) => {
      const query = new URLSearchParams({
        MerchantLogin: 'demo',
        OutSum: '10.00',
        InvId: '1',
        IsTest: '1',
        Description: 'Order',
        Shp_item: payload,
        SignatureValue: payload,
      });
      const response = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${query}` });
      expect(response.statusCode).toBe(400);
      expectEscaped(response.body, payload, 'debugger');
    },
  );

  // Fails if: a payment link's page shows the shop name or the link's description unescaped.
  it.each(XSS_PAYLOADS)('escapes %s on the payment-link page', async (payload) => {
    await demoAdmin.patch(`/api/cabinet/shops/${demoShopId}`, { name: `Shop ${payload}` });
    const created = await demoAdmin.post('/api/cabinet/invoices', {
      shopId: demoShopId,
      invoiceType: 'Reusable',
      amount: '10.00',
      description: payload,
    });
    expect(created.statusCode, created.body).toBe(201);
    const row = await sql<{ encoded_id: string }>`
      select encoded_id from invoices where id = ${(created.json() as { id: string }).id}`.execute(
      context.deps.db,
    );
    const page = await context.app.inject({
      method: 'GET',
      url: `/merchant/Invoice/${row.rows[0]?.encoded_id}`,
    });
    expect(page.statusCode).toBe(200);
    expectEscaped(page.body, payload, 'link description');
    expectEscaped(page.body, `Shop ${payload}`, 'shop name');
  });

  // Fails if: the demo store's fail or success page prints the InvId it was given unescaped.
  it.each(XSS_PAYLOADS)('escapes %s as InvId on the demo store pages', async (payload) => {
    const fail = await context.app.inject({
      method: 'GET',
      url: `/demo-store/fail?InvId=${percentEncode(payload)}`,
    });
    expect(fail.statusCode).toBe(200);
    expectEscaped(fail.body, payload, 'demo store fail page');
    const signature = hashHex('MD5', `10.00:${payload}:${DEMO.shop.password1}`);
    const success = await context.app.inject({
      method: 'GET',
      url: `/demo-store/success?OutSum=10.00&InvId=${percentEncode(payload)}&SignatureValue=${signature}`,
    });
    expect(success.statusCode).toBe(200);
    expectEscaped(success.body, payload, 'demo store success page');
  });
});
