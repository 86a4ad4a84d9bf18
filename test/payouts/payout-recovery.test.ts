/**
 * Payouts whose sending fails, on a real PostgreSQL with a manual clock: the send job retries with
 * backoff; once its attempts run out, reconciliation asks the bank by payout id and either gives the
 * money back (the bank never got it) or carries on with the bank's payout (it did). A payout is never
 * paid twice: the sandbox bank is idempotent on the payout id, a fenced payout is never sent again, and
 * the ledger balances throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkSentPayouts,
  createPayoutSendHandler,
  NEVER_RECEIVED_REASON,
  PAYOUT_RECONCILE_AFTER_MS,
  PAYOUT_SEND_LEASE_MS,
  PAYOUT_SEND_MAX_ATTEMPTS,
  PAYOUT_SEND_QUEUE,
  reconcileStuckPayouts,
  SandboxBank,
  type PayoutOrder,
  type PayoutProvider,
} from '../../src/modules/payouts/index.js';
import { enqueueJob, JobWorker, retryDelayMs } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  balancesOf,
  BANK_DETAILS,
  bankRecord,
  expectLedgerBalanced,
  fund,
  payoutRow,
  saveBankDetails,
  sendJobsOf,
  transferEntries,
} from './helpers.js';

let context: TestContext;
let admin: TestBrowser;
let shopId: string;
let bank: SandboxBank;

beforeAll(async () => {
  context = await createTestContext();
  bank = new SandboxBank({ db: context.deps.db, clock: context.deps.clock });
  admin = (await registerMerchant(context)).browser;
  await saveBankDetails(admin);
  shopId = (await createShopVia(admin)).id;
  await fund(context, shopId, 1_000_000n);
}, 60_000);

afterAll(async () => {
  await context?.close();
});

async function orderPayout(amount: string): Promise<string> {
  const response = await admin.post('/api/cabinet/payouts', { shopId, amount });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

/**
 * Runs the payout's send job attempt by attempt, moving the clock by the queue's backoff after each
 * failure; checks that no attempt runs before its backoff is over. Answers the attempts made.
 */
async function runSendAttempts(worker: JobWorker, payoutId: string): Promise<number> {
  for (let attempt = 1; attempt <= PAYOUT_SEND_MAX_ATTEMPTS + 1; attempt += 1) {
    await worker.runDueJobs();
    const [job] = await sendJobsOf(context, payoutId);
    if (!job || job.state !== 'pending') return job?.attempts ?? 0;
    expect(job.attempts).toBe(attempt);
    context.clock.advanceMs(retryDelayMs(attempt) - 1_000);
    expect(await worker.runDueJobs()).toBe(0);
    context.clock.advanceMs(1_000);
  }
  throw new Error('the send job never stopped');
}

describe('the sandbox bank', () => {
  const order = (payoutId: string, amountMinor = 12_345n): PayoutOrder => ({
    payoutId,
    amountMinor,
    currency: 'RUB',
    bankDetails: { ...BANK_DETAILS },
  });

  it('is idempotent on the payout id: the same reference, one payout, however many sends', async () => {
    const first = await bank.send(order('pyt_idempotent1'));
    const again = await bank.send(order('pyt_idempotent1'));
    const racing = await Promise.all(Array.from({ length: 5 }, () => bank.send(order('pyt_idempotent1'))));
    expect(again).toEqual(first);
    expect(racing).toEqual(Array.from({ length: 5 }, () => first));
    expect(await bankRecord(context, 'pyt_idempotent1')).toMatchObject({
      amount_minor: 12_345n,
      times_received: 7,
    });
    expect(await bank.findPayout('pyt_idempotent1')).toEqual({ isKnown: true, result: first });
  });

  it('refuses a known payout id with another amount, and knows nothing of ids it never received', async () => {
    await expect(bank.send(order('pyt_idempotent1', 99_999n))).rejects.toThrow(/another amount/);
    expect(await bankRecord(context, 'pyt_idempotent1')).toMatchObject({ amount_minor: 12_345n });
    expect(await bank.findPayout('pyt_neverseen')).toEqual({ isKnown: false });
    await expect(bank.send(order('pyt_unreachable', 10_015n))).rejects.toThrow(/unreachable/);
    expect(await bank.findPayout('pyt_unreachable')).toEqual({ isKnown: false });
    await expect(bank.fetchStatus('sandbox-pyt_neverseen')).rejects.toThrow(/unknown reference/);
  });
});

