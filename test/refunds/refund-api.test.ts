/**
 * Robokassa's Refund API over HTTP: POST /RefundService/Refund/Create with a JWT signed with the shop's
 * Password #3 (HS256/HS384/HS512) in each transport merchants' libraries use, Robokassa's answers and
 * refusals, and GET /RefundService/Refund/GetState.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readShopBalances } from '../../src/modules/ledger/index.js';
import type { TestBrowser } from '../support/client.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  ledgerTotal,
  openLiveShop,
  pay,
  refundRows,
  signRefundToken,
  type LiveShop,
} from './refund-support.js';

let context: TestContext;
let merchant: TestBrowser;
let shop: LiveShop;

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
  // Money in the shop's balance, so refunds are limited by what is left of each payment.
  await pay(context, shop, '5000.00');
});
afterAll(async () => context?.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Transport = 'json-string' | 'text/plain' | 'application/jwt';

async function create(token: string, transport: Transport = 'json-string') {
  const response = await context.app.inject({
    method: 'POST',
    url: '/RefundService/Refund/Create',
    headers: { 'content-type': transport === 'json-string' ? 'application/json' : transport },
    payload: transport === 'json-string' ? JSON.stringify(token) : token,
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return response;
}

async function getState(id: string) {
  return context.app.inject({
    method: 'GET',
    url: `/RefundService/Refund/GetState?id=${encodeURIComponent(id)}`,
  });
}

const refusedWith = (message: string) => `{"success":false,"message":"${message}","requestId":null}`;

describe('Create', () => {
  it.each([
    ['HS256', 'json-string'],
    ['HS384', 'text/plain'],
    ['HS512', 'application/jwt'],
  ] as const)('accepts a token signed %s with Password #3 sent as %s', async (algorithm, transport) => {
    const payment = await pay(context, shop, '100.00');
    const token = signRefundToken(
      { OpKey: payment.opKey, RefundSum: 10.5 },
      shop.passwords.password3,
      algorithm,
    );

    const response = await create(token, transport);

    const answer = response.json() as { success: boolean; message: null; requestId: string };
    expect(Object.keys(answer)).toEqual(['success', 'message', 'requestId']);
    expect(answer).toMatchObject({ success: true, message: null });
    expect(answer.requestId).toMatch(UUID);
    const rows = await refundRows(context, payment.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      amount_minor: 1_050n,
      status: 'finished',
      source: 'refund_api',
      request_id: answer.requestId,
      requested_by: null,
      items: null,
    });
  });

  it('takes the documented payload: RefundSum as a number, InvoiceItems kept as received', async () => {
    const payment = await pay(context, shop, '100.00');
    const items = [
      {
        Name: 'Тестовый товар-1',
        Quantity: 1,
        Cost: 1,
        Tax: 'vat20',
        PaymentMethod: 'full_payment',
        PaymentObject: 'commodity',
      },
    ];
    const token = signRefundToken(
      { OpKey: payment.opKey, RefundSum: 1, InvoiceItems: items },
      shop.passwords.password3,
    );
    const answer = (await create(token)).json() as { requestId: string };
    const [row] = await refundRows(context, payment.id);
    expect(row).toMatchObject({ amount_minor: 100n, items, request_id: answer.requestId });
    const state = await getState(answer.requestId);
    expect(state.statusCode).toBe(200);
    expect(state.headers['content-type']).toMatch(/^application\/json/);
    expect(state.body).toBe(`{"requestId":"${answer.requestId}","amount":1.000000,"label":"finished"}`);
    const audit = await context.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'operation.refunded')
      .where('target', '=', payment.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor_user_id).toBeNull();
  });

  it('refunds everything that is left when RefundSum is absent, then answers AlreadyRefunded', async () => {
    const payment = await pay(context, shop, '100.00');
    const partial = signRefundToken({ OpKey: payment.opKey, RefundSum: '30.25' }, shop.passwords.password3);
    expect((await create(partial)).json()).toMatchObject({ success: true });
    const full = signRefundToken({ OpKey: payment.opKey }, shop.passwords.password3);
    const answer = (await create(full)).json() as { requestId: string };
    expect((await getState(answer.requestId)).body).toBe(
      `{"requestId":"${answer.requestId}","amount":69.750000,"label":"finished"}`,
    );
    // The same token again answers its refund (test/security/jwt-replay); another full refund is refused.
    expect((await create(full)).json()).toMatchObject({ success: true, requestId: answer.requestId });
    const another = signRefundToken({ OpKey: payment.opKey, jti: 'again' }, shop.passwords.password3);
    expect((await create(another)).body).toBe(refusedWith('AlreadyRefunded'));
    const rows = await refundRows(context, payment.id);
    expect(rows.map((row) => row.amount_minor).sort()).toEqual([3_025n, 6_975n].sort());
  });

  it('answers NotEnoughOperationFunds when RefundSum is more than what is left', async () => {
    const payment = await pay(context, shop, '100.00');
    const token = signRefundToken({ OpKey: payment.opKey, RefundSum: 100.01 }, shop.passwords.password3);
    expect((await create(token)).body).toBe(refusedWith('NotEnoughOperationFunds'));
    expect(await refundRows(context, payment.id)).toHaveLength(0);
  });

  it("answers NotEnoughOperationFunds when the shop's balance does not cover the refund", async () => {
    const poorShop = await openLiveShop(context, merchant);
    const first = await pay(context, poorShop, '1000.00');
    const second = await pay(context, poorShop, '1000.00');
    const refundAll = (opKey: string) =>
      create(signRefundToken({ OpKey: opKey }, poorShop.passwords.password3, 'HS512'), 'application/jwt');
    expect((await refundAll(first.opKey)).json()).toMatchObject({ success: true });
    // 2 × 971.00 − 1000.00 = 942.00 is left in the shop: not enough for the second 1000.00.
    expect((await refundAll(second.opKey)).body).toBe(refusedWith('NotEnoughOperationFunds'));
    expect(await refundRows(context, second.id)).toHaveLength(0);
    expect((await readShopBalances(context.deps.db, poorShop.id, 'RUB')).pendingMinor).toBe(94_200n);
  });

  it('answers OperationNotFound for an unknown OpKey', async () => {
    const token = signRefundToken({ OpKey: 'op_doesnotexist', RefundSum: 1 }, shop.passwords.password3);
    expect((await create(token)).body).toBe(refusedWith('OperationNotFound'));
  });

  it.each([
    ['another password', (payload: object) => signRefundToken(payload, 'not-the-password-3')],
    ['Password #1', (payload: object) => signRefundToken(payload, shop.passwords.password1)],
    [
      'a header naming HS256 over an HS512 signature',
      (payload: object) =>
        signRefundToken(payload, shop.passwords.password3, 'HS512', { alg: 'HS256', typ: 'JWT' }),
    ],
    [
      'a changed payload',
      (payload: object) => {
        const [header, , signature] = signRefundToken(payload, shop.passwords.password3).split('.');
        const changed = Buffer.from(JSON.stringify({ ...payload, RefundSum: 99 })).toString('base64url');
        return `${header}.${changed}.${signature}`;
      },
    ],
  ])(
    'refuses a token signed with %s: OperationNotFound (as for an unknown OpKey), nothing written',
    async (_name, sign) => {
      const payment = await pay(context, shop, '100.00');
      const token = sign({ OpKey: payment.opKey, RefundSum: 1 });
      // The same answer as for an unknown OpKey: a badly signed token never learns that the operation exists.
      expect((await create(token)).body).toBe(refusedWith('OperationNotFound'));
      expect(await refundRows(context, payment.id)).toHaveLength(0);
    },
  );

  it.each([['0'], [0], [-1], ['1.001'], ['abc'], [1e21], [true], ['']])(
    'answers InvalidRefundSum for RefundSum %j',
    async (refundSum) => {
      const payment = await pay(context, shop, '100.00');
      const token = signRefundToken({ OpKey: payment.opKey, RefundSum: refundSum }, shop.passwords.password3);
      expect((await create(token)).body).toBe(refusedWith('InvalidRefundSum'));
      expect(await refundRows(context, payment.id)).toHaveLength(0);
    },
  );

  it.each([
    ['an empty body', () => ''],
    ['text that is no token', () => 'hello'],
    ['a JSON object instead of the token', () => '{"token":"abc"}'],
    [
      'alg none',
      () => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ OpKey: 'x' })}.`;
      },
    ],
    [
      'alg RS256',
      () => signRefundToken({ OpKey: 'x' }, shop.passwords.password3, 'HS256', { alg: 'RS256', typ: 'JWT' }),
    ],
    [
      'typ other than JWT',
      () => signRefundToken({ OpKey: 'x' }, shop.passwords.password3, 'HS256', { alg: 'HS256', typ: 'JWE' }),
    ],
    ['a payload without OpKey', () => signRefundToken({ RefundSum: 1 }, shop.passwords.password3)],
    [
      'InvoiceItems that are not a list',
      () => signRefundToken({ OpKey: 'x', InvoiceItems: 'items' }, shop.passwords.password3),
    ],
  ])('answers BadRequest for %s', async (_name, body) => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/RefundService/Refund/Create',
      headers: { 'content-type': 'text/plain' },
      payload: body(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(refusedWith('BadRequest'));
  });

  it('accepts a raw token under application/json and a body without a content type', async () => {
    const payment = await pay(context, shop, '100.00');
    const token = signRefundToken({ OpKey: payment.opKey, RefundSum: 1 }, shop.passwords.password3);
    const raw = await context.app.inject({
      method: 'POST',
      url: '/RefundService/Refund/Create',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: token,
    });
    expect(raw.json()).toMatchObject({ success: true });
    // A second token (the same one again would answer the first refund: test/security/jwt-replay).
    const second = signRefundToken(
      { OpKey: payment.opKey, RefundSum: 1, jti: '2' },
      shop.passwords.password3,
    );
    const untyped = await context.app.inject({
      method: 'POST',
      url: '/RefundService/Refund/Create',
      payload: Buffer.from(second),
    });
    expect(untyped.json()).toMatchObject({ success: true });
    expect(await refundRows(context, payment.id)).toHaveLength(2);
  });

  it('needs no session and no CSRF token, and leaves the ledger balanced', async () => {
    const payment = await pay(context, shop, '100.00');
    const response = await context.app.inject({
      method: 'POST',
      url: '/RefundService/Refund/Create',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(
        signRefundToken({ OpKey: payment.opKey, RefundSum: 5 }, shop.passwords.password3),
      ),
    });
    expect(response.json()).toMatchObject({ success: true });
    expect(await ledgerTotal(context)).toBe(0n);
  });
});

describe('GetState', () => {
  it.each([
    ['an unknown id', '5f4f8a0c-1d2e-4c3b-9a8f-000000000000'],
    ['an id that is not a GUID', 'nope'],
    ['an empty id', ''],
  ])('answers Robokassa’s message for %s', async (_name, id) => {
    const response = await getState(id);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"message":"Id is invalid or request id does not exist"}');
  });

  it('answers without an id parameter too', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/RefundService/Refund/GetState' });
    expect(response.body).toBe('{"message":"Id is invalid or request id does not exist"}');
  });

  it('finds a refund by its request id, ignoring the case of the GUID', async () => {
    const payment = await pay(context, shop, '100.00');
    const token = signRefundToken({ OpKey: payment.opKey, RefundSum: '12.30' }, shop.passwords.password3);
    const { requestId } = (await create(token)).json() as { requestId: string };
    const response = await getState(requestId.toUpperCase());
    expect(response.body).toBe(`{"requestId":"${requestId}","amount":12.300000,"label":"finished"}`);
    expect(response.json()).toEqual({ requestId, amount: 12.3, label: 'finished' });
  });
});
