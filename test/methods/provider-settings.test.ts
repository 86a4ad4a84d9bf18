/**
 * Provider settings over HTTP on a real PostgreSQL: the operator switches the SBP provider off with a
 * reason (its outage), and then checkout no longer offers SBP, a start with it is refused as
 * 'provider_unavailable', GetCurrencies/GetPaymentMethods/GetRates leave it out, while the attempt opened
 * before keeps its QR and its callback still pays; switched on again, SBP is back. A reason is required,
 * a support agent or finance may look but not switch, every switch is audited, an unknown provider (or
 * the card acquirer) is 404.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethodByLabelOrAlias } from '../../src/modules/methods/index.js';
import { SANDBOX_SBP_PROVIDER } from '../../src/modules/methods/providers/sandbox-sbp.js';
import { startMethodAttempt } from '../../src/modules/payments/index.js';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
import {
  chooseMethod,
  methodAttempts,
  paymentRow,
  postCallback,
  signedCallback,
  startMethodPayment,
} from '../support/methods.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';

let context: TestContext;
const stub = new MerchantStub();
let admin: TestBrowser;
let adminId: string;
let support: TestBrowser;
let finance: TestBrowser;
let merchant: TestBrowser;
let merchantAccountId: string;
let nextInvId = 7100;
const newInvId = () => String((nextInvId += 1));

const SETTINGS = '/api/backoffice/methods/providers';
const OUTAGE = 'Сбой у банка-партнёра СБП, заявка 4512';

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
  const operator = await createOperator(context, 'administrator');
  admin = operator.browser;
  adminId = operator.id;
  support = (await createOperator(context, 'support')).browser;
  finance = (await createOperator(context, 'finance')).browser;
  const registered = await registerMerchant(context);
  merchant = registered.browser;
  merchantAccountId = registered.me.account.id;
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

const switchProvider = (browser: TestBrowser, name: string, body: unknown) =>
  browser.request('PUT', `${SETTINGS}/${name}`, body);

interface SettingsView {
  name: string;
  isSandbox: boolean;
  kinds: string[];
  methods: { label: string }[];
  callbackUrl: string;
  isEnabled: boolean;
  reason: string | null;
  changedAt: string | null;
  changedBy: { id: string; login: string } | null;
}

/** The payment_changes messages of the account with this login or id, oldest first. */
async function paymentChangeMessages(account: string) {
  const result = await sql<{ title_ru: string; title_en: string; body_ru: string }>`
    select m.title_ru, m.title_en, m.body_ru from messages m join accounts a on a.id = m.account_id
    where (a.login = ${account} or a.id = ${account}) and m.category = 'payment_changes'
    order by m.created_at, m.id`.execute(context.deps.db);
  return result.rows;
}

