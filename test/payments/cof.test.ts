/**
 * Saved-card (CoF) payments over HTTP against real PostgreSQL: /Merchant/Payment/CoFPayment with Token =
 * the OpKey of an earlier card operation of the shop, the CVC-only checkout form, the charge on the
 * saved card (3-D Secure included) with the normal completion, and the refusals: unknown, foreign or
 * missing Token (35), a shop without the permission (34), a bad CVC, and the signature variants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CHALLENGE_CODE } from '../../src/modules/methods/index.js';
import { createShop } from '../../src/modules/shops/index.js';
import { DEMO } from '../../src/seed.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { cardForm, MerchantStub, paymentIdFrom, prepareDemoShop, submitCard } from '../support/payments.js';
import {
  attemptsOf,
  CHALLENGE_CARD,
  DEMO_KEYS,
  md5,
  paymentRow,
  payParent,
  signedFields,
  transferKeysOf,
  type ShopKeys,
} from './recurring-support.js';

let context: TestContext;
const stub = new MerchantStub();
let shopId = '';
let nextInvId = 52_000;
const newInvId = () => String((nextInvId += 1));

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

/** `MerchantLogin:OutSum:InvId[:Receipt][:ResultUrl2]:Token:Password#1`. */
function cofQuery(
  token: string,
  options: { invId?: string; outSum?: string; signedBefore?: string[]; fields?: Record<string, string> } = {},
) {
  return signedFields(DEMO_KEYS, {
    outSum: options.outSum ?? '250.00',
    invId: options.invId ?? newInvId(),
    signed: [...(options.signedBefore ?? []), token],
    fields: { Token: token, ...options.fields },
  });
}

async function startCof(query: URLSearchParams, method: 'GET' | 'POST' = 'GET') {
  return method === 'GET'
    ? context.app.inject({ method: 'GET', url: `/Merchant/Payment/CoFPayment?${query}` })
    : context.app.inject({
        method: 'POST',
        url: '/Merchant/Payment/CoFPayment',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: query.toString(),
      });
}

async function submitCvc(paymentId: string, cvc: string, submissionKey = `cvc-${Math.random()}`) {
  return context.app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/cof`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ cvc, submissionKey }).toString(),
  });
}

async function answerChallenge(paymentId: string) {
  const [attempt] = (await attemptsOf(context, paymentId)).filter((row) => row.status === 'challenge');
  const answered = await context.app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/3ds`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ attemptId: attempt?.id ?? '', code: SANDBOX_CHALLENGE_CODE }).toString(),
  });
  expect(answered.statusCode).toBe(303);
}

describe('paying with a saved card', () => {
  it('asks only for the CVC, charges the earlier operation’s card and completes like a card payment', async () => {
    const earlier = await payParent(context, { invId: newInvId(), isRecurring: false });
    const invId = newInvId();
    const started = await startCof(cofQuery(earlier.opKey, { invId }), 'POST');
    expect(started.statusCode, started.body.slice(0, 400)).toBe(303);
    const paymentId = paymentIdFrom(started.headers.location as string);
    expect((await paymentRow(context, paymentId)).cof_payment_id).toBe(earlier.paymentId);

    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label for="cvc">CVC</label>');
    expect(page.body).toContain('411111******1111');
    expect(page.body).not.toContain('name="cardNumber"');
    expect(page.body).toContain(`/Merchant/Index/${paymentId}/cof`);

    const paid = await submitCvc(paymentId, '123');
    expect(paid.statusCode).toBe(303);
    const payment = await paymentRow(context, paymentId);
    expect(payment.status).toBe('paid');
    const [earlierAttempt] = await attemptsOf(context, earlier.paymentId);
    const attempts = await attemptsOf(context, paymentId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'approved', card_token: earlierAttempt?.card_token });
    expect(await transferKeysOf(context, paymentId)).toEqual([`payment:${paymentId}:paid`]);
    await context.worker.drain();
    const call = stub.calls.find((received) => received.fields.get('InvId') === invId);
    expect(call?.fields.get('SignatureValue')).toBe(
      md5(`250.00:${invId}:${DEMO.shop.password2}`).toUpperCase(),
    );
  });

  it('passes the buyer through 3-D Secure when the saved card asks for it', async () => {
    const started = await context.app.inject({
      method: 'GET',
      url: `/Merchant/Index.aspx?${signedFields(DEMO_KEYS, { outSum: '20.00', invId: newInvId() })}`,
    });
    const earlierId = paymentIdFrom(started.headers.location as string);
    await submitCard(context.app, earlierId, cardForm(CHALLENGE_CARD));
    await answerChallenge(earlierId);
    const earlier = await paymentRow(context, earlierId);
    expect(earlier.status).toBe('paid');

    const cof = await startCof(cofQuery(earlier.op_key ?? ''));
    const paymentId = paymentIdFrom(cof.headers.location as string);
    expect((await submitCvc(paymentId, '321')).statusCode).toBe(303);
    expect((await paymentRow(context, paymentId)).status).toBe('awaiting_3ds');
    await answerChallenge(paymentId);
    expect((await paymentRow(context, paymentId)).status).toBe('paid');
  });

  it('shows an English CVC form and refuses a CVC that is not 3-4 digits, charging nothing', async () => {
    const earlier = await payParent(context, { invId: newInvId(), isRecurring: false });
    const started = await startCof(cofQuery(earlier.opKey, { fields: { Culture: 'en' } }));
    const paymentId = paymentIdFrom(started.headers.location as string);
    const page = await context.app.inject({ method: 'GET', url: `/Merchant/Index/${paymentId}` });
    expect(page.body).toContain('Pay with the saved card');
    expect(page.body).toContain('<label for="cvc">CVC</label>');
    const bad = await submitCvc(paymentId, '12a');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Enter the CVC: 3 or 4 digits');
    expect(await attemptsOf(context, paymentId)).toEqual([]);
    // The full card form cannot pay a saved-card payment with another card.
    const other = await submitCard(context.app, paymentId, cardForm('5555 5555 5555 4444'));
    expect(other.statusCode).toBe(303);
    expect(await attemptsOf(context, paymentId)).toEqual([]);
  });

  it('accepts the documented signature with Receipt and ResultUrl2, encoded or raw', async () => {
    const earlier = await payParent(context, { invId: newInvId(), isRecurring: false });
    const receipt = JSON.stringify({ items: [{ name: 'Товар', quantity: 1, sum: 250, tax: 'none' }] });
    const url = 'https://shop.example.ru/result2';
    for (const signedBefore of [
      [encodeURIComponent(receipt), encodeURIComponent(url)],
      [receipt, url],
    ]) {
      const query = cofQuery(earlier.opKey, { signedBefore, fields: { Receipt: receipt, ResultUrl2: url } });
      const started = await startCof(query);
      expect(started.statusCode, started.body.slice(0, 400)).toBe(303);
    }
    // Token left out of the signature: refused.
    const unsigned = signedFields(DEMO_KEYS, {
      outSum: '250.00',
      invId: newInvId(),
      fields: { Token: earlier.opKey },
    });
    const refused = await startCof(unsigned);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Robokassa: 29');
  });
});

