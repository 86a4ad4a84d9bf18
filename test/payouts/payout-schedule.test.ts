/**
 * Scheduled payouts on a real PostgreSQL with a manual clock: the cabinet's settings (field errors,
 * roles, scoping, next date), daily and weekly runs that pay out the whole available balance exactly
 * once per period (run twice, on two "nodes" at once, or after the lock is bypassed), late runs after a
 * worker outage, skips below the minimum and without bank details, and a balanced ledger throughout.
 * Scenarios run in calendar order, as time would.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/deps.js';
import { runDuePayoutSchedules, runShopSchedule } from '../../src/modules/payouts/index.js';
import { openPostgresDatabase, type DatabaseHandle } from '../../src/platform/db.js';
import type { Database } from '../../src/schema.js';
import { moscow } from '../balances/helpers.js';
import type { TestBrowser } from '../support/client.js';
import {
  addEmployee,
  auditEntries,
  createShopVia,
  registerMerchant,
  signInBrowser,
} from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  balancesOf,
  expectLedgerBalanced,
  fund,
  payoutsOfShop,
  saveBankDetails,
  transferEntries,
} from './helpers.js';

interface ShopSettings {
  shopId: string;
  frequency: string;
  weekday: number | null;
  time: string;
  minimum: string | null;
  effectiveMinimum: string;
  nextRunAt: string | null;
  lastRun: {
    period: string;
    outcome: string;
    payoutId: string | null;
    available: string;
    minimum: string;
  } | null;
}
interface SettingsAnswer {
  currency: string;
  platformMinimum: string;
  timeZone: string;
  hasBankDetails: boolean;
  shops: ShopSettings[];
}
type FieldErrors = { error: { code: string; fields?: Record<string, { code: string; message: string }> } };

let context: TestContext;
let admin: TestBrowser;
let viewer: TestBrowser;
let stranger: TestBrowser;
let secondNode: DatabaseHandle<Database>;
let secondNodeDeps: Deps;
let adminEmail: string;
let viewerEmail: string;
let signedInAt = 0;

/** Sessions end after 12 idle hours; the clock jumps days, so people sign in again when it has moved. */
async function stayingSignedIn(): Promise<void> {
  const now = context.clock.now().getTime();
  if (Math.abs(now - signedInAt) < 6 * 3_600_000) return;
  admin = await signInBrowser(context, adminEmail);
  viewer = await signInBrowser(context, viewerEmail);
  signedInAt = now;
}

beforeAll(async () => {
  context = await createTestContext();
  const registered = await registerMerchant(context);
  admin = registered.browser;
  adminEmail = registered.form.email as string;
  viewerEmail = `viewer-${Date.now()}@example.ru`;
  viewer = (await addEmployee(context, admin, 'viewer', { email: viewerEmail })).browser;
  stranger = (await registerMerchant(context)).browser;
  signedInAt = context.clock.now().getTime();
  // A second worker node: its own connection pool to the same database.
  secondNode = openPostgresDatabase<Database>(context.deps.config.databaseUrl ?? '', 5);
  secondNodeDeps = { ...context.deps, db: secondNode.db };
}, 60_000);

afterAll(async () => {
  await secondNode?.close();
  await context?.close();
});

async function settingsOf(who: 'admin' | 'viewer', shopId: string): Promise<ShopSettings> {
  await stayingSignedIn();
  const browser = who === 'admin' ? admin : viewer;
  const answer = (await browser.get('/api/cabinet/payout-settings')).json() as SettingsAnswer;
  const shop = answer.shops.find((item) => item.shopId === shopId);
  if (!shop) throw new Error(`no settings for ${shopId}`);
  return shop;
}

async function putSettings(browser: TestBrowser, shopId: string, body: Record<string, unknown>) {
  await stayingSignedIn();
  return browser.request('PUT', `/api/cabinet/payout-settings/${shopId}`, body);
}

async function schedule(shopId: string, body: Record<string, unknown>): Promise<ShopSettings> {
  await stayingSignedIn();
  const response = await putSettings(admin, shopId, body);
  expect(response.statusCode, response.body).toBe(200);
  return settingsOf('admin', shopId);
}

/** The task as the worker runs it, at a Moscow wall-clock time. */
async function runAt(localDateTime: string, deps: Deps = context.deps) {
  context.clock.set(moscow(localDateTime));
  return runDuePayoutSchedules(deps);
}

