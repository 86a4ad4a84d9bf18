/**
 * Two merchants for the access tests: A owns one of everything the cabinet and the JSON API show (shop,
 * payment, notification, refund, payout, API key, webhook endpoint and delivery, payment link, fiscal
 * receipt, employee, card attempt); B has its own shop, key and endpoint. `ROUTE_CASES` says, for every
 * cabinet, back-office and /api/v1 route, how to call it with a victim's ids, and what a stranger must get.
 */
import { sql, type RawBuilder } from 'kysely';
import { expect } from 'vitest';
import { generateDocumentSet, listDocuments, monthOf } from '../../src/modules/documents/index.js';
import { enqueueFiscalReceipt } from '../../src/modules/fiscal/index.js';
import { TestBrowser } from '../support/client.js';
import {
  addEmployee,
  createOperator,
  GOOD_PASSWORD,
  registerMerchant,
  signInBrowser,
} from '../support/flows.js';
import type { TestContext } from '../support/harness.js';
import { BANK_DETAILS, fund } from '../payouts/helpers.js';
import { openLiveShop, pay, type LiveShop } from '../refunds/refund-support.js';

export interface Tenant {
  readonly name: 'A' | 'B';
  readonly browser: TestBrowser;
  readonly email: string;
  readonly accountId: string;
  readonly userId: string;
  readonly shop: LiveShop;
  readonly shopName: string;
  readonly apiKey: { id: string; secret: string };
  readonly endpoint: { id: string; secret: string };
}

/** A's resources beyond the shop, key and endpoint every tenant has. */
export interface Victim extends Tenant {
  /** A second key and endpoint, so deleting one through the cabinet leaves the JSON API's own intact. */
  readonly spareKeyId: string;
  readonly apiEndpointId: string;
  readonly employeeId: string;
  readonly paymentId: string;
  readonly opKey: string;
  readonly notificationId: string;
  readonly deliveryId: string;
  readonly refundId: string;
  readonly payoutId: string;
  readonly invoiceId: string;
  readonly invoiceEncodedId: string;
  readonly receiptId: string;
  readonly attemptId: string;
  readonly messageId: string;
  readonly dealId: string;
  readonly ticketId: string;
  readonly attachmentId: string;
  readonly feedbackId: string;
  readonly savedFilterId: string;
  readonly exportId: string;
  readonly kycDocumentId: string;
  readonly closingDocumentId: string;
}

export interface Tenants {
  readonly a: Victim;
  readonly b: Tenant;
  readonly operator: TestBrowser;
  /** A second session of B, for the routes that end sessions. */
  readonly bSecondSession: () => Promise<TestBrowser>;
}

async function created<T>(
  response: { statusCode: number; body: string; json(): unknown },
  status = 201,
): Promise<T> {
  expect(response.statusCode, response.body).toBe(status);
  return response.json() as T;
}

async function openTenant(context: TestContext, name: 'A' | 'B'): Promise<Tenant> {
  const merchant = await registerMerchant(context);
  const shop = await openLiveShop(context, merchant.browser);
  const shopName = `Tenant ${name} bookshop ${shop.id.slice(-6)}`;
  await created(
    await merchant.browser.patch(`/api/cabinet/shops/${shop.id}`, {
      name: shopName,
      resultUrl: `https://tenant-${name.toLowerCase()}.example.ru/result`,
    }),
    200,
  );
  const apiKey = await created<{ id: string; secret: string }>(
    await merchant.browser.post(`/api/cabinet/shops/${shop.id}/api-keys`, { name: `Key of ${name}` }),
  );
  const endpoint = await created<{ id: string; secret: string }>(
    await merchant.browser.post(`/api/cabinet/shops/${shop.id}/webhook-endpoints`, {
      url: `https://tenant-${name.toLowerCase()}.example.ru/hooks`,
      events: ['payment.paid', 'refund.succeeded'],
    }),
  );
  return {
    name,
    browser: merchant.browser,
    email: merchant.form.email as string,
    accountId: merchant.me.account.id,
    userId: merchant.me.user.id,
    shop,
    shopName,
    apiKey,
    endpoint,
  };
}

/** A receipt of A's payment, in status 'fail' (its lines do not add up), so no job ever calls ATOL. */
async function createFailedReceipt(context: TestContext, paymentId: string): Promise<string> {
  const receipt = await context.deps.db.transaction().execute((trx) =>
    enqueueFiscalReceipt(trx, context.clock, {
      kind: 'sell',
      paymentId,
      receipt: {
        items: [
          {
            name: 'Книга',
            priceMinor: 100n,
            quantityThousandths: 1000n,
            sumMinor: 100n,
            paymentMethod: 'full_prepayment',
            paymentObject: 'commodity',
            vat: 'vat20',
          },
        ],
        client: { email: 'buyer@example.ru' },
      },
    }),
  );
  expect(receipt?.status).toBe('fail');
  return receipt?.receiptId ?? '';
}

/**
 * Builds both tenants. Every job the setup queues stays queued (nothing is drained after the first
 * payment), so no delivery, payout or receipt ever leaves the test.
 */