describe('refused saved-card payments', () => {
  let otherShop: ShopKeys & { id: string };

  beforeAll(async () => {
    const admin = await context.deps.db
      .selectFrom('users')
      .select(['id', 'account_id'])
      .where('email', '=', DEMO.administrator.email)
      .executeTakeFirstOrThrow();
    const passwords = { password1: 'cof_other1', password2: 'cof_other2' };
    const view = await createShop(
      context.deps,
      { userId: admin.id, accountId: admin.account_id ?? '', role: 'administrator' },
      {
        name: 'Соседний магазин',
        siteUrl: 'https://neighbour.example.ru',
        description: 'Other',
        merchantLogin: 'cof_other',
        passwords,
      },
      { ip: '127.0.0.1', userAgent: 'test' },
    );
    await context.deps.db
      .updateTable('shops')
      .set({ status: 'active', is_recurring_allowed: true })
      .where('id', '=', view.id)
      .execute();
    otherShop = { id: view.id, merchantLogin: 'cof_other', ...passwords };
  });

  it('refuses an unknown token, another shop’s token and a missing one with 35', async () => {
    const foreign = await payParent(context, { invId: newInvId(), isRecurring: false, shop: otherShop });
    for (const token of ['op_unknown', foreign.opKey]) {
      const refused = await startCof(cofQuery(token));
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('Robokassa: 35');
      expect(refused.body).toContain('Token');
    }
    const missing = signedFields(DEMO_KEYS, { outSum: '250.00', invId: newInvId() });
    const refused = await startCof(missing);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Robokassa: 35');
    const created = await context.deps.db
      .selectFrom('payments')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('cof_payment_id', 'is not', null)
      .where('cof_payment_id', '=', foreign.paymentId)
      .execute();
    expect(created).toEqual([]);
  });

  it('refuses a test token for a live payment, and Token with Recurring=true', async () => {
    const earlier = await payParent(context, { invId: newInvId(), isRecurring: false });
    const withRecurring = await startCof(cofQuery(earlier.opKey, { fields: { Recurring: 'true' } }));
    expect(withRecurring.statusCode).toBe(400);
    expect(withRecurring.body).toContain('Robokassa: 35');
    const test = signedFields(DEMO_KEYS, {
      outSum: '250.00',
      invId: newInvId(),
      signed: [earlier.opKey],
      password: DEMO.shop.testPassword1,
      fields: { Token: earlier.opKey, IsTest: '1' },
    });
    const refused = await startCof(test);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Robokassa: 35');
  });

  it('answers 34 for a shop without the permission', async () => {
    const earlier = await payParent(context, { invId: newInvId(), isRecurring: false });
    await context.deps.db
      .updateTable('shops')
      .set({ is_recurring_allowed: false })
      .where('id', '=', shopId)
      .execute();
    try {
      const refused = await startCof(cofQuery(earlier.opKey));
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('Robokassa: 34');
    } finally {
      await context.deps.db
        .updateTable('shops')
        .set({ is_recurring_allowed: true })
        .where('id', '=', shopId)
        .execute();
    }
  });
});