describe('payout settings in the cabinet', () => {
  let shopId: string;

  beforeAll(async () => {
    context.clock.set(moscow('2026-03-02T12:00'));
    shopId = (await createShopVia(admin)).id;
  });

  it('starts off, with the installation minimum and no bank details', async () => {
    const answer = (await admin.get('/api/cabinet/payout-settings')).json() as SettingsAnswer;
    expect(answer).toMatchObject({
      currency: 'RUB',
      platformMinimum: '100.00',
      timeZone: 'Europe/Moscow',
      hasBankDetails: false,
    });
    expect(answer.shops).toEqual([
      {
        shopId,
        shopName: expect.any(String),
        frequency: 'off',
        weekday: null,
        time: '10:00',
        minimum: null,
        effectiveMinimum: '100.00',
        nextRunAt: null,
        lastRun: null,
      },
    ]);
  });

  it('answers every wrong field at once, in the caller’s language', async () => {
    const response = await admin.request(
      'PUT',
      `/api/cabinet/payout-settings/${shopId}`,
      { frequency: 'weekly', time: '25:00', minimum: '99.99' },
      { 'accept-language': 'en' },
    );
    expect(response.statusCode).toBe(422);
    const fields = (response.json() as FieldErrors).error.fields ?? {};
    expect(Object.keys(fields).sort()).toEqual(['minimum', 'time', 'weekday']);
    expect(fields.weekday?.code).toBe('required');
    expect(fields.time?.code).toBe('invalid_time');
    expect(fields.minimum).toEqual({
      code: 'below_platform_minimum',
      message: "At least 100.00 RUB: the platform's minimum payout.",
    });
    const malformed = await putSettings(admin, shopId, { frequency: 'daily', minimum: '1,5,0' });
    expect((malformed.json() as FieldErrors).error.fields?.minimum?.code).toBe('invalid_amount');
    const tooLarge = await putSettings(admin, shopId, { frequency: 'daily', minimum: '10000000.01' });
    expect((tooLarge.json() as FieldErrors).error.fields?.minimum?.code).toBe('too_large');
    const unknownFrequency = await putSettings(admin, shopId, { frequency: 'hourly' });
    expect(unknownFrequency.statusCode).toBe(422);
    expect((unknownFrequency.json() as FieldErrors).error.code).toBe('validation_failed');
    expect((await settingsOf('admin', shopId)).frequency).toBe('off');
  });

  it('only administrators change settings; another account’s shop is not found', async () => {
    expect((await putSettings(viewer, shopId, { frequency: 'daily' })).statusCode).toBe(403);
    expect((await viewer.get('/api/cabinet/payout-settings')).statusCode).toBe(200);
    const foreign = await putSettings(stranger, shopId, { frequency: 'daily' });
    expect(foreign.statusCode).toBe(404);
    expect((foreign.json() as FieldErrors).error.code).toBe('shop_not_found');
    const strangers = (await stranger.get('/api/cabinet/payout-settings')).json() as SettingsAnswer;
    expect(strangers.shops.map((shop) => shop.shopId)).not.toContain(shopId);
  });

  it('shows the next payout date; a minimum change keeps it, a schedule change moves it; audited', async () => {
    const daily = await schedule(shopId, { frequency: 'daily', time: '18:00' });
    expect(daily.nextRunAt).toBe(moscow('2026-03-02T18:00').toISOString());
    const weekly = await schedule(shopId, { frequency: 'weekly', weekday: 5, time: '09:30', minimum: '250' });
    expect(weekly).toMatchObject({
      frequency: 'weekly',
      weekday: 5,
      time: '09:30',
      minimum: '250.00',
      effectiveMinimum: '250.00',
      nextRunAt: moscow('2026-03-06T09:30').toISOString(),
    });
    const sameSchedule = await schedule(shopId, {
      frequency: 'weekly',
      weekday: 5,
      time: '09:30',
      minimum: '',
    });
    expect(sameSchedule).toMatchObject({
      minimum: null,
      effectiveMinimum: '100.00',
      nextRunAt: weekly.nextRunAt,
    });
    const off = await schedule(shopId, { frequency: 'off' });
    // Off keeps the day and time, so turning the schedule on again brings them back.
    expect(off).toMatchObject({ frequency: 'off', weekday: 5, time: '09:30', nextRunAt: null });
    const audit = await auditEntries(context, 'payout_settings.updated', { target: shopId });
    expect(audit.map((entry) => entry.details)).toEqual([
      { fields: ['frequency', 'time'] },
      { fields: ['frequency', 'weekday', 'time', 'minimum'] },
      { fields: ['minimum'] },
      { fields: ['frequency'] },
    ]);
  });
});

