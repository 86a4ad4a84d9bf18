/**
 * Recurring payments over HTTP against real PostgreSQL: the Recurring=true parent saves its card, a
 * child charge (/Merchant/Recurring) is accepted with OK<InvoiceID> and charged by its job with the
 * saved card through the normal completion (ledger, ResultURL signed with Password #2), the refusals
 * (unpaid, foreign, non-recurring parents, test mode, forbidden fields, the shop's permission), the
 * signature variants, the InvoiceID rules and two identical children at once charging once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop } from '../../src/modules/shops/index.js';
import { DEMO } from '../../src/seed.js';
import { auditEntries, createOperator, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';
import {
  attemptsOf,
  DEMO_KEYS,
  md5,
  paymentByInvId,
  paymentRow,
  payParent,
  postRecurring,
  recurringForm,
  savedCardsOf,
  signedFields,
  transferKeysOf,
  type ShopKeys,
} from './recurring-support.js';

let context: TestContext;
const stub = new MerchantStub();
let shopId = '';
let nextInvId = 41_000;
const newInvId = () => String((nextInvId += 1));
const resultCallsFor = (invId: string) => stub.calls.filter((call) => call.fields.get('InvId') === invId);

beforeAll(async () => {
  context = await createTestContext();
  await stub.start();
  await prepareDemoShop(context, stub);
  const shop = await context.deps.db
    .selectFrom('shops')
    .select('id')
    .where('merchant_login', '=', DEMO.shop.merchantLogin)
    .executeTakeFirstOrThrow();
  shopId = shop.id;
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

describe('the parent (Recurring=true)', () => {
  it('saves the paid card in the vault, bound to the shop and the parent payment', async () => {
    const { paymentId } = await payParent(context, { invId: newInvId() });
    const parent = await paymentRow(context, paymentId);
    expect(parent.is_recurring).toBe(true);
    const [attempt] = await attemptsOf(context, paymentId);
    const saved = await savedCardsOf(context, paymentId);
    expect(saved).toEqual([
      expect.objectContaining({ payment_id: paymentId, shop_id: shopId, card_token: attempt?.card_token }),
    ]);
    // Only the vault holds the number, sealed: the binding is a token.
    expect(JSON.stringify(saved)).not.toContain('4111111111111111');
    const vault = await context.deps.db
      .selectFrom('card_vault')
      .selectAll()
      .where('token', '=', attempt?.card_token ?? '')
      .executeTakeFirstOrThrow();
    expect(vault.pan_sealed).not.toContain('4111111111111111');
  });

  it('saves nothing for a payment without Recurring=true', async () => {
    const { paymentId } = await payParent(context, { invId: newInvId(), isRecurring: false });
    expect(await savedCardsOf(context, paymentId)).toEqual([]);
  });

  it('keeps the restrictions: not with IncCurrLabel, ExpirationDate or StepByStep', async () => {
    for (const [extra, code] of [
      [{ IncCurrLabel: 'BankCardPSR' }, 35],
      [{ ExpirationDate: '2029-01-16T12:00:00+03:00' }, 35],
    ] as const) {
      const fields = signedFields(DEMO_KEYS, {
        outSum: '10.00',
        invId: newInvId(),
        fields: { Recurring: 'true', ...extra },
      });
      const response = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${fields}` });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(`Robokassa: ${code}`);
    }
    const hold = signedFields(DEMO_KEYS, {
      outSum: '10.00',
      invId: newInvId(),
      signed: ['true'],
      fields: { Recurring: 'true', StepByStep: 'true' },
    });
    const refused = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${hold}` });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Robokassa: 65');
  });
});

describe('a child charge (/Merchant/Recurring)', () => {
  it('answers OK<InvoiceID>, charges the saved card in a job and notifies ResultURL like a card payment', async () => {
    const parentInvId = newInvId();
    const { paymentId: parentId } = await payParent(context, { invId: parentInvId });
    const invoiceId = newInvId();
    const response = await postRecurring(
      context,
      recurringForm({
        invoiceId,
        previousInvoiceId: parentInvId,
        outSum: '199.90',
        shp: { Shp_plan: 'gold' },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toBe(`OK${invoiceId}`);

    const accepted = await paymentByInvId(context, shopId, invoiceId);
    expect(accepted).toMatchObject({
      status: 'processing',
      previous_payment_id: parentId,
      amount_minor: 19990n,
    });
    const childId = accepted?.id ?? '';
    expect(await attemptsOf(context, childId)).toEqual([]);

    await context.worker.drain();
    const child = await paymentRow(context, childId);
    expect(child.status).toBe('paid');
    expect(child.op_key).toMatch(/^op_/);
    const [parentAttempt] = await attemptsOf(context, parentId);
    const childAttempts = await attemptsOf(context, childId);
    expect(childAttempts).toHaveLength(1);
    expect(childAttempts[0]).toMatchObject({ status: 'approved', card_token: parentAttempt?.card_token });
    expect(await transferKeysOf(context, childId)).toEqual([`payment:${childId}:paid`]);
    // A paid child may be the previous invoice of the next one: its card is saved too.
    expect(await savedCardsOf(context, childId)).toHaveLength(1);

    const [call] = resultCallsFor(invoiceId);
    expect(call?.fields.get('OutSum')).toBe('199.90');
    expect(call?.fields.get('Shp_plan')).toBe('gold');
    expect(call?.fields.get('SignatureValue')).toBe(
      md5(`199.90:${invoiceId}:${DEMO.shop.password2}:Shp_plan=gold`).toUpperCase(),
    );
  });

  it("marks the parent and the child on the cabinet's operation pages", async () => {
    const parentInvId = newInvId();
    const { paymentId: parentId } = await payParent(context, { invId: parentInvId });
    const invoiceId = newInvId();
    await postRecurring(
      context,
      recurringForm({ invoiceId, previousInvoiceId: parentInvId, outSum: '2.00' }),
    );
    await context.worker.drain();
    const childId = (await paymentByInvId(context, shopId, invoiceId))?.id ?? '';
    const browser = await signInBrowser(context, DEMO.administrator.email, DEMO.administrator.password);
    const parent = (await browser.get(`/api/cabinet/operations/${parentId}`)).json() as {
      operation: Record<string, unknown>;
    };
    expect(parent.operation).toMatchObject({
      isRecurringParent: true,
      recurringPreviousInvId: null,
      isSavedCard: false,
    });
    const child = (await browser.get(`/api/cabinet/operations/${childId}`)).json() as {
      operation: Record<string, unknown>;
      timeline: { kind: string }[];
    };
    expect(child.operation).toMatchObject({
      isRecurringParent: false,
      recurringPreviousInvId: parentInvId,
      isSavedCard: true,
      status: 'paid',
    });
    expect(child.timeline.map((entry) => entry.kind)).toEqual(
      expect.arrayContaining(['created', 'card_submitted', 'paid']),
    );
  });

  it('assigns an InvoiceID when none (signed with the slot empty) or 0 (signed as sent) arrives', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    for (const invoiceId of ['', '0']) {
      const form = signedFields(DEMO_KEYS, { outSum: '5.00', invId: invoiceId, invIdName: 'InvoiceID' });
      form.set('PreviousInvoiceID', parentInvId);
      const response = await postRecurring(context, form.toString());
      expect(response.body).toMatch(/^OK\d+$/);
      const assigned = response.body.slice(2);
      expect((await paymentByInvId(context, shopId, assigned))?.is_inv_id_assigned).toBe(true);
    }
  });

  it('chains: a paid child serves as the previous invoice of the next charge', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const first = newInvId();
    await postRecurring(
      context,
      recurringForm({ invoiceId: first, previousInvoiceId: parentInvId, outSum: '1.00' }),
    );
    await context.worker.drain();
    const second = newInvId();
    const response = await postRecurring(
      context,
      recurringForm({ invoiceId: second, previousInvoiceId: first, outSum: '1.00' }),
    );
    expect(response.body).toBe(`OK${second}`);
    await context.worker.drain();
    expect((await paymentByInvId(context, shopId, second))?.status).toBe('paid');
  });

  it('accepts every documented signature variant: Receipt and ResultUrl2 encoded or raw, Shp in either order', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const receipt = JSON.stringify({ items: [{ name: 'Подписка', quantity: 1, sum: 10, tax: 'none' }] });
    const url = 'https://shop.example.ru/result2?plan=1';
    const variants: { signed: string[]; fields: Record<string, string>; shp?: Record<string, string> }[] = [
      { signed: [encodeURIComponent(receipt)], fields: { Receipt: encodeURIComponent(receipt) } },
      { signed: [receipt], fields: { Receipt: receipt } },
      { signed: [encodeURIComponent(url)], fields: { ResultUrl2: url } },
      { signed: [url], fields: { ResultUrl2: url } },
      { signed: [receipt, encodeURIComponent(url)], fields: { Receipt: receipt, ResultUrl2: url } },
      { signed: [], fields: {}, shp: { Shp_b: '2', shp_a: '1' } },
    ];
    for (const variant of variants) {
      const invoiceId = newInvId();
      const body = recurringForm({
        invoiceId,
        previousInvoiceId: parentInvId,
        outSum: '10.00',
        ...variant,
      });
      const response = await postRecurring(context, body);
      expect(response.body, JSON.stringify(variant)).toBe(`OK${invoiceId}`);
    }
    // Case-insensitive Shp order (shp_a before Shp_b), as robokassa/cms-wordpress signs.
    const invoiceId = newInvId();
    const form = new URLSearchParams({
      MerchantLogin: 'demo',
      OutSum: '10.00',
      InvoiceID: invoiceId,
      PreviousInvoiceID: parentInvId,
      Shp_b: '2',
      shp_a: '1',
      SignatureValue: md5(`demo:10.00:${invoiceId}:${DEMO.shop.password1}:shp_a=1:Shp_b=2`),
    });
    expect((await postRecurring(context, form.toString())).body).toBe(`OK${invoiceId}`);
    // PreviousInvoiceID is not signed: signing it is a wrong signature.
    const signedPrevious = new URLSearchParams({
      MerchantLogin: 'demo',
      OutSum: '10.00',
      InvoiceID: newInvId(),
      PreviousInvoiceID: parentInvId,
    });
    signedPrevious.set(
      'SignatureValue',
      md5(`demo:10.00:${signedPrevious.get('InvoiceID')}:${parentInvId}:${DEMO.shop.password1}`),
    );
    expect((await postRecurring(context, signedPrevious.toString())).body).toMatch(/^ERROR29: /);
  });

  it('refuses a wrong signature (29) and the test password', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const wrong = recurringForm({
      invoiceId: newInvId(),
      previousInvoiceId: parentInvId,
      outSum: '10.00',
      password: DEMO.shop.testPassword1,
    });
    const response = await postRecurring(context, wrong);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^ERROR29: /);
  });
});

describe('refused children', () => {
  let otherShop: ShopKeys & { id: string };

  beforeAll(async () => {
    const admin = await context.deps.db
      .selectFrom('users')
      .select(['id', 'account_id'])
      .where('email', '=', DEMO.administrator.email)
      .executeTakeFirstOrThrow();
    const passwords = { password1: 'other_pass1', password2: 'other_pass2' };
    const view = await createShop(
      context.deps,
      { userId: admin.id, accountId: admin.account_id ?? '', role: 'administrator' },
      {
        name: 'Второй магазин',
        siteUrl: 'https://other.example.ru',
        description: 'Other',
        merchantLogin: 'other_recurring',
        passwords,
      },
      { ip: '127.0.0.1', userAgent: 'test' },
    );
    await context.deps.db
      .updateTable('shops')
      .set({ status: 'active', is_recurring_allowed: true })
      .where('id', '=', view.id)
      .execute();
    otherShop = { id: view.id, merchantLogin: 'other_recurring', ...passwords };
  });

  async function refusal(body: string): Promise<string> {
    const response = await postRecurring(context, body);
    expect(response.statusCode).toBe(200);
    return response.body;
  }

  it('refuses an unknown, unpaid, non-recurring or foreign previous invoice with 35, charging nothing', async () => {
    const unpaid = newInvId();
    const started = signedFields(DEMO_KEYS, {
      outSum: '10.00',
      invId: unpaid,
      fields: { Recurring: 'true' },
    });
    expect(
      (await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${started}` })).statusCode,
    ).toBe(303);
    const plain = newInvId();
    await payParent(context, { invId: plain, isRecurring: false });
    const foreign = newInvId();
    await payParent(context, { invId: foreign, shop: otherShop });

    for (const [previous, text] of [
      [newInvId(), 'нет платежа'],
      [unpaid, 'не оплачен'],
      [plain, 'не материнский'],
      [foreign, 'нет платежа'],
    ] as const) {
      const invoiceId = newInvId();
      const body = await refusal(recurringForm({ invoiceId, previousInvoiceId: previous, outSum: '10.00' }));
      expect(body).toMatch(/^ERROR35: /);
      expect(body).toContain(text);
      expect(await paymentByInvId(context, shopId, invoiceId)).toBeUndefined();
    }
    // The other shop may charge its own parent.
    const own = newInvId();
    const accepted = await refusal(
      recurringForm({ invoiceId: own, previousInvoiceId: foreign, outSum: '10.00', shop: otherShop }),
    );
    expect(accepted).toBe(`OK${own}`);
  });

  it('refuses test mode, forbidden fields and a missing PreviousInvoiceID with 35', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const base = { previousInvoiceId: parentInvId, outSum: '10.00' };
    const isTest = await refusal(recurringForm({ ...base, invoiceId: newInvId(), fields: { IsTest: '1' } }));
    expect(isTest).toMatch(/^ERROR35: .*тестового режима/);
    for (const name of ['Email', 'IncCurrLabel', 'Recurring', 'ExpirationDate']) {
      const value =
        { Email: 'a@b.ru', IncCurrLabel: 'BankCard', Recurring: 'true' }[name] ?? '2030-01-01T00:00:00Z';
      const body = await refusal(
        recurringForm({ ...base, invoiceId: newInvId(), fields: { [name]: value } }),
      );
      expect(body, name).toMatch(/^ERROR35: /);
    }
    const missing = signedFields(DEMO_KEYS, { outSum: '10.00', invId: newInvId(), invIdName: 'InvoiceID' });
    expect(await refusal(missing.toString())).toMatch(/^ERROR35: .*PreviousInvoiceID/);
    const english = await refusal(
      recurringForm({ ...base, invoiceId: newInvId(), fields: { IsTest: '1', Culture: 'en' } }),
    );
    expect(english).toMatch(/^ERROR35: Recurring charges have no test mode/);
  });

  it('refuses a paid InvoiceID (40) and one taken by an ordinary payment (30)', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const paid = newInvId();
    await payParent(context, { invId: paid, isRecurring: false });
    expect(
      await refusal(recurringForm({ invoiceId: paid, previousInvoiceId: parentInvId, outSum: '1.00' })),
    ).toMatch(/^ERROR40: /);
    const open = newInvId();
    const started = signedFields(DEMO_KEYS, { outSum: '10.00', invId: open });
    await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${started}` });
    expect(
      await refusal(recurringForm({ invoiceId: open, previousInvoiceId: parentInvId, outSum: '1.00' })),
    ).toMatch(/^ERROR30: /);
  });

  it('answers 34 everywhere for a shop the operator has not allowed, and the operator switch is audited', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const operator = await createOperator(context);
    const off = await operator.browser.post(`/api/backoffice/shops/${shopId}/recurring`, {
      isAllowed: false,
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ shopId, isRecurringAllowed: false });
    expect(await auditEntries(context, 'shop.recurring_disallowed', { target: shopId })).toHaveLength(1);
    try {
      const child = await refusal(
        recurringForm({ invoiceId: newInvId(), previousInvoiceId: parentInvId, outSum: '1.00' }),
      );
      expect(child).toMatch(/^ERROR34: /);
      const parent = signedFields(DEMO_KEYS, {
        outSum: '1.00',
        invId: newInvId(),
        fields: { Recurring: 'true' },
      });
      const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${parent}` });
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('Robokassa: 34');
    } finally {
      const on = await operator.browser.post(`/api/backoffice/shops/${shopId}/recurring`, {
        isAllowed: true,
      });
      expect(on.statusCode, on.body).toBe(200);
    }
    expect(await auditEntries(context, 'shop.recurring_allowed', { target: shopId })).toHaveLength(1);
    const merchantView = await context.deps.db
      .selectFrom('shops')
      .select('is_recurring_allowed')
      .where('id', '=', shopId)
      .executeTakeFirstOrThrow();
    expect(merchantView.is_recurring_allowed).toBe(true);
  });
});

describe('InvoiceID races and repeats', () => {
  it('charges once when the same child is sent twice at once, and answers OK to both', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const invoiceId = newInvId();
    const body = recurringForm({ invoiceId, previousInvoiceId: parentInvId, outSum: '42.00' });
    const answers = await Promise.all([1, 2, 3].map(() => postRecurring(context, body)));
    expect(answers.map((answer) => answer.body)).toEqual([
      `OK${invoiceId}`,
      `OK${invoiceId}`,
      `OK${invoiceId}`,
    ]);
    await context.worker.drain();
    const again = await postRecurring(context, body);
    expect(again.body).toMatch(/^ERROR40: /);
    const child = await paymentByInvId(context, shopId, invoiceId);
    expect(child?.status).toBe('paid');
    const childId = child?.id ?? '';
    expect(await attemptsOf(context, childId)).toHaveLength(1);
    expect(await transferKeysOf(context, childId)).toEqual([`payment:${childId}:paid`]);
    expect(resultCallsFor(invoiceId)).toHaveLength(1);
  });

  it('a checkout page never takes a card for a child', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const invoiceId = newInvId();
    await postRecurring(
      context,
      recurringForm({ invoiceId, previousInvoiceId: parentInvId, outSum: '3.00' }),
    );
    const child = await paymentByInvId(context, shopId, invoiceId);
    const submitted = await context.app.inject({
      method: 'POST',
      url: `/Merchant/Index/${child?.id}/card`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'cardNumber=4111111111111111&expiry=12%2F30&cvc=123&submissionKey=k1',
    });
    expect(submitted.statusCode).toBe(303);
    expect(await attemptsOf(context, child?.id ?? '')).toEqual([]);
    // An ordinary payment request with the child's InvId does not take it over.
    const takeover = signedFields(DEMO_KEYS, { outSum: '3.00', invId: invoiceId });
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index.aspx?${takeover}` });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Robokassa: 30');
  });
});
