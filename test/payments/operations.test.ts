/**
 * The cabinet's operations over HTTP on a real PostgreSQL: the list scoped to the account, its filters and
 * keyset pages (ties and microsecond timestamps included), one operation with its timeline and ResultURL
 * notifications, "send again" scoped to the operation and the account, roles, and input validation.
 * Payments are inserted as rows, as the payment services write them; notifications go through the
 * notifications module and are delivered to a real HTTP server on loopback.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification, NOTIFICATION_QUEUE } from '../../src/modules/notifications/index.js';
import { createId } from '../../src/platform/ids.js';
import type { PaymentStatus } from '../../src/schema.js';
import { startMerchantStub, type MerchantStub } from '../notifications/merchant-stub.js';
import { TestBrowser } from '../support/client.js';
import { addEmployee, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let stub: MerchantStub;

const T0 = Date.parse('2026-03-01T12:00:00Z');
const minutesAfterStart = (minutes: number) => new Date(T0 + minutes * 60_000);

interface PaymentSeed {
  readonly accountId: string;
  readonly shopId: string;
  readonly invId: number;
  readonly createdAt: Date;
  readonly status?: PaymentStatus;
  readonly isTest?: boolean;
  readonly amountMinor?: bigint;
  readonly outSumText?: string;
  readonly cardMask?: string;
  readonly email?: string;
  readonly shp?: [string, string][];
  readonly events?: readonly (readonly [kind: string, details: Record<string, unknown>])[];
}

/** A payment row and its timeline, written the way the payment services write them. */
async function insertPayment(seed: PaymentSeed): Promise<string> {
  const id = createId('pay');
  const status = seed.status ?? 'created';
  const isPaid = status === 'paid';
  const amountMinor = seed.amountMinor ?? 149000n;
  await context.deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('payments')
      .values({
        id,
        shop_id: seed.shopId,
        account_id: seed.accountId,
        inv_id: BigInt(seed.invId),
        is_inv_id_assigned: false,
        is_test: seed.isTest ?? false,
        status,
        out_sum_text: seed.outSumText ?? '1490',
        amount_minor: amountMinor,
        currency: 'RUB',
        fee_minor: isPaid ? 3725n : 0n,
        description: `Заказ №${seed.invId}`,
        email: seed.email ?? null,
        payment_method: isPaid ? 'BankCard' : null,
        inc_curr_label: isPaid ? 'BankCardPSR' : null,
        card_mask: seed.cardMask ?? null,
        op_key: isPaid ? createId('op') : null,
        shp: JSON.stringify(seed.shp ?? []),
        expires_at: null,
        created_at: seed.createdAt,
        updated_at: seed.createdAt,
        paid_at: isPaid ? new Date(seed.createdAt.getTime() + 90_000) : null,
      })
      .execute();
    const events = seed.events ?? [['created', { invId: String(seed.invId) }]];
    for (const [index, [kind, details]] of events.entries()) {
      await trx
        .insertInto('payment_events')
        .values({
          payment_id: id,
          kind,
          details: JSON.stringify(details),
          created_at: new Date(seed.createdAt.getTime() + index * 10_000),
        })
        .execute();
    }
  });
  return id;
}

async function addNotification(accountId: string, paymentId: string, invId: number, path: string) {
  return context.deps.db.transaction().execute((trx) =>
    enqueueNotification(trx, context.clock, {
      accountId,
      subjectId: paymentId,
      kind: 'result_url',
      url: `${stub.origin}${path}`,
      method: 'POST',
      fields: [
        ['OutSum', '1490'],
        ['InvId', String(invId)],
      ],
      expectedBody: `OK${invId}`,
    }),
  );
}

async function pendingDeliveryJobs(notificationId: string): Promise<number> {
  const rows = await context.deps.db
    .selectFrom('jobs')
    .select('payload')
    .where('queue', '=', NOTIFICATION_QUEUE)
    .where('state', '=', 'pending')
    .execute();
  return rows.filter((row) => (row.payload as { notificationId?: string }).notificationId === notificationId)
    .length;
}

interface Listed {
  id: string;
  createdAt: string;
  notification: string;
}
interface ListAnswer {
  items: Listed[];
  nextCursor: string | null;
}

const ids = (answer: ListAnswer) => answer.items.map((item) => item.id);