describe('a bank that cannot be reached', () => {
  let payoutId: string;
  let before: Awaited<ReturnType<typeof balancesOf>>;

  it('is retried with backoff until the attempts run out; the payout waits, its money in payout', async () => {
    before = await balancesOf(context, shopId);
    payoutId = await orderPayout('100.15');
    expect(await runSendAttempts(context.worker, payoutId)).toBe(PAYOUT_SEND_MAX_ATTEMPTS);
    const [job] = await sendJobsOf(context, payoutId);
    expect(job).toMatchObject({ state: 'failed', attempts: PAYOUT_SEND_MAX_ATTEMPTS });
    const payout = await payoutRow(context, payoutId);
    expect(payout).toMatchObject({
      status: 'created',
      send_attempts: PAYOUT_SEND_MAX_ATTEMPTS,
      last_send_error: 'sandbox bank: unreachable',
    });
    expect(payout.send_exhausted_at).not.toBeNull();
    expect(await balancesOf(context, shopId)).toMatchObject({
      availableMinor: before.availableMinor - 10_015n,
      inPayoutMinor: before.inPayoutMinor + 10_015n,
    });
  });

  it('waits out the last attempt’s lease, then finds the bank never got it and gives the money back', async () => {
    // The last attempt started less than the lease ago: it might still be talking to the bank.
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(0);
    context.clock.advanceMs(PAYOUT_SEND_LEASE_MS);
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(1);
    const payout = await payoutRow(context, payoutId);
    expect(payout.status).toBe('failed');
    expect(payout.reconcile_started_at).not.toBeNull();
    expect(await balancesOf(context, shopId)).toEqual(before);
    expect(await transferEntries(context, `payout:${payoutId}:failed`)).toEqual(
      [
        [`shop:${shopId}:available:RUB`, -10_015n],
        [`shop:${shopId}:in_payout:RUB`, 10_015n],
      ].sort(),
    );
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(0);
    const list = (await admin.get('/api/cabinet/payouts')).json() as {
      items: { id: string; status: string }[];
    };
    expect(list.items.find((item) => item.id === payoutId)?.status).toBe('failed');
    const statement = await admin.get(`/api/cabinet/payouts/${payoutId}/statement?lang=en`);
    expect(statement.body).toContain('never reached the bank');
  });

  it('a send job that turns up afterwards does not call the bank', async () => {
    await enqueueJob(context.deps.db, context.clock, { queue: PAYOUT_SEND_QUEUE, payload: { payoutId } });
    await context.worker.drain();
    expect((await payoutRow(context, payoutId)).send_attempts).toBe(PAYOUT_SEND_MAX_ATTEMPTS);
    expect(await bankRecord(context, payoutId)).toBeUndefined();
    expect((await payoutRow(context, payoutId)).status).toBe('failed');
  });
});

describe('a payout fenced by reconciliation', () => {
  it('is never sent again, even while the bank cannot answer the lookup', async () => {
    const before = await balancesOf(context, shopId);
    const payoutId = await orderPayout('100.15');
    expect(await runSendAttempts(context.worker, payoutId)).toBe(PAYOUT_SEND_MAX_ATTEMPTS);
    context.clock.advanceMs(PAYOUT_SEND_LEASE_MS);
    const lookupDown: PayoutProvider = {
      isSandbox: true,
      send: () => Promise.reject(new Error('must not be called')),
      fetchStatus: (reference) => bank.fetchStatus(reference),
      findPayout: () => Promise.reject(new Error('lookup unavailable')),
    };
    expect(await reconcileStuckPayouts(context.deps, lookupDown)).toBe(0);
    const fenced = await payoutRow(context, payoutId);
    expect(fenced.status).toBe('created');
    expect(fenced.reconcile_started_at).not.toBeNull();
    // A send job now (a duplicate, or one that was waiting) leaves the bank alone.
    const sends: string[] = [];
    const watching: PayoutProvider = {
      ...lookupDown,
      send: async (order) => (sends.push(order.payoutId), bank.send(order)),
    };
    const worker = new JobWorker({
      db: context.deps.db,
      clock: context.clock,
      logger: createLogger('silent'),
    });
    worker.register(PAYOUT_SEND_QUEUE, createPayoutSendHandler(context.deps, watching));
    await enqueueJob(context.deps.db, context.clock, { queue: PAYOUT_SEND_QUEUE, payload: { payoutId } });
    await worker.drain();
    expect(sends).toEqual([]);
    expect((await payoutRow(context, payoutId)).send_attempts).toBe(PAYOUT_SEND_MAX_ATTEMPTS);
    // The next reconciliation, with the bank answering again, settles it.
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(1);
    expect((await payoutRow(context, payoutId)).status).toBe('failed');
    expect(await balancesOf(context, shopId)).toEqual(before);
  });
});