async function checkoutPage(paymentId: string) {
  return (await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` })).body;
}

const ask = async (method: string, query: string) =>
  (
    await context.app.inject({
      method: 'GET',
      url: `/Merchant/WebService/Service.asmx/${method}?MerchantLogin=demo&${query}`,
    })
  ).body;

/** A demo-shop payment with a pending SBP attempt: its id and the attempt. */
async function pendingSbpPayment() {
  const paymentId = await startMethodPayment(context.app, 'SBP', { invId: newInvId(), outSum: '250.00' });
  expect((await chooseMethod(context.app, paymentId, 'SBP')).statusCode).toBe(303);
  const [attempt] = await methodAttempts(context, paymentId);
  if (attempt?.status !== 'pending' || !attempt.provider_reference) throw new Error('no pending SBP attempt');
  return { paymentId, attempt };
}

describe('the providers’ settings', () => {
  it('lists every method provider (not the card acquirer) with its callback URL, on by default', async () => {
    const response = await support.get(SETTINGS);
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as SettingsView[];
    expect(items.map((item) => item.name)).toContain(SANDBOX_SBP_PROVIDER);
    expect(items.map((item) => item.name)).not.toContain('sandbox');
    expect(items.find((item) => item.name === SANDBOX_SBP_PROVIDER)).toEqual({
      name: SANDBOX_SBP_PROVIDER,
      isSandbox: true,
      kinds: ['sbp'],
      methods: [{ label: 'SBPPSR', alias: 'SBP', name: { ru: 'СБП', en: 'SBP' } }],
      callbackUrl: `${TEST_PUBLIC_URL}/providers/sandbox-sbp/callback`,
      isEnabled: true,
      reason: null,
      changedAt: null,
      changedBy: null,
    });
    const page = await finance.get(`${SETTINGS}/${SANDBOX_SBP_PROVIDER}`);
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ name: SANDBOX_SBP_PROVIDER, isEnabled: true });
  });

  it('is for operators only, and 404 for an unknown provider or the card acquirer', async () => {
    expect((await merchant.get(SETTINGS)).statusCode).toBe(403);
    const unknown = await admin.get(`${SETTINGS}/nobody`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'provider_not_found' });
    expect(unknown.json().error.message).toContain('nobody');
    const card = await switchProvider(admin, 'sandbox', { isEnabled: false, reason: OUTAGE });
    expect(card.statusCode).toBe(404);
    expect(card.json().error.code).toBe('provider_not_found');
  });

  it('refuses a support agent, finance and a merchant the switch, and writes nothing', async () => {
    const body = { isEnabled: false, reason: OUTAGE };
    for (const browser of [support, finance, merchant]) {
      const refused = await switchProvider(browser, SANDBOX_SBP_PROVIDER, body);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('forbidden');
    }
    expect(await context.deps.db.selectFrom('provider_settings').selectAll().execute()).toEqual([]);
  });

  it('requires a reason', async () => {
    const missing = await switchProvider(admin, SANDBOX_SBP_PROVIDER, { isEnabled: false });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.fields.reason.code).toBe('required');
    const blank = await switchProvider(admin, SANDBOX_SBP_PROVIDER, { isEnabled: false, reason: '   ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.json().error.fields.reason).toMatchObject({ code: 'required' });
    expect(blank.json().error.fields.reason.message).toContain('причину');
    const tooLong = await switchProvider(admin, SANDBOX_SBP_PROVIDER, {
      isEnabled: false,
      reason: 'x'.repeat(501),
    });
    expect(tooLong.statusCode).toBe(422);
    expect(await context.deps.db.selectFrom('provider_settings').selectAll().execute()).toEqual([]);
  });
});

describe('a provider switched off and on again', () => {
  let open: { paymentId: string; attempt: { id: string; provider_reference: string | null } };

  beforeAll(async () => {
    // Opened while the provider is on: the money may already be moving when it is switched off.
    open = await pendingSbpPayment();
  });

  it('is switched off with the reason, who and when, and audited', async () => {
    const response = await switchProvider(admin, SANDBOX_SBP_PROVIDER, {
      isEnabled: false,
      reason: ` ${OUTAGE} `,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      name: SANDBOX_SBP_PROVIDER,
      isEnabled: false,
      reason: OUTAGE,
      changedAt: context.clock.now().toISOString(),
      changedBy: { id: adminId },
    });
    const [entry, ...more] = await auditEntries(context, 'provider.disabled', {
      target: SANDBOX_SBP_PROVIDER,
    });
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      account_id: null,
      actor_user_id: adminId,
      details: { reason: OUTAGE, kinds: ['sbp'] },
    });
    // The demo shop takes SBP: its merchant is told (without the operator's internal reason); the
    // merchant whose shops do not take it is not.
    const [notice, ...others] = await paymentChangeMessages('demo');
    expect(others).toEqual([]);
    expect(notice).toMatchObject({
      title_ru: 'Временно недоступно: СБП',
      title_en: 'Temporarily unavailable: SBP',
    });
    expect(notice?.body_ru).toContain('Оплаты, начатые раньше, завершатся.');
    expect(notice?.body_ru).not.toContain(OUTAGE);
    expect(await paymentChangeMessages(merchantAccountId)).toEqual([]);
    // Every operator sees the state on the list.
    const listed = ((await support.get(SETTINGS)).json().items as SettingsView[]).find(
      (item) => item.name === SANDBOX_SBP_PROVIDER,
    );
    expect(listed).toMatchObject({ isEnabled: false, reason: OUTAGE });
  });

  it('writes nothing when switched to the state it is in', async () => {
    const again = await switchProvider(admin, SANDBOX_SBP_PROVIDER, { isEnabled: false, reason: 'ещё раз' });
    expect(again.statusCode).toBe(200);
    expect(again.json().reason).toBe(OUTAGE);
    expect(await auditEntries(context, 'provider.disabled', { target: SANDBOX_SBP_PROVIDER })).toHaveLength(
      1,
    );
  });

  it('leaves SBP out of the checkout chooser, and a press of its button starts nothing', async () => {
    const paymentId = await startMethodPayment(context.app, 'SBP', { invId: newInvId() });
    const page = await checkoutPage(paymentId);
    expect(page).not.toContain('>СБП<');
    expect(page).toContain('ЮMoney');
    expect(page).toContain('Номер карты');
    const pressed = await chooseMethod(context.app, paymentId, 'SBP');
    expect(pressed.statusCode).toBe(303);
    expect(await methodAttempts(context, paymentId)).toHaveLength(0);
  });

  it('refuses a start with it as provider_unavailable (a page drawn before the switch)', async () => {
    const paymentId = await startMethodPayment(context.app, 'SBP', { invId: newInvId() });
    const sbp = findMethodByLabelOrAlias('SBP');
    if (!sbp) throw new Error('SBP is not in the catalogue');
    const result = await startMethodAttempt(context.deps, {
      paymentId,
      method: sbp,
      buyerInput: {},
      returnUrl: `${TEST_PUBLIC_URL}/Merchant/Index/${paymentId}`,
    });
    expect(result).toEqual({ kind: 'refused', reason: 'provider_unavailable' });
    expect(await methodAttempts(context, paymentId)).toHaveLength(0);
  });

  it('is left out of GetCurrencies, GetPaymentMethods and GetRates', async () => {
    const currencies = await ask('GetCurrencies', 'Language=ru');
    expect(currencies).not.toContain('SBPPSR');
    expect(currencies).not.toContain('Code="SBP"');
    expect(currencies).toContain('Label="YooMoneyPSR"');
    expect(await ask('GetPaymentMethods', 'Language=en')).not.toContain('Code="SBP"');
    expect(await ask('GetRates', 'OutSum=100&Language=ru')).not.toContain('SBPPSR');
  });

  it('keeps the attempt opened before: its QR stays on the page and its callback pays', async () => {
    const page = await checkoutPage(open.paymentId);
    expect(page).toContain(`/sandbox/sbp/${open.attempt.provider_reference}`);
    const { text, signature } = signedCallback(context, SANDBOX_SBP_PROVIDER, {
      eventId: 'ev-provider-off-1',
      qrcId: open.attempt.provider_reference,
      status: 'ACWP',
      amount: 25_000,
      payerBank: 'Сбербанк',
      payerAccount: '+7 *** ***-12-34',
    });
    const answer = await postCallback(context.app, SANDBOX_SBP_PROVIDER, text, signature);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ outcome: 'paid' });
    expect((await paymentRow(context, open.paymentId)).status).toBe('paid');
  });

  it('is switched on again with a reason, audited, and SBP is offered and starts again', async () => {
    context.clock.advanceMs(60_000);
    const response = await switchProvider(admin, SANDBOX_SBP_PROVIDER, {
      isEnabled: true,
      reason: 'Банк-партнёр восстановил работу',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      isEnabled: true,
      reason: 'Банк-партнёр восстановил работу',
      changedAt: context.clock.now().toISOString(),
    });
    const [entry] = await auditEntries(context, 'provider.enabled', { target: SANDBOX_SBP_PROVIDER });
    expect(entry).toMatchObject({
      actor_user_id: adminId,
      details: { reason: 'Банк-партнёр восстановил работу' },
    });

    expect((await paymentChangeMessages('demo')).map((message) => message.title_ru)).toEqual([
      'Временно недоступно: СБП',
      'Снова доступно: СБП',
    ]);
    expect(await ask('GetCurrencies', 'Language=ru')).toContain('Label="SBPPSR"');
    const { paymentId } = await pendingSbpPayment();
    expect(await checkoutPage(paymentId)).toContain('/sandbox/sbp/');
    const fresh = await startMethodPayment(context.app, 'SBP', { invId: newInvId() });
    expect(await checkoutPage(fresh)).toContain('>СБП<');
  });
});