/** Merchant A: two shops, a viewer and a developer, and six operations of every kind. */
const a = {} as {
  browser: TestBrowser;
  accountId: string;
  shop1: { id: string; merchantLogin: string };
  shop2: { id: string; merchantLogin: string };
  viewer: TestBrowser;
  developer: TestBrowser;
  paid: string;
  declined: string;
  paidTest: string;
  paidFailing: string;
  expired: string;
  created: string;
  deliveredNotification: string;
  retryingNotification: string;
};
/** Merchant B: one shop with one paid operation and its notification. */
const b = {} as {
  browser: TestBrowser;
  accountId: string;
  shop: { id: string };
  paid: string;
  notification: string;
};

beforeAll(async () => {
  context = await createTestContext();
  stub = await startMerchantStub((request) => {
    if (request.url.startsWith('/broken')) return { status: 500, body: 'database is down' };
    const invId = new URLSearchParams(request.body.toString('utf8')).get('InvId') ?? '';
    return { status: 200, body: `OK${invId}` };
  });

  const merchantA = await registerMerchant(context);
  a.browser = merchantA.browser;
  a.accountId = merchantA.me.account.id;
  a.shop1 = await createShopVia(a.browser, { name: 'Книжная лавка' });
  a.shop2 = await createShopVia(a.browser, { name: 'Чайный дом' });
  a.viewer = (await addEmployee(context, a.browser, 'viewer')).browser;
  a.developer = (await addEmployee(context, a.browser, 'developer')).browser;

  const merchantB = await registerMerchant(context);
  b.browser = merchantB.browser;
  b.accountId = merchantB.me.account.id;
  b.shop = await createShopVia(b.browser, { name: 'Чужой магазин' });

  const inA = (shopId: string) => ({ accountId: a.accountId, shopId });
  a.paid = await insertPayment({
    ...inA(a.shop1.id),
    invId: 101,
    status: 'paid',
    createdAt: minutesAfterStart(60),
    cardMask: '220000******0004',
    email: 'buyer@example.ru',
    shp: [
      ['Shp_item', '42'],
      ['Shp_coupon', 'SPRING'],
    ],
    events: [
      ['created', { ip: '203.0.113.7', isTest: false, invId: '101' }],
      ['card_submitted', { attemptId: 'att_1', cardMask: '220000******0004', brand: 'mir' }],
      ['challenge_requested', { attemptId: 'att_1' }],
      ['challenge_answered', { attemptId: 'att_1', outcome: 'approved' }],
      ['paid', { opKey: 'op_1', cardMask: '220000******0004' }],
    ],
  });
  a.declined = await insertPayment({
    ...inA(a.shop1.id),
    invId: 102,
    status: 'failed',
    isTest: true,
    createdAt: minutesAfterStart(50),
    cardMask: '400000******0002',
    events: [
      ['created', { invId: '102' }],
      ['card_submitted', { attemptId: 'att_2', cardMask: '400000******0002' }],
      ['declined', { attemptId: 'att_2', reason: 'insufficient_funds' }],
    ],
  });
  a.paidTest = await insertPayment({
    ...inA(a.shop2.id),
    invId: 201,
    status: 'paid',
    isTest: true,
    createdAt: minutesAfterStart(40),
  });
  a.paidFailing = await insertPayment({
    ...inA(a.shop2.id),
    invId: 202,
    status: 'paid',
    createdAt: minutesAfterStart(30),
  });
  a.expired = await insertPayment({
    ...inA(a.shop1.id),
    invId: 103,
    status: 'expired',
    createdAt: minutesAfterStart(20),
  });
  a.created = await insertPayment({ ...inA(a.shop2.id), invId: 203, createdAt: minutesAfterStart(10) });
  a.deliveredNotification = await addNotification(a.accountId, a.paid, 101, '/result');
  a.retryingNotification = await addNotification(a.accountId, a.paidTest, 201, '/broken');
  const givenUp = await addNotification(a.accountId, a.paidFailing, 202, '/broken');

  b.paid = await insertPayment({
    accountId: b.accountId,
    shopId: b.shop.id,
    invId: 101,
    status: 'paid',
    createdAt: minutesAfterStart(45),
  });
  b.notification = await addNotification(b.accountId, b.paid, 101, '/result');

  // Delivers every notification once: /result acknowledges, /broken answers 500 and waits for a retry.
  await context.deliverMail();
  // The retry window of one of them has ended (72 hours are not worth waiting for in a test).
  await context.deps.db
    .updateTable('notifications')
    .set({ status: 'failed', next_attempt_at: null })
    .where('id', '=', givenUp)
    .execute();
});

afterAll(async () => {
  await stub?.close();
  await context?.close();
});