export async function openTenants(context: TestContext): Promise<Tenants> {
  const aBase = await openTenant(context, 'A');
  const b = await openTenant(context, 'B');
  const employee = await addEmployee(context, aBase.browser, 'viewer');
  const operator = (await createOperator(context)).browser;

  const payment = await pay(context, aBase.shop, '100000.00');
  const notification = await sql<{ id: string }>`
    select id from notifications where subject_id = ${payment.id}`.execute(context.deps.db);
  const delivery = await sql<{ id: string }>`
    select id from webhook_deliveries where endpoint_id = ${aBase.endpoint.id}`.execute(context.deps.db);
  const attempt = await sql<{ id: string }>`
    select id from card_attempts where payment_id = ${payment.id}`.execute(context.deps.db);
  const refund = await created<{ id: string }>(
    await aBase.browser.post(`/api/cabinet/operations/${payment.id}/refunds`, { amount: '10.00' }),
  );
  await created(await aBase.browser.request('PUT', '/api/cabinet/bank-details', BANK_DETAILS), 200);
  await fund(context, aBase.shop.id, 5_000_000n);
  const payout = await created<{ id: string }>(
    await aBase.browser.post('/api/cabinet/payouts', { shopId: aBase.shop.id, amount: '1000.00' }),
  );
  const invoice = await created<{ id: string; encodedId?: string; url?: string }>(
    await aBase.browser.post('/api/cabinet/invoices', {
      shopId: aBase.shop.id,
      invoiceType: 'Reusable',
      amount: '100.00',
      description: 'Invoice of tenant A',
    }),
  );
  const encoded = await sql<{ encoded_id: string }>`
    select encoded_id from invoices where id = ${invoice.id}`.execute(context.deps.db);
  await created(
    await aBase.browser.request('PUT', `/api/cabinet/shops/${aBase.shop.id}/fiscal-settings`, {
      provider: 'atol',
      baseUrl: 'https://testonline.atol.ru/possystem/v5',
      login: 'tenant-a-login',
      password: 'tenant-a-atol-password',
      groupCode: 'group-a',
      companyInn: '7707083893',
      paymentAddress: 'https://tenant-a.example.ru',
      sno: 'usn_income',
      companyEmail: 'shop@tenant-a.example.ru',
    }),
    200,
  );
  const receiptId = await createFailedReceipt(context, payment.id);
  const deal = await created<{ id: string }>(
    await aBase.browser.post('/api/cabinet/deals', {
      shopId: aBase.shop.id,
      amount: '100.00',
      description: 'Deal of tenant A',
      buyerEmail: 'buyer-of-a@example.ru',
    }),
  );
  const spareKey = await created<{ id: string }>(
    await aBase.browser.post(`/api/cabinet/shops/${aBase.shop.id}/api-keys`, { name: 'Spare key of A' }),
  );
  const apiEndpoint = await created<{ id: string }>(
    await aBase.browser.post(`/api/cabinet/shops/${aBase.shop.id}/webhook-endpoints`, {
      url: 'https://tenant-a.example.ru/api-hooks',
      events: ['payment.paid'],
    }),
  );

  const ticket = await created<{ id: string; posts: { attachments: { id: string }[] }[] }>(
    await aBase.browser.post('/api/cabinet/support/tickets', {
      topic: 'payments',
      subject: 'Ticket of tenant A',
      shopId: aBase.shop.id,
      body: 'Ticket text of tenant A',
      attachments: [
        { fileName: 'tenant-a.txt', contentBase64: Buffer.from('File of tenant A').toString('base64') },
      ],
    }),
  );
  const feedback = await created<{ id: string }>(
    await aBase.browser.post('/api/cabinet/feedback', { category: 'idea', body: 'Feedback of tenant A' }),
  );
  const savedFilter = await created<{ id: string }>(
    await aBase.browser.post('/api/cabinet/operation-filters', {
      name: 'Tenant A filter',
      query: 'status=paid',
    }),
  );
  const operationExport = await created<{ id: string }>(
    await aBase.browser.post('/api/cabinet/operation-exports', { format: 'csv' }),
    202,
  );
  const kycDocument = await created<{ id: string }>(
    await aBase.browser.post('/api/cabinet/kyc/documents', {
      kind: 'passport',
      fileName: 'tenant-a-passport.pdf',
      contentBase64: Buffer.from('%PDF-1.4 KYC scan of tenant A').toString('base64'),
    }),
  );
  await generateDocumentSet(
    context.deps,
    aBase.accountId,
    monthOf(context.clock.now().toISOString().slice(0, 10)),
  );
  const [closingDocument] = await listDocuments(context.deps.db, aBase.accountId);
  const message = await sql<{ id: string }>`
    select id from messages where account_id = ${aBase.accountId} order by id limit 1`.execute(
    context.deps.db,
  );
  const ids = [notification, delivery, attempt, message].map((result) => result.rows[0]?.id ?? '');
  for (const id of ids) expect(id, 'setup made every resource').not.toBe('');
  const [notificationId = '', deliveryId = '', attemptId = '', messageId = ''] = ids;
  const a: Victim = {
    ...aBase,
    spareKeyId: spareKey.id,
    apiEndpointId: apiEndpoint.id,
    employeeId: employee.id,
    paymentId: payment.id,
    opKey: payment.opKey,
    notificationId,
    deliveryId,
    refundId: refund.id,
    payoutId: payout.id,
    invoiceId: invoice.id,
    invoiceEncodedId: encoded.rows[0]?.encoded_id ?? '',
    receiptId,
    attemptId,
    messageId,
    dealId: deal.id,
    ticketId: ticket.id,
    attachmentId: ticket.posts[0]?.attachments[0]?.id ?? '',
    feedbackId: feedback.id,
    savedFilterId: savedFilter.id,
    exportId: operationExport.id,
    kycDocumentId: kycDocument.id,
    closingDocumentId: closingDocument?.id ?? '',
  };
  return { a, b, operator, bSecondSession: () => signInBrowser(context, b.email) };
}