describe('daily schedule', () => {
  let shopId: string;

  beforeAll(async () => {
    context.clock.set(moscow('2026-03-02T12:00'));
    await saveBankDetails(admin);
    shopId = (await createShopVia(admin)).id;
    await schedule(shopId, { frequency: 'daily', time: '18:00' });
    await fund(context, shopId, 50_000n);
  });

  it('does nothing before the slot', async () => {
    await runAt('2026-03-02T17:59:59');
    expect(await payoutsOfShop(context, shopId)).toEqual([]);
  });

  it('pays out the whole available balance once, however often the task runs', async () => {
    const first = await runAt('2026-03-02T18:00:30');
    expect(first.created).toBeGreaterThanOrEqual(1);
    await runAt('2026-03-02T18:01:30');
    await runAt('2026-03-02T23:59:00');
    const payouts = await payoutsOfShop(context, shopId);
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({
      amount_minor: 50_000n,
      status: 'created',
      schedule_period: 'daily:2026-03-02',
      requested_by: null,
    });
    expect(await balancesOf(context, shopId)).toMatchObject({ availableMinor: 0n, inPayoutMinor: 50_000n });
    expect(await transferEntries(context, `payout:${payouts[0]?.id}:created`)).toEqual(
      [
        [`shop:${shopId}:available:RUB`, 50_000n],
        [`shop:${shopId}:in_payout:RUB`, -50_000n],
      ].sort(),
    );
    const audit = await auditEntries(context, 'payout.created', { target: payouts[0]?.id ?? '' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: null });
    const settings = await settingsOf('admin', shopId);
    expect(settings.nextRunAt).toBe(moscow('2026-03-03T18:00').toISOString());
    expect(settings.lastRun).toMatchObject({
      period: 'daily:2026-03-02',
      outcome: 'created',
      payoutId: payouts[0]?.id,
      available: '500.00',
    });
    // The payout goes on like any other: sent by its job.
    await context.worker.drain();
    expect((await payoutsOfShop(context, shopId))[0]?.status).toBe('sent');
  });

  it('the next day pays out again, once', async () => {
    await fund(context, shopId, 20_000n);
    await runAt('2026-03-03T18:00:00');
    await runAt('2026-03-03T18:00:10');
    const payouts = await payoutsOfShop(context, shopId);
    expect(payouts.map((payout) => [payout.schedule_period, payout.amount_minor])).toEqual([
      ['daily:2026-03-02', 50_000n],
      ['daily:2026-03-03', 20_000n],
    ]);
  });

  it('two nodes running at the same moment create one payout', async () => {
    await fund(context, shopId, 30_000n);
    context.clock.set(moscow('2026-03-04T18:00:05'));
    const results = await Promise.all([
      runDuePayoutSchedules(context.deps),
      runDuePayoutSchedules(secondNodeDeps),
      runDuePayoutSchedules(context.deps),
      runDuePayoutSchedules(secondNodeDeps),
    ]);
    expect(results.reduce((sum, result) => sum + result.created, 0)).toBe(1);
    expect(results.reduce((sum, result) => sum + result.failed, 0)).toBe(0);
    const periods = (await payoutsOfShop(context, shopId)).map((payout) => payout.schedule_period);
    expect(periods.filter((period) => period === 'daily:2026-03-04')).toHaveLength(1);
    expect(await balancesOf(context, shopId)).toMatchObject({ availableMinor: 0n });
  });

  it('a node that got past the lock with a stale slot still pays out a period once', async () => {
    await fund(context, shopId, 10_000n);
    // As if a node had read the settings before the last run moved next_run_at on.
    await sql`update payout_settings set next_run_at = ${moscow('2026-03-04T18:00')} where shop_id = ${shopId}`.execute(
      context.deps.db,
    );
    context.clock.set(moscow('2026-03-04T18:30'));
    expect(await runShopSchedule(secondNodeDeps, shopId, context.clock.now())).toBe('already_ran');
    expect(await balancesOf(context, shopId)).toMatchObject({ availableMinor: 10_000n });
    expect((await settingsOf('admin', shopId)).nextRunAt).toBe(moscow('2026-03-05T18:00').toISOString());
    // And the database itself refuses a second run row for the period.
    await expect(
      sql`insert into scheduled_payout_runs (shop_id, period, slot_at, outcome, currency, available_minor,
        minimum_minor, ran_at) values (${shopId}, 'daily:2026-03-04', now(), 'below_minimum', 'RUB', 0, 0, now())`.execute(
        context.deps.db,
      ),
    ).rejects.toThrow(/duplicate key/);
  });

  it('after a worker outage pays out late, once, for the latest missed period only', async () => {
    // Nothing ran from 4 March 18:30 until 8 March 09:00.
    await runAt('2026-03-08T09:00');
    const payouts = await payoutsOfShop(context, shopId);
    expect(payouts.map((payout) => payout.schedule_period).slice(-1)).toEqual(['daily:2026-03-07']);
    expect(payouts).toHaveLength(4);
    expect((await settingsOf('admin', shopId)).nextRunAt).toBe(moscow('2026-03-08T18:00').toISOString());
    await runAt('2026-03-08T10:00');
    expect(await payoutsOfShop(context, shopId)).toHaveLength(4);
  });

  it('skips a period whose available balance is below the minimum, and says so', async () => {
    await fund(context, shopId, 9_999n);
    const result = await runAt('2026-03-08T18:00');
    expect(result).toMatchObject({ created: 0, skipped: 1 });
    expect(await payoutsOfShop(context, shopId)).toHaveLength(4);
    expect(await balancesOf(context, shopId)).toMatchObject({ availableMinor: 9_999n });
    expect((await settingsOf('viewer', shopId)).lastRun).toMatchObject({
      period: 'daily:2026-03-08',
      outcome: 'below_minimum',
      payoutId: null,
      available: '99.99',
      minimum: '100.00',
    });
  });

  it('skips below the shop’s own minimum', async () => {
    await schedule(shopId, { frequency: 'daily', time: '18:00', minimum: '1000.00' });
    await fund(context, shopId, 50_000n);
    await runAt('2026-03-09T18:00');
    expect((await settingsOf('admin', shopId)).lastRun).toMatchObject({
      outcome: 'below_minimum',
      available: '599.99',
      minimum: '1000.00',
    });
    await fund(context, shopId, 40_001n);
    await runAt('2026-03-10T18:00');
    const last = (await payoutsOfShop(context, shopId)).at(-1);
    expect(last).toMatchObject({ schedule_period: 'daily:2026-03-10', amount_minor: 100_000n });
  });
});