describe('the list of operations', () => {
  it('is empty, with no next page, for an account without payments', async () => {
    const { browser } = await registerMerchant(context);
    const response = await browser.get('/api/cabinet/operations');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ items: [], nextCursor: null });
  });

  it("shows the account's own operations only, newest first, with their notification state", async () => {
    const response = await a.browser.get('/api/cabinet/operations');
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json() as ListAnswer;
    expect(ids(answer)).toEqual([a.paid, a.declined, a.paidTest, a.paidFailing, a.expired, a.created]);
    expect(answer.nextCursor).toBeNull();
    expect(answer.items[0]).toEqual({
      id: a.paid,
      shopId: a.shop1.id,
      shopName: 'Книжная лавка',
      merchantLogin: a.shop1.merchantLogin,
      invId: '101',
      amount: '1490.00',
      currency: 'RUB',
      status: 'paid',
      paymentMethod: 'BankCard',
      cardMask: '220000******0004',
      isTest: false,
      createdAt: '2026-03-01T13:00:00.000Z',
      paidAt: '2026-03-01T13:01:30.000Z',
      notification: 'delivered',
      isRecurringParent: false,
      recurringPreviousInvId: null,
      isSavedCard: false,
    });
    expect(answer.items.map((item) => item.notification)).toEqual([
      'delivered',
      'none',
      'pending',
      'failed',
      'none',
      'none',
    ]);
    expect(answer.items[1]).toMatchObject({
      status: 'failed',
      isTest: true,
      paymentMethod: null,
      paidAt: null,
    });

    const other = (await b.browser.get('/api/cabinet/operations')).json() as ListAnswer;
    expect(ids(other)).toEqual([b.paid]);
  });

  it('filters by shop, status and test or live, alone and together', async () => {
    const list = async (query: string) => {
      const response = await a.browser.get(`/api/cabinet/operations?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return ids(response.json() as ListAnswer);
    };
    expect(await list(`shopId=${a.shop1.id}`)).toEqual([a.paid, a.declined, a.expired]);
    expect(await list('status=paid')).toEqual([a.paid, a.paidTest, a.paidFailing]);
    expect(await list('status=expired')).toEqual([a.expired]);
    expect(await list('status=awaiting_3ds')).toEqual([]);
    expect(await list('isTest=true')).toEqual([a.declined, a.paidTest]);
    expect(await list('isTest=false')).toEqual([a.paid, a.paidFailing, a.expired, a.created]);
    expect(await list(`shopId=${a.shop2.id}&status=paid&isTest=false`)).toEqual([a.paidFailing]);
    // Another account's shop is not probed: it simply has no operations here.
    expect(await list(`shopId=${b.shop.id}`)).toEqual([]);
  });

  it('answers 422 with the field for a bad filter, page size or cursor', async () => {
    const problem = async (query: string) => {
      const response = await a.browser.get(`/api/cabinet/operations?${query}`);
      expect(response.statusCode, response.body).toBe(422);
      const error = response.json().error as { code: string; fields: Record<string, { code: string }> };
      expect(error.code).toBe('validation_failed');
      return Object.fromEntries(Object.entries(error.fields).map(([name, field]) => [name, field.code]));
    };
    expect(await problem('status=refunded')).toEqual({ status: 'invalid' });
    expect(await problem('isTest=yes')).toEqual({ isTest: 'invalid' });
    expect(await problem('limit=0')).toEqual({ limit: 'out_of_range' });
    expect(await problem('limit=201')).toEqual({ limit: 'out_of_range' });
    expect(await problem('limit=ten')).toEqual({ limit: 'out_of_range' });
    expect(await problem('before=not-a-cursor')).toEqual({ before: 'invalid_cursor' });
    const forged = Buffer.from(JSON.stringify(['yesterday', "x' or 1=1"])).toString('base64url');
    expect(await problem(`before=${forged}&limit=500`)).toEqual({
      before: 'invalid_cursor',
      limit: 'out_of_range',
    });
  });

  it('needs a session', async () => {
    const response = await new TestBrowser(context.app).get('/api/cabinet/operations');
    expect(response.statusCode).toBe(401);
  });
});

describe('pages of operations', () => {
  let browser: TestBrowser;
  let all: string[];

  beforeAll(async () => {
    const merchant = await registerMerchant(context);
    browser = merchant.browser;
    const shop = await createShopVia(browser);
    const seed = { accountId: merchant.me.account.id, shopId: shop.id };
    const tie = minutesAfterStart(0);
    let invId = 1;
    // Ten payments share one timestamp, so only the id tells them apart.
    for (let i = 0; i < 10; i += 1) await insertPayment({ ...seed, invId: invId++, createdAt: tie });
    // Five differ from it by microseconds, which a JavaScript Date cannot hold.
    for (let i = 1; i <= 5; i += 1) {
      const id = await insertPayment({ ...seed, invId: invId++, createdAt: tie });
      await context.deps.db
        .updateTable('payments')
        .set({ created_at: sql<Date>`created_at + make_interval(secs => ${i / 1_000_000})` })
        .where('id', '=', id)
        .execute();
    }
    for (let i = 1; i <= 10; i += 1) {
      await insertPayment({
        ...seed,
        invId: invId++,
        createdAt: minutesAfterStart(i % 2 === 0 ? i : -i),
        status: i % 3 === 0 ? 'paid' : 'created',
      });
    }
    const whole = await browser.get('/api/cabinet/operations?limit=200');
    all = ids(whole.json() as ListAnswer);
    expect(all).toHaveLength(25);
    expect((whole.json() as ListAnswer).nextCursor).toBeNull();
  });

  async function walk(query: string) {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/cabinet/operations?${query}${cursor ? `&before=${cursor}` : ''}`;
      const response = await browser.get(url);
      expect(response.statusCode, response.body).toBe(200);
      const answer = response.json() as ListAnswer;
      pages.push(ids(answer));
      cursor = answer.nextCursor;
      expect(pages.length).toBeLessThan(30);
    } while (cursor);
    return pages;
  }

  it('walks every operation once, in order, whatever the page size', async () => {
    for (const limit of [1, 3, 4, 7, 24, 25]) {
      const pages = await walk(`limit=${limit}`);
      expect(pages.flat()).toEqual(all);
      expect(pages.length).toBe(Math.ceil(25 / limit));
      expect(pages.every((page) => page.length <= limit)).toBe(true);
    }
  });

  it('keeps the order newest first, to the microsecond', async () => {
    const rows = await context.deps.db
      .selectFrom('payments')
      .select(['id', sql<string>`extract(epoch from created_at)::text`.as('epoch')])
      .where('id', 'in', all)
      .execute();
    const epochOf = new Map(rows.map((row) => [row.id, Number(row.epoch)]));
    const epochs = all.map((id) => epochOf.get(id) ?? Number.NaN);
    for (let i = 1; i < epochs.length; i += 1) expect(epochs[i]).toBeLessThanOrEqual(epochs[i - 1] ?? 0);
  });

  it('pages a filtered list with the same filter', async () => {
    const paid = ids((await browser.get('/api/cabinet/operations?status=paid')).json() as ListAnswer);
    expect(paid).toHaveLength(3);
    expect((await walk('status=paid&limit=2')).flat()).toEqual(paid);
  });

  it('gives 50 per page by default', async () => {
    const answer = (await browser.get('/api/cabinet/operations')).json() as ListAnswer;
    expect(answer.items).toHaveLength(25);
    expect(answer.nextCursor).toBeNull();
  });
});