/** Strings that belong to A alone: none may ever reach B. */
export function victimMarkers(a: Victim): string[] {
  return [
    a.shop.id,
    a.shop.merchantLogin,
    a.shopName,
    a.accountId,
    a.userId,
    a.email,
    a.employeeId,
    a.paymentId,
    a.opKey,
    a.notificationId,
    a.deliveryId,
    a.refundId,
    a.payoutId,
    a.invoiceId,
    a.invoiceEncodedId,
    a.receiptId,
    a.attemptId,
    a.messageId,
    a.dealId,
    a.ticketId,
    a.attachmentId,
    a.feedbackId,
    'Ticket of tenant A',
    'File of tenant A',
    'Feedback of tenant A',
    'Deal of tenant A',
    'buyer-of-a@example.ru',
    a.savedFilterId,
    a.exportId,
    a.kycDocumentId,
    a.closingDocumentId,
    'KYC scan of tenant A',
    a.apiKey.id,
    a.apiKey.secret,
    a.spareKeyId,
    a.apiEndpointId,
    a.endpoint.id,
    a.endpoint.secret,
    a.shop.passwords.password1,
    a.shop.passwords.password2,
    a.shop.passwords.password3,
    'tenant-a.example.ru',
    'Invoice of tenant A',
  ].filter((marker) => marker !== '');
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CaseRequest {
  readonly url: string;
  readonly body?: unknown;
}

/**
 * How a route is called, and what the caller gets.
 * - `foreign`: the request names the victim's resources. A stranger gets `stranger` (404 in the cabinet
 *   and the API, 403 in the back-office); the owner (or the operator) must not, which proves the request
 *   is well-formed and the stranger's answer comes from the scoping, not from a mistake in the test.
 * - `own`: the route names no resource (or only the caller's own); the stranger gets one of `stranger`
 *   and never the victim's data.
 * `surface` picks the credentials: the cabinet session, the back-office (a merchant where the operator
 * would be), or an API key.
 */
export interface RouteCase {
  readonly kind: 'foreign' | 'own';
  readonly surface: 'cabinet' | 'backoffice' | 'api';
  readonly stranger: readonly number[];
  readonly request: (victim: Victim, caller: Tenant) => CaseRequest;
  readonly note?: string;
  /**
   * Public by design, and touching the victim's rows on purpose: a failed sign-in counts towards the
   * victim's lockout, a reset link or a confirmation is mailed to the victim's address. These run after
   * the check that the victim's rows are untouched.
   */
  readonly touchesVictimByDesign?: boolean;
  /** Ends the caller's sessions: runs last, with a session of its own. */
  readonly endsSession?: boolean;
}

const cabinet = '/api/cabinet';
const password = { password: GOOD_PASSWORD };
const settings = { description: 'changed by a stranger' };
const endpointBody = { url: 'https://stranger.example.ru/hooks', events: ['payment.paid'] };

function foreign(request: RouteCase['request'], surface: RouteCase['surface'] = 'cabinet'): RouteCase {
  return { kind: 'foreign', surface, stranger: surface === 'backoffice' ? [403] : [404], request };
}

function own(
  stranger: readonly number[],
  request: RouteCase['request'],
  surface: RouteCase['surface'] = 'cabinet',
) {
  return { kind: 'own', surface, stranger, request } as const;
}

function ownByDesign(stranger: readonly number[], request: RouteCase['request']): RouteCase {
  return { ...own(stranger, request), touchesVictimByDesign: true };
}

/**
 * Every route under /api/cabinet, /api/backoffice and /api/v1, keyed "METHOD /path" exactly as Fastify
 * registers it. A new route fails the tenant test until it is added here with its cases.
 */
export const ROUTE_CASES: Readonly<Record<string, readonly RouteCase[]>> = {
  // Public or self-only routes of the cabinet.
  [`GET ${cabinet}/platform`]: [own([200], () => ({ url: `${cabinet}/platform` }))],
  [`GET ${cabinet}/csrf`]: [own([200], () => ({ url: `${cabinet}/csrf` }))],
  [`POST ${cabinet}/registrations`]: [
    ownByDesign([422], (v) => ({
      url: `${cabinet}/registrations`,
      body: {
        country: 'RU',
        currency: 'RUB',
        documentFlow: 'edo',
        legalForm: 'legal_entity',
        accountLogin: v.shop.merchantLogin,
        adminLogin: 'admin',
        email: v.email,
        requirementsAccepted: true,
      },
    })),
  ],
  [`POST ${cabinet}/registrations/resend`]: [
    ownByDesign([202], (v) => ({ url: `${cabinet}/registrations/resend`, body: { email: v.email } })),
  ],
  [`POST ${cabinet}/password-resets`]: [
    ownByDesign([202], (v) => ({ url: `${cabinet}/password-resets`, body: { email: v.email } })),
  ],
  [`GET ${cabinet}/email-links/:token`]: [
    own([404], () => ({ url: `${cabinet}/email-links/${'x'.repeat(43)}` })),
  ],
  [`POST ${cabinet}/email-links/:token/complete`]: [
    own([404], () => ({
      url: `${cabinet}/email-links/${'x'.repeat(43)}/complete`,
      body: { password: 'another password 1' },
    })),
  ],
  [`POST ${cabinet}/sessions`]: [
    ownByDesign([401], (v) => ({
      url: `${cabinet}/sessions`,
      body: { email: v.email, password: 'not the password' },
    })),
  ],
  [`GET ${cabinet}/me`]: [own([200], () => ({ url: `${cabinet}/me` }))],
  [`PATCH ${cabinet}/me`]: [own([200], () => ({ url: `${cabinet}/me`, body: { language: 'ru' } }))],
  [`DELETE ${cabinet}/sessions/current`]: [
    { ...own([204], () => ({ url: `${cabinet}/sessions/current` })), endsSession: true },
  ],
  [`POST ${cabinet}/sessions/revoke-all`]: [
    { ...own([204], () => ({ url: `${cabinet}/sessions/revoke-all` })), endsSession: true },
  ],
  [`POST ${cabinet}/me/password`]: [
    own([401, 422], () => ({
      url: `${cabinet}/me/password`,
      body: { currentPassword: 'wrong', newPassword: 'x' },
    })),
  ],
  [`POST ${cabinet}/me/totp/setup`]: [own([200], () => ({ url: `${cabinet}/me/totp/setup` }))],
  [`POST ${cabinet}/me/totp/enable`]: [
    own([409, 422], () => ({ url: `${cabinet}/me/totp/enable`, body: { code: '000000' } })),
  ],
  [`POST ${cabinet}/me/totp/disable`]: [
    own([401, 409, 422], () => ({ url: `${cabinet}/me/totp/disable`, body: { password: 'wrong' } })),
  ],
  [`GET ${cabinet}/employees`]: [own([200], () => ({ url: `${cabinet}/employees` }))],
  [`POST ${cabinet}/employees`]: [
    own([409, 422], (v) => ({
      url: `${cabinet}/employees`,
      body: { login: 'intruder', email: v.email, role: 'viewer' },
    })),
  ],
  [`PATCH ${cabinet}/employees/:id`]: [
    foreign((v) => ({ url: `${cabinet}/employees/${v.employeeId}`, body: { role: 'administrator' } })),
  ],
  [`GET ${cabinet}/audit`]: [own([200], () => ({ url: `${cabinet}/audit` }))],

  // Shops and their settings.
  [`GET ${cabinet}/shops`]: [own([200], () => ({ url: `${cabinet}/shops` }))],
  [`POST ${cabinet}/shops`]: [
    own([409, 422], (v) => ({
      url: `${cabinet}/shops`,
      body: { name: 'Copy', siteUrl: 'https://copy.example.ru', merchantLogin: v.shop.merchantLogin },
    })),
  ],
  [`GET ${cabinet}/shops/:id`]: [foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}` }))],
  [`PATCH ${cabinet}/shops/:id`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}`, body: settings })),
  ],
  [`POST ${cabinet}/shops/:id/passwords/reveal`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/passwords/reveal`, body: password })),
  ],
  [`POST ${cabinet}/shops/:id/moderation`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/moderation` })),
  ],
  [`GET ${cabinet}/shops/:id/tariffs`]: [foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/tariffs` }))],
  [`GET ${cabinet}/shops/:id/methods`]: [foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/methods` }))],
  [`GET ${cabinet}/shops/:shopId/fiscal-settings`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/fiscal-settings` })),
  ],
  [`PUT ${cabinet}/shops/:shopId/fiscal-settings`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/fiscal-settings`, body: { provider: 'none' } })),
  ],

  // API keys and webhooks of a shop: the victim's shop, and the caller's own shop with the victim's child id.
  [`POST ${cabinet}/shops/:id/api-keys`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/api-keys`, body: { name: 'Stolen' } })),
  ],
  [`GET ${cabinet}/shops/:id/api-keys`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/api-keys` })),
  ],
  [`DELETE ${cabinet}/shops/:id/api-keys/:keyId`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/api-keys/${v.spareKeyId}` })),
    {
      ...foreign((v, c) => ({ url: `${cabinet}/shops/${c.shop.id}/api-keys/${v.spareKeyId}` })),
      note: 'own shop, victim key',
    },
  ],
  [`GET ${cabinet}/shops/:id/webhook-endpoints`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints` })),
  ],
  [`POST ${cabinet}/shops/:id/webhook-endpoints`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints`, body: endpointBody })),
  ],
  [`PATCH ${cabinet}/shops/:id/webhook-endpoints/:endpointId`]: [
    foreign((v) => ({
      url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints/${v.endpoint.id}`,
      body: { isEnabled: false },
    })),
    {
      ...foreign((v, c) => ({
        url: `${cabinet}/shops/${c.shop.id}/webhook-endpoints/${v.endpoint.id}`,
        body: { isEnabled: false },
      })),
      note: 'own shop, victim endpoint',
    },
  ],
  [`DELETE ${cabinet}/shops/:id/webhook-endpoints/:endpointId`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints/${v.endpoint.id}` })),
    {
      ...foreign((v, c) => ({ url: `${cabinet}/shops/${c.shop.id}/webhook-endpoints/${v.endpoint.id}` })),
      note: 'own shop, victim endpoint',
    },
  ],
  [`POST ${cabinet}/shops/:id/webhook-endpoints/:endpointId/rotate-secret`]: [
    foreign((v) => ({
      url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints/${v.endpoint.id}/rotate-secret`,
    })),
    {
      ...foreign((v, c) => ({
        url: `${cabinet}/shops/${c.shop.id}/webhook-endpoints/${v.endpoint.id}/rotate-secret`,
      })),
      note: 'own shop, victim endpoint',
    },
  ],
  [`POST ${cabinet}/shops/:id/webhook-endpoints/:endpointId/reveal-secret`]: [
    foreign((v) => ({
      url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints/${v.endpoint.id}/reveal-secret`,
      body: password,
    })),
    {
      ...foreign((v, c) => ({
        url: `${cabinet}/shops/${c.shop.id}/webhook-endpoints/${v.endpoint.id}/reveal-secret`,
        body: password,
      })),
      note: 'own shop, victim endpoint',
    },
  ],
  [`GET ${cabinet}/shops/:id/webhook-endpoints/:endpointId/deliveries`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/webhook-endpoints/${v.endpoint.id}/deliveries` })),
    {
      ...foreign((v, c) => ({
        url: `${cabinet}/shops/${c.shop.id}/webhook-endpoints/${v.endpoint.id}/deliveries`,
      })),
      note: 'own shop, victim endpoint',
    },
  ],
  [`POST ${cabinet}/shops/:id/webhook-deliveries/:deliveryId/resend`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/webhook-deliveries/${v.deliveryId}/resend` })),
    {
      ...foreign((v, c) => ({
        url: `${cabinet}/shops/${c.shop.id}/webhook-deliveries/${v.deliveryId}/resend`,
      })),
      note: 'own shop, victim delivery',
    },
  ],

  // Operations, refunds, notifications.
  [`GET ${cabinet}/operations`]: [
    own([200, 404], () => ({ url: `${cabinet}/operations` })),
    own([200, 404], (v) => ({ url: `${cabinet}/operations?shopId=${v.shop.id}` })),
  ],
  [`GET ${cabinet}/analytics`]: [
    own([200], (v) => ({ url: `${cabinet}/analytics?from=2026-01-01&to=2026-01-31&shopId=${v.shop.id}` })),
  ],
  [`GET ${cabinet}/documents`]: [own([200], () => ({ url: `${cabinet}/documents` }))],
  [`POST ${cabinet}/documents`]: [
    own([202], () => ({
      url: `${cabinet}/documents`,
      body: { periodStart: '2026-01-01', periodEnd: '2026-01-01' },
    })),
  ],
  [`GET ${cabinet}/documents/:id/file.:format`]: [
    foreign((v) => ({ url: `${cabinet}/documents/${v.closingDocumentId}/file.pdf` })),
  ],
  [`GET ${cabinet}/operation-filters`]: [own([200], () => ({ url: `${cabinet}/operation-filters` }))],
  [`POST ${cabinet}/operation-filters`]: [
    own([201], () => ({ url: `${cabinet}/operation-filters`, body: { name: 'Mine', query: 'status=paid' } })),
  ],
  [`DELETE ${cabinet}/operation-filters/:id`]: [
    foreign((v) => ({ url: `${cabinet}/operation-filters/${v.savedFilterId}` })),
  ],
  [`POST ${cabinet}/operation-exports`]: [
    own([202], (v) => ({ url: `${cabinet}/operation-exports`, body: { format: 'csv', shopId: v.shop.id } })),
  ],
  [`GET ${cabinet}/operation-exports/:id`]: [
    foreign((v) => ({ url: `${cabinet}/operation-exports/${v.exportId}` })),
  ],
  [`GET ${cabinet}/operation-exports/:id/download`]: [
    foreign((v) => ({ url: `${cabinet}/operation-exports/${v.exportId}/download` })),
  ],
  [`GET ${cabinet}/operations/:id`]: [foreign((v) => ({ url: `${cabinet}/operations/${v.paymentId}` }))],
  [`POST ${cabinet}/operations/:id/notifications/:notificationId/resend`]: [
    foreign((v) => ({
      url: `${cabinet}/operations/${v.paymentId}/notifications/${v.notificationId}/resend`,
    })),
  ],
  [`GET ${cabinet}/operations/:id/refunds`]: [
    foreign((v) => ({ url: `${cabinet}/operations/${v.paymentId}/refunds` })),
  ],
  [`POST ${cabinet}/operations/:id/refunds`]: [
    foreign((v) => ({ url: `${cabinet}/operations/${v.paymentId}/refunds`, body: { amount: '1.00' } })),
  ],

  // Balances, bank details, payouts.
  [`GET ${cabinet}/balance`]: [own([200], () => ({ url: `${cabinet}/balance` }))],
  [`GET ${cabinet}/balance/entries`]: [
    foreign((v) => ({ url: `${cabinet}/balance/entries?shopId=${v.shop.id}&account=pending` })),
  ],
  [`GET ${cabinet}/balance/entries.csv`]: [
    foreign((v) => ({ url: `${cabinet}/balance/entries.csv?shopId=${v.shop.id}&account=pending` })),
  ],
  [`GET ${cabinet}/bank-details`]: [own([200], () => ({ url: `${cabinet}/bank-details` }))],
  [`PUT ${cabinet}/bank-details`]: [
    own([422], () => ({ url: `${cabinet}/bank-details`, body: { ...BANK_DETAILS, inn: '1' } })),
  ],
  [`GET ${cabinet}/payout-settings`]: [own([200], () => ({ url: `${cabinet}/payout-settings` }))],
  [`PUT ${cabinet}/payout-settings/:shopId`]: [
    foreign((v) => ({ url: `${cabinet}/payout-settings/${v.shop.id}`, body: { frequency: 'off' } })),
  ],
  [`GET ${cabinet}/payouts`]: [
    own([200], () => ({ url: `${cabinet}/payouts` })),
    own([200, 404], (v) => ({ url: `${cabinet}/payouts?shopId=${v.shop.id}` })),
  ],
  [`POST ${cabinet}/payouts`]: [
    foreign((v) => ({ url: `${cabinet}/payouts`, body: { shopId: v.shop.id, amount: '100.00' } })),
  ],
  [`GET ${cabinet}/payouts/:id/statement`]: [
    foreign((v) => ({ url: `${cabinet}/payouts/${v.payoutId}/statement` })),
  ],

  // Payment links.
  [`GET ${cabinet}/invoices`]: [
    own([200], () => ({ url: `${cabinet}/invoices` })),
    own([200, 404], (v) => ({ url: `${cabinet}/invoices?shopId=${v.shop.id}` })),
  ],
  [`POST ${cabinet}/invoices`]: [
    foreign((v) => ({
      url: `${cabinet}/invoices`,
      body: { shopId: v.shop.id, invoiceType: 'Reusable', amount: '100.00', description: 'Stranger link' },
    })),
  ],
  [`GET ${cabinet}/invoices/:id`]: [foreign((v) => ({ url: `${cabinet}/invoices/${v.invoiceId}` }))],
  [`POST ${cabinet}/invoices/:id/deactivate`]: [
    foreign((v) => ({ url: `${cabinet}/invoices/${v.invoiceId}/deactivate` })),
  ],
  [`GET ${cabinet}/invoices/:id/qr.svg`]: [
    foreign((v) => ({ url: `${cabinet}/invoices/${v.invoiceId}/qr.svg` })),
  ],

  // Safe deals.
  [`GET ${cabinet}/deals`]: [
    own([200], () => ({ url: `${cabinet}/deals` })),
    own([200], (v) => ({ url: `${cabinet}/deals?shopId=${v.shop.id}` })),
  ],
  [`POST ${cabinet}/deals`]: [
    foreign((v) => ({
      url: `${cabinet}/deals`,
      body: { shopId: v.shop.id, amount: '100.00', description: 'Stranger deal', buyerEmail: 'x@example.ru' },
    })),
  ],
  [`GET ${cabinet}/deals/:id`]: [foreign((v) => ({ url: `${cabinet}/deals/${v.dealId}` }))],
  [`POST ${cabinet}/deals/:id/cancel`]: [foreign((v) => ({ url: `${cabinet}/deals/${v.dealId}/cancel` }))],

  // Fiscal receipts.
  [`GET ${cabinet}/fiscal-receipts`]: [
    own([200], () => ({ url: `${cabinet}/fiscal-receipts` })),
    own([200, 404], (v) => ({ url: `${cabinet}/fiscal-receipts?shopId=${v.shop.id}` })),
    own([200, 404], (v) => ({ url: `${cabinet}/fiscal-receipts?paymentId=${v.paymentId}` })),
  ],
  [`GET ${cabinet}/fiscal-receipts/:id`]: [
    foreign((v) => ({ url: `${cabinet}/fiscal-receipts/${v.receiptId}` })),
  ],
  [`POST ${cabinet}/shops/:shopId/fiscal-settings/check`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/fiscal-settings/check` })),
  ],
  [`GET ${cabinet}/shops/:shopId/fiscal-import`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/fiscal-import` })),
  ],
  [`POST ${cabinet}/shops/:shopId/fiscal-import/callback-url`]: [
    foreign((v) => ({ url: `${cabinet}/shops/${v.shop.id}/fiscal-import/callback-url` })),
  ],
  [`POST ${cabinet}/shops/:shopId/fiscal-import/pull`]: [
    foreign((v) => ({
      url: `${cabinet}/shops/${v.shop.id}/fiscal-import/pull`,
      body: { uuids: ['00000000-0000-4000-8000-000000000000'] },
    })),
  ],
  [`POST ${cabinet}/shops/:shopId/fiscal-import/files`]: [
    foreign((v) => ({
      url: `${cabinet}/shops/${v.shop.id}/fiscal-import/files`,
      body: {
        format: 'csv',
        content: 'fn,fd,datetime,operation,total\n9999078900004312,7,01.03.2026 12:00:00,sell,100.00',
      },
    })),
  ],
  [`GET ${cabinet}/fiscal-receipts/:id/qr.svg`]: [
    foreign((v) => ({ url: `${cabinet}/fiscal-receipts/${v.receiptId}/qr.svg` })),
  ],
  [`POST ${cabinet}/fiscal-receipts/:id/retry`]: [
    foreign((v) => ({ url: `${cabinet}/fiscal-receipts/${v.receiptId}/retry` })),
  ],

  // The inbox and e-mail subscriptions: per account and person.
  [`GET ${cabinet}/messages`]: [own([200], () => ({ url: `${cabinet}/messages` }))],
  [`GET ${cabinet}/messages/unread-count`]: [own([200], () => ({ url: `${cabinet}/messages/unread-count` }))],
  [`POST ${cabinet}/messages/read-all`]: [own([200], () => ({ url: `${cabinet}/messages/read-all` }))],
  [`GET ${cabinet}/messages/:id`]: [foreign((v) => ({ url: `${cabinet}/messages/${v.messageId}` }))],
  [`POST ${cabinet}/messages/:id/read`]: [
    foreign((v) => ({ url: `${cabinet}/messages/${v.messageId}/read` })),
  ],
  [`GET ${cabinet}/message-subscriptions`]: [own([200], () => ({ url: `${cabinet}/message-subscriptions` }))],
  [`PUT ${cabinet}/message-subscriptions/:category`]: [
    own([404], () => ({
      url: `${cabinet}/message-subscriptions/no-such-category`,
      body: { delivery: 'off' },
    })),
  ],

  // Support and feedback: the account's own tickets, files and feedback.
  [`GET ${cabinet}/support/tickets`]: [own([200], () => ({ url: `${cabinet}/support/tickets` }))],
  [`POST ${cabinet}/support/tickets`]: [
    own([404], (v) => ({
      url: `${cabinet}/support/tickets`,
      body: { topic: 'payments', subject: 'Stranger', body: 'Stranger', shopId: v.shop.id },
    })),
    own([404], (v) => ({
      url: `${cabinet}/support/tickets`,
      body: { topic: 'payments', subject: 'Stranger', body: 'Stranger', paymentId: v.paymentId },
    })),
  ],
  [`GET ${cabinet}/support/tickets/:id`]: [
    foreign((v) => ({ url: `${cabinet}/support/tickets/${v.ticketId}` })),
  ],
  [`GET ${cabinet}/support/tickets/:id/changes`]: [
    foreign((v) => ({ url: `${cabinet}/support/tickets/${v.ticketId}/changes?since=1` })),
  ],
  [`POST ${cabinet}/support/tickets/:id/replies`]: [
    foreign((v) => ({ url: `${cabinet}/support/tickets/${v.ticketId}/replies`, body: { body: 'Stranger' } })),
  ],
  [`GET ${cabinet}/support/attachments/:id`]: [
    foreign((v) => ({ url: `${cabinet}/support/attachments/${v.attachmentId}` })),
  ],
  [`GET ${cabinet}/feedback`]: [own([200], () => ({ url: `${cabinet}/feedback` }))],
  [`GET ${cabinet}/kyc`]: [own([200], () => ({ url: `${cabinet}/kyc` }))],
  [`GET ${cabinet}/site-requirements`]: [own([200], () => ({ url: `${cabinet}/site-requirements` }))],
  [`PUT ${cabinet}/kyc`]: [
    own([422], () => ({
      url: `${cabinet}/kyc`,
      body: { companyName: 'x'.repeat(400), fullName: 'x'.repeat(400) },
    })),
  ],
  [`POST ${cabinet}/kyc/submission`]: [own([422], () => ({ url: `${cabinet}/kyc/submission`, body: {} }))],
  [`POST ${cabinet}/kyc/documents`]: [
    own([422], () => ({
      url: `${cabinet}/kyc/documents`,
      body: { kind: 'passport', fileName: 'x.pdf', contentBase64: Buffer.from('text').toString('base64') },
    })),
  ],
  [`GET ${cabinet}/kyc/documents/:id`]: [
    foreign((v) => ({ url: `${cabinet}/kyc/documents/${v.kycDocumentId}` })),
  ],
  [`DELETE ${cabinet}/kyc/documents/:id`]: [
    foreign((v) => ({ url: `${cabinet}/kyc/documents/${v.kycDocumentId}` })),
  ],
  [`POST ${cabinet}/feedback`]: [
    own([422], () => ({ url: `${cabinet}/feedback`, body: { category: 'x', body: '' } })),
  ],

  // The back-office: a merchant is refused; the operator is not.
  ['GET /api/backoffice/shops']: [foreign(() => ({ url: '/api/backoffice/shops' }), 'backoffice')],
  ['GET /api/backoffice/broadcasts']: [foreign(() => ({ url: '/api/backoffice/broadcasts' }), 'backoffice')],
  ['POST /api/backoffice/broadcasts']: [
    foreign(
      (v) => ({
        url: '/api/backoffice/broadcasts',
        body: {
          category: 'news',
          title: { ru: '', en: '' },
          body: { ru: '', en: '' },
          accounts: [v.accountId],
        },
      }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/staff']: [foreign(() => ({ url: '/api/backoffice/staff' }), 'backoffice')],
  ['POST /api/backoffice/staff']: [
    foreign(
      (v) => ({ url: '/api/backoffice/staff', body: { login: 'x', email: v.email, role: 'owner' } }),
      'backoffice',
    ),
  ],
  ['PATCH /api/backoffice/staff/:id']: [
    foreign((v) => ({ url: `/api/backoffice/staff/${v.userId}`, body: { role: 'owner' } }), 'backoffice'),
  ],
  ['GET /api/backoffice/dashboard']: [foreign(() => ({ url: '/api/backoffice/dashboard' }), 'backoffice')],
  // Methods and providers: an unknown method label, so the operator's own call changes nothing.
  ['GET /api/backoffice/methods']: [foreign(() => ({ url: '/api/backoffice/methods' }), 'backoffice')],
  ['GET /api/backoffice/methods/health']: [
    foreign(() => ({ url: '/api/backoffice/methods/health?window=7d' }), 'backoffice'),
  ],
  ['GET /api/backoffice/methods/providers']: [
    foreign(() => ({ url: '/api/backoffice/methods/providers' }), 'backoffice'),
  ],
  ['GET /api/backoffice/methods/providers/:name']: [
    foreign(() => ({ url: '/api/backoffice/methods/providers/sandbox-sbp' }), 'backoffice'),
  ],
  // An unknown provider: the operator's own call switches nothing off.
  ['PUT /api/backoffice/methods/providers/:name']: [
    foreign(
      () => ({
        url: '/api/backoffice/methods/providers/sandbox-nobody',
        body: { isEnabled: false, reason: 'maintenance' },
      }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/methods/shops']: [
    foreign((v) => ({ url: `/api/backoffice/methods/shops?q=${v.shop.merchantLogin}` }), 'backoffice'),
  ],
  ['GET /api/backoffice/shops/:id/methods']: [
    foreign((v) => ({ url: `/api/backoffice/shops/${v.shop.id}/methods` }), 'backoffice'),
  ],
  ['PUT /api/backoffice/shops/:id/methods']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/shops/${v.shop.id}/methods`,
        body: { changes: [{ label: 'NoSuchMethodPSR', isEnabled: true }] },
      }),
      'backoffice',
    ),
  ],
  // Tariffs and promo codes: invalid bodies and unknown ids, so the operator's own call changes nothing.
  ['GET /api/backoffice/tariffs']: [
    foreign((v) => ({ url: `/api/backoffice/tariffs?shop=${v.shop.id}` }), 'backoffice'),
  ],
  ['POST /api/backoffice/tariffs']: [
    foreign(
      (v) => ({
        url: '/api/backoffice/tariffs',
        body: { shop: v.shop.id, methodGroup: 'BankCard', percent: 'x' },
      }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/tariffs/:id/cancel']: [
    foreign(() => ({ url: '/api/backoffice/tariffs/tar_unknown/cancel' }), 'backoffice'),
  ],
  ['GET /api/backoffice/promo-codes']: [
    foreign(() => ({ url: '/api/backoffice/promo-codes' }), 'backoffice'),
  ],
  ['POST /api/backoffice/promo-codes']: [
    foreign(
      () => ({
        url: '/api/backoffice/promo-codes',
        body: { code: '!', description: '', discountPercent: 0, discountDays: 0 },
      }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/promo-codes/:code/deactivate']: [
    foreign(() => ({ url: '/api/backoffice/promo-codes/UNKNOWN/deactivate' }), 'backoffice'),
  ],
  ['GET /api/backoffice/audit']: [
    foreign((v) => ({ url: `/api/backoffice/audit?account=${v.accountId}` }), 'backoffice'),
  ],
  ['POST /api/backoffice/shops/:id/activate']: [
    foreign((v) => ({ url: `/api/backoffice/shops/${v.shop.id}/activate` }), 'backoffice'),
  ],
  ['POST /api/backoffice/shops/:id/reject']: [
    foreign(
      (v) => ({ url: `/api/backoffice/shops/${v.shop.id}/reject`, body: { reason: 'Stranger' } }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/documents']: [foreign(() => ({ url: '/api/backoffice/documents' }), 'backoffice')],
  ['POST /api/backoffice/documents/:id/dispatch']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/documents/${v.closingDocumentId}/dispatch`,
        body: { dispatchedOn: '2026-01-02', trackingNumber: 'STRANGER1' },
      }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/payouts/queue']: [
    foreign(() => ({ url: '/api/backoffice/payouts/queue' }), 'backoffice'),
  ],
  ['POST /api/backoffice/payouts/:id/approve']: [
    foreign(
      (v) => ({ url: `/api/backoffice/payouts/${v.payoutId}/approve`, body: { delivery: 'bank_file' } }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/payouts/:id/reject']: [
    foreign(
      (v) => ({ url: `/api/backoffice/payouts/${v.payoutId}/reject`, body: { reason: 'Stranger' } }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/payouts/:id/executed']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/payouts/${v.payoutId}/executed`,
        body: { bankReference: 'STRANGER', executedOn: '2026-01-02' },
      }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/payouts/:id/returned']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/payouts/${v.payoutId}/returned`,
        body: { reason: 'Stranger', returnedOn: '2026-01-02' },
      }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/payout-exports']: [
    foreign(() => ({ url: '/api/backoffice/payout-exports' }), 'backoffice'),
  ],
  ['POST /api/backoffice/payout-exports']: [
    foreign(
      (v) => ({ url: '/api/backoffice/payout-exports', body: { payoutIds: [v.payoutId] } }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/payout-exports/:id/file']: [
    foreign(() => ({ url: '/api/backoffice/payout-exports/pxf_unknown/file' }), 'backoffice'),
  ],
  ['GET /api/backoffice/deals']: [foreign(() => ({ url: '/api/backoffice/deals' }), 'backoffice')],
  ['POST /api/backoffice/deals/:id/decide']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/deals/${v.dealId}/decide`,
        body: { decision: 'buyer', note: 'Stranger' },
      }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/shops/:id/recurring']: [
    foreign(
      (v) => ({ url: `/api/backoffice/shops/${v.shop.id}/recurring`, body: { isAllowed: true } }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/shops/:id/holds']: [
    foreign(
      (v) => ({ url: `/api/backoffice/shops/${v.shop.id}/holds`, body: { isAllowed: true } }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/site-requirements']: [
    foreign(() => ({ url: '/api/backoffice/site-requirements' }), 'backoffice'),
  ],
  ['GET /api/backoffice/kyc/questionnaires']: [
    foreign(() => ({ url: '/api/backoffice/kyc/questionnaires' }), 'backoffice'),
  ],
  ['GET /api/backoffice/kyc/questionnaires/:accountId']: [
    foreign((v) => ({ url: `/api/backoffice/kyc/questionnaires/${v.accountId}` }), 'backoffice'),
  ],
  ['GET /api/backoffice/kyc/questionnaires/:accountId/documents/:id']: [
    foreign(
      (v) => ({ url: `/api/backoffice/kyc/questionnaires/${v.accountId}/documents/${v.kycDocumentId}` }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/kyc/questionnaires/:accountId/decision']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/kyc/questionnaires/${v.accountId}/decision`,
        body: { decision: 'rejected', reasons: { general: 'Stranger' } },
      }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/support/tickets']: [
    foreign(() => ({ url: '/api/backoffice/support/tickets' }), 'backoffice'),
  ],
  ['GET /api/backoffice/support/tickets/:id']: [
    foreign((v) => ({ url: `/api/backoffice/support/tickets/${v.ticketId}` }), 'backoffice'),
  ],
  ['POST /api/backoffice/support/tickets/:id/replies']: [
    foreign(
      (v) => ({ url: `/api/backoffice/support/tickets/${v.ticketId}/replies`, body: { body: 'Stranger' } }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/support/tickets/:id/notes']: [
    foreign(
      (v) => ({ url: `/api/backoffice/support/tickets/${v.ticketId}/notes`, body: { body: 'Stranger' } }),
      'backoffice',
    ),
  ],
  ['POST /api/backoffice/support/tickets/:id/status']: [
    foreign(
      (v) => ({ url: `/api/backoffice/support/tickets/${v.ticketId}/status`, body: { status: 'resolved' } }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/support/attachments/:id']: [
    foreign((v) => ({ url: `/api/backoffice/support/attachments/${v.attachmentId}` }), 'backoffice'),
  ],
  ['GET /api/backoffice/support/agents']: [
    foreign(() => ({ url: '/api/backoffice/support/agents' }), 'backoffice'),
  ],
  ['POST /api/backoffice/support/tickets/:id/assignee']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/support/tickets/${v.ticketId}/assignee`,
        body: { assigneeUserId: null },
      }),
      'backoffice',
    ),
  ],
  // Canned answers belong to the operator, not to an account: a merchant is refused by role.
  ['GET /api/backoffice/support/canned-answers']: [
    foreign(() => ({ url: '/api/backoffice/support/canned-answers' }), 'backoffice'),
  ],
  ['POST /api/backoffice/support/canned-answers']: [
    foreign(
      () => ({
        url: '/api/backoffice/support/canned-answers',
        body: { title: 'Stranger', bodyRu: 'Stranger' },
      }),
      'backoffice',
    ),
  ],
  ['PUT /api/backoffice/support/canned-answers/:id']: [
    foreign(
      () => ({
        url: '/api/backoffice/support/canned-answers/cna_x',
        body: { title: 'Stranger', bodyRu: 'x' },
      }),
      'backoffice',
    ),
  ],
  ['DELETE /api/backoffice/support/canned-answers/:id']: [
    foreign(() => ({ url: '/api/backoffice/support/canned-answers/cna_x' }), 'backoffice'),
  ],
  ['GET /api/backoffice/feedback']: [foreign(() => ({ url: '/api/backoffice/feedback' }), 'backoffice')],
  ['POST /api/backoffice/feedback/:id/status']: [
    foreign(
      (v) => ({ url: `/api/backoffice/feedback/${v.feedbackId}/status`, body: { status: 'planned' } }),
      'backoffice',
    ),
  ],
  ['GET /api/backoffice/card-attempts']: [
    foreign(() => ({ url: '/api/backoffice/card-attempts' }), 'backoffice'),
  ],
  ['POST /api/backoffice/card-attempts/:id/recheck']: [
    foreign((v) => ({ url: `/api/backoffice/card-attempts/${v.attemptId}/recheck` }), 'backoffice'),
  ],
  ['POST /api/backoffice/card-attempts/:id/resolve']: [
    foreign(
      (v) => ({
        url: `/api/backoffice/card-attempts/${v.attemptId}/resolve`,
        body: { outcome: 'declined', note: 'x' },
      }),
      'backoffice',
    ),
  ],

  // The JSON API: the caller's key, the victim's ids.
  ['GET /api/v1/payments']: [own([200], () => ({ url: '/api/v1/payments' }), 'api')],
  ['GET /api/v1/payments/:id']: [foreign((v) => ({ url: `/api/v1/payments/${v.paymentId}` }), 'api')],
  ['POST /api/v1/payments/:id/refunds']: [
    foreign((v) => ({ url: `/api/v1/payments/${v.paymentId}/refunds`, body: { amount: '1.00' } }), 'api'),
  ],
  ['GET /api/v1/balance']: [own([200], () => ({ url: '/api/v1/balance' }), 'api')],
  ['POST /api/v1/payments/:id/capture']: [
    foreign((v) => ({ url: `/api/v1/payments/${v.paymentId}/capture`, body: { amount: '1.00' } }), 'api'),
  ],
  ['POST /api/v1/payments/:id/cancel']: [
    foreign((v) => ({ url: `/api/v1/payments/${v.paymentId}/cancel` }), 'api'),
  ],
  ['GET /api/v1/payouts']: [own([200], () => ({ url: '/api/v1/payouts' }), 'api')],
  ['GET /api/v1/payouts/:id']: [foreign((v) => ({ url: `/api/v1/payouts/${v.payoutId}` }), 'api')],
  // The stranger's own shop has no bank details: refused, and nothing of the victim's is touched.
  ['POST /api/v1/payouts']: [own([409], () => ({ url: '/api/v1/payouts', body: { amount: '1.00' } }), 'api')],
  ['GET /api/v1/ledger/entries']: [own([200], () => ({ url: '/api/v1/ledger/entries' }), 'api')],
  ['GET /api/v1/payment-links']: [own([200], () => ({ url: '/api/v1/payment-links' }), 'api')],
  ['POST /api/v1/payment-links']: [
    own(
      [422],
      () => ({
        url: '/api/v1/payment-links',
        body: { invoiceType: 'OneTime', amount: '0', description: 'x' },
      }),
      'api',
    ),
  ],
  ['GET /api/v1/payment-links/:id']: [
    foreign((v) => ({ url: `/api/v1/payment-links/${v.invoiceId}` }), 'api'),
  ],
  ['POST /api/v1/payment-links/:id/deactivate']: [
    foreign((v) => ({ url: `/api/v1/payment-links/${v.invoiceId}/deactivate` }), 'api'),
  ],
  ['GET /api/v1/webhook-endpoints']: [own([200], () => ({ url: '/api/v1/webhook-endpoints' }), 'api')],
  ['POST /api/v1/webhook-endpoints']: [
    own([422], () => ({ url: '/api/v1/webhook-endpoints', body: { url: 'ftp://x', events: [] } }), 'api'),
  ],
  ['GET /api/v1/webhook-endpoints/:id']: [
    foreign((v) => ({ url: `/api/v1/webhook-endpoints/${v.apiEndpointId}` }), 'api'),
  ],
  ['PATCH /api/v1/webhook-endpoints/:id']: [
    foreign(
      (v) => ({ url: `/api/v1/webhook-endpoints/${v.apiEndpointId}`, body: { isEnabled: false } }),
      'api',
    ),
  ],
  ['DELETE /api/v1/webhook-endpoints/:id']: [
    foreign((v) => ({ url: `/api/v1/webhook-endpoints/${v.apiEndpointId}` }), 'api'),
  ],
  ['POST /api/v1/webhook-endpoints/:id/rotate-secret']: [
    foreign((v) => ({ url: `/api/v1/webhook-endpoints/${v.apiEndpointId}/rotate-secret` }), 'api'),
  ],
  ['GET /api/v1/webhook-endpoints/:id/deliveries']: [
    foreign((v) => ({ url: `/api/v1/webhook-endpoints/${v.apiEndpointId}/deliveries` }), 'api'),
  ],
  ['POST /api/v1/webhook-deliveries/:id/resend']: [
    foreign((v) => ({ url: `/api/v1/webhook-deliveries/${v.deliveryId}/resend` }), 'api'),
  ],
  ['GET /api/v1/deals']: [own([200], () => ({ url: '/api/v1/deals' }), 'api')],
  ['POST /api/v1/deals']: [
    own(
      [422],
      () => ({ url: '/api/v1/deals', body: { amount: '0', description: '', buyerEmail: 'x' } }),
      'api',
    ),
  ],
  ['GET /api/v1/deals/:id']: [foreign((v) => ({ url: `/api/v1/deals/${v.dealId}` }), 'api')],
  ['POST /api/v1/deals/:id/cancel']: [foreign((v) => ({ url: `/api/v1/deals/${v.dealId}/cancel` }), 'api')],
};

/** "METHOD /path" → its method. */
export function methodOf(route: string): Method {
  return route.slice(0, route.indexOf(' ')) as Method;
}

let idempotency = 0;

/** Sends a case's request as `caller`: its session (with CSRF), or its API key. */
export function callAs(
  context: TestContext,
  route: string,
  routeCase: RouteCase,
  victim: Victim,
  caller: { tenant: Tenant; browser: TestBrowser },
) {
  const method = methodOf(route);
  const { url, body } = routeCase.request(victim, caller.tenant);
  if (routeCase.surface === 'api') {
    idempotency += 1;
    return context.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${caller.tenant.apiKey.secret}`,
        ...(method === 'POST' ? { 'idempotency-key': `access-${idempotency}` } : {}),
      },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  }
  return caller.browser.request(
    method,
    url,
    body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}),
  );
}

/** A digest of every table but the ones that change on any authenticated request (sessions, rate limits). */
export async function digestDatabase(context: TestContext): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
      and table_name not in ('sessions', 'rate_limit_windows', 'kopek_migrations', 'schema_migrations')
    order by table_name`.execute(context.deps.db);
  const digests: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const result = await sql<{ digest: string }>`
      select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.table(name)} t`.execute(
      context.deps.db,
    );
    digests[name] = result.rows[0]?.digest ?? '';
  }
  return digests;
}

/**
 * A digest of every row that belongs to one tenant: rows of any table with its account_id (or, lacking
 * one, its shop_id), its accounts row, and the entries of its shop's ledger accounts.
 */
export async function digestTenant(context: TestContext, tenant: Tenant): Promise<Record<string, string>> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.column_name in ('account_id', 'shop_id')`.execute(context.deps.db);
  const filterColumn = new Map<string, string>();
  for (const { table_name: table, column_name: column } of columns.rows) {
    if (column === 'account_id' || !filterColumn.has(table)) filterColumn.set(table, column);
  }
  const digests: Record<string, string> = {};
  const digestOf = async (name: string, rows: RawBuilder<unknown>) => {
    const result = await sql<{ digest: string }>`
      select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from (${rows}) t`.execute(
      context.deps.db,
    );
    digests[name] = result.rows[0]?.digest ?? '';
  };
  for (const [table, column] of [...filterColumn].sort()) {
    const value = column === 'account_id' ? tenant.accountId : tenant.shop.id;
    await digestOf(table, sql`select * from ${sql.table(table)} where ${sql.ref(column)} = ${value}`);
  }
  await digestOf('accounts', sql`select * from accounts where id = ${tenant.accountId}`);
  await digestOf(
    'ledger_entries',
    sql`select e.* from ledger_entries e join ledger_accounts l on l.id = e.account_id where l.owner_id = ${tenant.shop.id}`,
  );
  return digests;
}