describe('weekly schedule', () => {
  let shopId: string;

  beforeAll(async () => {
    context.clock.set(moscow('2026-03-16T12:00')); // a Monday, ISO week 12
    await stayingSignedIn();
    shopId = (await createShopVia(admin)).id;
    await schedule(shopId, { frequency: 'weekly', weekday: 3, time: '09:00' });
    await fund(context, shopId, 30_000n);
  });

  it('pays out on its weekday only, once per ISO week, even if the day is moved within the week', async () => {
    await runAt('2026-03-17T09:00');
    expect(await payoutsOfShop(context, shopId)).toEqual([]);
    await runAt('2026-03-18T09:00');
    await runAt('2026-03-18T09:05');
    expect((await payoutsOfShop(context, shopId)).map((payout) => payout.schedule_period)).toEqual([
      'weekly:2026-W12',
    ]);
    // Moved to Friday after Wednesday's payout: that Friday is still week 12, which has been paid.
    await fund(context, shopId, 20_000n);
    const moved = await schedule(shopId, { frequency: 'weekly', weekday: 5, time: '09:00' });
    expect(moved.nextRunAt).toBe(moscow('2026-03-20T09:00').toISOString());
    await runAt('2026-03-20T09:00');
    expect(await payoutsOfShop(context, shopId)).toHaveLength(1);
    expect((await settingsOf('admin', shopId)).nextRunAt).toBe(moscow('2026-03-27T09:00').toISOString());
    await Promise.all([runAt('2026-03-27T09:00'), runDuePayoutSchedules(secondNodeDeps)]);
    expect(
      (await payoutsOfShop(context, shopId)).map((payout) => [payout.schedule_period, payout.amount_minor]),
    ).toEqual([
      ['weekly:2026-W12', 30_000n],
      ['weekly:2026-W13', 20_000n],
    ]);
  });
});

describe('without bank details', () => {
  it('skips the period, moves no money, and the cabinet says why', async () => {
    context.clock.set(moscow('2026-03-30T08:00'));
    const other = (await registerMerchant(context)).browser;
    const shopId = (await createShopVia(other)).id;
    expect((await putSettings(other, shopId, { frequency: 'daily', time: '09:00' })).statusCode).toBe(200);
    await fund(context, shopId, 100_000n);
    await runAt('2026-03-30T09:00');
    const answer = (await other.get('/api/cabinet/payout-settings')).json() as SettingsAnswer;
    expect(answer.hasBankDetails).toBe(false);
    expect(answer.shops[0]?.lastRun).toMatchObject({ outcome: 'no_bank_details', available: '1000.00' });
    expect(await payoutsOfShop(context, shopId)).toEqual([]);
    expect(await balancesOf(context, shopId)).toMatchObject({ availableMinor: 100_000n, inPayoutMinor: 0n });
  });
});

describe('the ledger', () => {
  it('balances after every scheduled payout and skip', async () => {
    await context.worker.drain();
    await expectLedgerBalanced(context);
  });
});