describe('one operation', () => {
  it('shows the details, the timeline oldest first and the notifications with their attempts', async () => {
    const response = await a.browser.get(`/api/cabinet/operations/${a.paid}`);
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json();
    expect(view.operation).toMatchObject({
      id: a.paid,
      shopName: 'Книжная лавка',
      invId: '101',
      amount: '1490.00',
      status: 'paid',
      notification: 'delivered',
      description: 'Заказ №101',
      email: 'buyer@example.ru',
      outSumText: '1490',
      fee: '37.25',
      opKey: expect.stringMatching(/^op_/),
      shp: [
        ['Shp_item', '42'],
        ['Shp_coupon', 'SPRING'],
      ],
      expiresAt: null,
    });
    expect(view.timeline).toEqual([
      {
        at: '2026-03-01T13:00:00.000Z',
        kind: 'created',
        details: { ip: '203.0.113.7', isTest: false, invId: '101' },
      },
      {
        at: '2026-03-01T13:00:10.000Z',
        kind: 'card_submitted',
        details: { attemptId: 'att_1', cardMask: '220000******0004', brand: 'mir' },
      },
      { at: '2026-03-01T13:00:20.000Z', kind: 'challenge_requested', details: { attemptId: 'att_1' } },
      {
        at: '2026-03-01T13:00:30.000Z',
        kind: 'challenge_answered',
        details: { attemptId: 'att_1', outcome: 'approved' },
      },
      {
        at: '2026-03-01T13:00:40.000Z',
        kind: 'paid',
        details: { opKey: 'op_1', cardMask: '220000******0004' },
      },
    ]);
    expect(view.notifications).toHaveLength(1);
    expect(view.notifications[0]).toMatchObject({
      id: a.deliveredNotification,
      kind: 'result_url',
      url: `${stub.origin}/result`,
      method: 'POST',
      status: 'delivered',
      attemptCount: 1,
      nextAttemptAt: null,
      attempts: [{ responseStatus: 200, responseExcerpt: 'OK101', error: null, isSuccess: true }],
    });
  });

  it('shows a failed delivery attempt and an operation without notifications', async () => {
    const retrying = (await a.browser.get(`/api/cabinet/operations/${a.paidTest}`)).json();
    expect(retrying.notifications[0]).toMatchObject({
      status: 'pending',
      nextAttemptAt: expect.any(String),
      attempts: [{ responseStatus: 500, responseExcerpt: 'database is down', isSuccess: false }],
    });
    const declined = (await a.browser.get(`/api/cabinet/operations/${a.declined}`)).json();
    expect(declined.notifications).toEqual([]);
    expect(declined.operation).toMatchObject({ notification: 'none', opKey: null, fee: '0.00', email: null });
    expect(declined.timeline.map((event: { kind: string }) => event.kind)).toEqual([
      'created',
      'card_submitted',
      'declined',
    ]);
    expect(declined.timeline[2].details).toEqual({ attemptId: 'att_2', reason: 'insufficient_funds' });
  });

  it("answers 404 operation_not_found for another account's operation and for an unknown id", async () => {
    for (const [browser, id] of [
      [a.browser, b.paid],
      [b.browser, a.paid],
      [a.browser, 'pay_doesnotexist'],
    ] as const) {
      const response = await browser.get(`/api/cabinet/operations/${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('operation_not_found');
      expect(response.body).not.toContain('Чужой магазин');
    }
  });
});

describe('sending a notification again', () => {
  const resend = (browser: TestBrowser, operationId: string, notificationId: string) =>
    browser.post(`/api/cabinet/operations/${operationId}/notifications/${notificationId}/resend`);

  it('refuses people who may only look, and changes nothing', async () => {
    expect((await a.viewer.get('/api/cabinet/operations')).statusCode).toBe(200);
    expect((await a.viewer.get(`/api/cabinet/operations/${a.paid}`)).statusCode).toBe(200);
    const jobsBefore = await pendingDeliveryJobs(a.deliveredNotification);
    const response = await resend(a.viewer, a.paid, a.deliveredNotification);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('forbidden');
    expect(await pendingDeliveryJobs(a.deliveredNotification)).toBe(jobsBefore);
  });

  it('answers 404 unless the notification is about this operation of this account', async () => {
    const cases = [
      [a.browser, b.paid, b.notification, 'operation_not_found'],
      [a.browser, a.paid, b.notification, 'notification_not_found'],
      [a.browser, a.paidTest, a.deliveredNotification, 'notification_not_found'],
      [a.browser, a.paid, 'ntf_doesnotexist', 'notification_not_found'],
      [b.browser, a.paid, a.deliveredNotification, 'operation_not_found'],
    ] as const;
    for (const [browser, operationId, notificationId, code] of cases) {
      const response = await resend(browser, operationId, notificationId);
      expect(response.statusCode, `${operationId} ${notificationId}`).toBe(404);
      expect(response.json().error.code).toBe(code);
    }
    expect(await pendingDeliveryJobs(b.notification)).toBe(0);
    expect(await pendingDeliveryJobs(a.deliveredNotification)).toBe(0);
  });

  it('sends a delivered notification again for an administrator', async () => {
    const response = await resend(a.browser, a.paid, a.deliveredNotification);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: a.deliveredNotification,
      status: 'pending',
      attemptCount: 1,
    });
    expect(await pendingDeliveryJobs(a.deliveredNotification)).toBe(1);
    const listed = (await a.browser.get(`/api/cabinet/operations?shopId=${a.shop1.id}`)).json() as ListAnswer;
    expect(listed.items.find((item) => item.id === a.paid)?.notification).toBe('pending');

    await context.deliverMail();
    const view = (await a.browser.get(`/api/cabinet/operations/${a.paid}`)).json();
    expect(view.operation.notification).toBe('delivered');
    expect(view.notifications[0]).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(view.notifications[0].attempts).toHaveLength(2);
    expect(stub.requests.filter((request) => request.url === '/result')).toHaveLength(3);
  });

  it('lets a developer retry a failing notification now', async () => {
    const response = await resend(a.developer, a.paidTest, a.retryingNotification);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'pending', attempts: [{ responseStatus: 500 }] });
    await context.deliverMail();
    const view = (await a.developer.get(`/api/cabinet/operations/${a.paidTest}`)).json();
    expect(view.notifications[0].attempts).toHaveLength(2);
  });
});