describe('a lost answer from the bank', () => {
  it('the retry gets the same reference; the bank pays once and the money leaves once', async () => {
    const before = await balancesOf(context, shopId);
    const payoutId = await orderPayout('100.16');
    expect(await runSendAttempts(context.worker, payoutId)).toBe(2);
    expect(await payoutRow(context, payoutId)).toMatchObject({
      status: 'sent',
      send_attempts: 2,
      provider_reference: `sandbox-${payoutId}`,
    });
    expect(await bankRecord(context, payoutId)).toMatchObject({ times_received: 2, amount_minor: 10_016n });
    expect(await checkSentPayouts(context.deps, bank)).toBe(1);
    expect(await checkSentPayouts(context.deps, bank)).toBe(0);
    expect((await payoutRow(context, payoutId)).status).toBe('executed');
    expect(await balancesOf(context, shopId)).toMatchObject({
      availableMinor: before.availableMinor - 10_016n,
      inPayoutMinor: before.inPayoutMinor,
    });
    expect(await transferEntries(context, `payout:${payoutId}:failed`)).toEqual([]);
  });
});

describe('a bank call that crashes after the bank got the payout, on every attempt', () => {
  it('is reconciled as sent with the bank’s reference, never given back, executed once', async () => {
    const crashAfterSending: PayoutProvider = {
      isSandbox: true,
      send: async (order) => {
        await bank.send(order);
        throw new Error('connection reset after the request was sent');
      },
      fetchStatus: (reference) => bank.fetchStatus(reference),
      findPayout: (id) => bank.findPayout(id),
    };
    const worker = new JobWorker({
      db: context.deps.db,
      clock: context.clock,
      logger: createLogger('silent'),
    });
    worker.register(PAYOUT_SEND_QUEUE, createPayoutSendHandler(context.deps, crashAfterSending));
    const before = await balancesOf(context, shopId);
    const payoutId = await orderPayout('250.00');
    expect(await runSendAttempts(worker, payoutId)).toBe(PAYOUT_SEND_MAX_ATTEMPTS);
    expect(await bankRecord(context, payoutId)).toMatchObject({ times_received: PAYOUT_SEND_MAX_ATTEMPTS });
    context.clock.advanceMs(PAYOUT_SEND_LEASE_MS);
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(1);
    expect(await payoutRow(context, payoutId)).toMatchObject({
      status: 'sent',
      provider_reference: `sandbox-${payoutId}`,
    });
    await checkSentPayouts(context.deps, bank);
    expect((await payoutRow(context, payoutId)).status).toBe('executed');
    expect(await transferEntries(context, `payout:${payoutId}:failed`)).toEqual([]);
    expect(await balancesOf(context, shopId)).toMatchObject({
      availableMinor: before.availableMinor - 25_000n,
      inPayoutMinor: before.inPayoutMinor,
    });
  });
});

describe('a send job lost with its worker', () => {
  it('is reconciled by age alone, after PAYOUT_RECONCILE_AFTER_MS', async () => {
    const before = await balancesOf(context, shopId);
    const payoutId = await orderPayout('300.00');
    // The job never runs: as if every node had died with it. (The queue's claim would mark it failed.)
    await context.deps.db
      .updateTable('jobs')
      .set({ state: 'failed' })
      .where('queue', '=', PAYOUT_SEND_QUEUE)
      .where('state', '=', 'pending')
      .execute();
    context.clock.advanceMs(PAYOUT_RECONCILE_AFTER_MS - 60_000);
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(0);
    context.clock.advanceMs(120_000);
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(1);
    expect(await payoutRow(context, payoutId)).toMatchObject({ status: 'failed' });
    expect(await balancesOf(context, shopId)).toEqual(before);
    const failure = await context.deps.db
      .withTables<{ payouts: { id: string; failure_reason: string | null } }>()
      .selectFrom('payouts')
      .select('failure_reason')
      .where('id', '=', payoutId)
      .executeTakeFirstOrThrow();
    expect(failure.failure_reason).toBe(NEVER_RECEIVED_REASON);
  });
});

describe('the ledger', () => {
  it('balances after every failure and recovery', async () => {
    await expectLedgerBalanced(context);
  });
});
