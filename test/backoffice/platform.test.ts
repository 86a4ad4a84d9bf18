/**
 * The operator's platform dashboard and audit search over HTTP on a real PostgreSQL: figures of the
 * window only, success rate by method, ResultURL failure rate, queue depth and age; audit search by
 * action, account, actor, text and period with keyset pages; merchants are refused.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createId } from '../../src/platform/ids.js';
import type { PaymentStatus } from '../../src/schema.js';
import type { TestBrowser } from '../support/client.js';
import { createOperator, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let operator: TestBrowser;
const merchant = {} as {
  browser: TestBrowser;
  accountId: string;
  login: string;
  email: string;
  shopId: string;
};

const hoursAgo = (hours: number) => new Date(context.clock.now().getTime() - hours * 3_600_000);

async function payment(status: PaymentStatus, createdAt: Date, amountMinor: bigint, method: string | null) {
  const id = createId('pay');
  await context.deps.db
    .insertInto('payments')
    .values({
      id,
      shop_id: merchant.shopId,
      account_id: merchant.accountId,
      inv_id: BigInt(Math.floor(Math.random() * 1e9) + 1),
      is_inv_id_assigned: false,
      is_test: false,
      status,
      out_sum_text: '1',
      amount_minor: amountMinor,
      currency: 'RUB',
      fee_minor: 0n,
      description: 'x',
      payment_method: method,
      shp: '[]',
      created_at: createdAt,
      updated_at: createdAt,
      paid_at: status === 'paid' ? createdAt : null,
    })
    .execute();
  return id;
}

async function notificationWithAttempts(paymentId: string, outcomes: boolean[], status: string, at: Date) {
  const id = createId('ntf');
  await sql`insert into notifications (id, account_id, subject_id, kind, url, method, fields, expected_body,
      status, attempt_count, created_at)
    values (${id}, ${merchant.accountId}, ${paymentId}, 'result_url', 'https://shop.example/result', 'POST',
      '[]', 'OK1', ${status}, ${outcomes.length}, ${at})`.execute(context.deps.db);
  for (const isSuccess of outcomes) {
    await sql`insert into notification_attempts (notification_id, started_at, duration_ms, request_line,
        response_status, is_success)
      values (${id}, ${at}, 12, 'POST https://shop.example/result', ${isSuccess ? 200 : 500}, ${isSuccess})`.execute(
      context.deps.db,
    );
  }
}

beforeAll(async () => {
  context = await createTestContext();
  const registered = await registerMerchant(context);
  merchant.browser = registered.browser;
  merchant.accountId = registered.me.account.id;
  const people = await context.deps.db
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .select(['accounts.login', 'users.email'])
    .where('users.id', '=', registered.me.user.id)
    .executeTakeFirstOrThrow();
  merchant.login = people.login;
  merchant.email = people.email;
  merchant.shopId = (await createShopVia(merchant.browser, { name: 'Лавка для аудита' })).id;
  operator = (await createOperator(context)).browser;

  // In the window: 3 paid by card (100 + 200 + 300), 1 declined card, 1 created; outside it: 1 paid.
  const paid = await payment('paid', hoursAgo(1), 10_000n, 'BankCard');
  await payment('paid', hoursAgo(2), 20_000n, 'BankCard');
  await payment('paid', hoursAgo(3), 30_000n, 'BankCard');
  await payment('failed', hoursAgo(4), 5_000n, 'BankCard');
  await payment('created', hoursAgo(5), 7_000n, null);
  await payment('paid', hoursAgo(30), 99_900n, 'BankCard');
  // ResultURL: one delivered on the second attempt, one given up after two failures; old attempts left out.
  await notificationWithAttempts(paid, [false, true], 'delivered', hoursAgo(1));
  await notificationWithAttempts(paid, [false, false], 'failed', hoursAgo(2));
  await notificationWithAttempts(paid, [false, false, false], 'failed', hoursAgo(40));
  // A job due ten minutes ago and not yet run.
  await sql`insert into jobs (queue, payload, run_at, created_at)
    values ('notifications.deliver', '{}', ${new Date(context.clock.now().getTime() - 600_000)}, now())`.execute(
    context.deps.db,
  );
});
afterAll(async () => context?.close());

describe('the platform dashboard', () => {
  it('counts the window only, with success by method, ResultURL failures and queue age', async () => {
    const response = await operator.get('/api/backoffice/dashboard?hours=24');
    expect(response.statusCode, response.body).toBe(200);
    const dashboard = response.json();
    expect(dashboard.payments).toEqual({
      created: 5,
      paid: 3,
      turnover: [{ currency: 'RUB', amount: '600.00' }],
    });
    expect(dashboard.methods).toEqual([{ method: 'BankCard', paid: 3, declined: 1, successRate: 0.75 }]);
    expect(dashboard.notifications).toMatchObject({
      attempts: 4,
      failedAttempts: 3,
      failureRate: 0.75,
      givenUp: 1,
    });
    const queue = dashboard.queues.find((item: { queue: string }) => item.queue === 'notifications.deliver');
    expect(queue.pending).toBeGreaterThanOrEqual(1);
    expect(queue.oldestDueAgeSeconds).toBeGreaterThanOrEqual(600);
    const wider = (await operator.get('/api/backoffice/dashboard?hours=48')).json();
    expect(wider.payments.paid).toBe(4);
  });

  it('refuses a bad window and merchants', async () => {
    expect((await operator.get('/api/backoffice/dashboard?hours=0')).json().error.fields.hours.code).toBe(
      'out_of_range',
    );
    expect((await merchant.browser.get('/api/backoffice/dashboard')).statusCode).toBe(403);
  });
});

describe('the audit search', () => {
  it('finds actions by prefix, account, actor and text, newest first', async () => {
    const byPrefix = (await operator.get('/api/backoffice/audit?action=shop.')).json();
    expect(byPrefix.items.length).toBeGreaterThan(0);
    expect(byPrefix.items.every((item: { action: string }) => item.action.startsWith('shop.'))).toBe(true);
    const created = (
      await operator.get(`/api/backoffice/audit?action=shop.created&account=${merchant.login}`)
    ).json();
    expect(created.items).toHaveLength(1);
    expect(created.items[0]).toMatchObject({ accountId: merchant.accountId, target: merchant.shopId });
    const byActor = (
      await operator.get(`/api/backoffice/audit?actor=${encodeURIComponent(merchant.email)}`)
    ).json();
    expect(byActor.items.length).toBeGreaterThan(0);
    const byText = (await operator.get(`/api/backoffice/audit?q=${merchant.shopId}`)).json();
    expect(byText.items.some((item: { action: string }) => item.action === 'shop.created')).toBe(true);
    const ids = byPrefix.items.map((item: { id: string }) => BigInt(item.id));
    expect([...ids].sort((x, y) => (x > y ? -1 : 1))).toEqual(ids);
  });

  it('pages by cursor and names bad input', async () => {
    const first = (await operator.get('/api/backoffice/audit')).json();
    const lastId = first.items.at(-1).id;
    const next = (await operator.get(`/api/backoffice/audit?before=${lastId}`)).json();
    expect(next.items.every((item: { id: string }) => BigInt(item.id) < BigInt(lastId))).toBe(true);
    const bad = await operator.get('/api/backoffice/audit?from=2026-02-30&before=abc');
    expect(Object.keys(bad.json().error.fields).sort()).toEqual(['before', 'from']);
    expect((await merchant.browser.get('/api/backoffice/audit')).statusCode).toBe(403);
  });
});
