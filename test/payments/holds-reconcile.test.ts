/**
 * Holds when the acquirer's answer is lost or contradicts Kopek: the intent is recorded, Confirm/Cancel
 * answer "accepted", and the reconcile job finishes the step with the same capture key, so nothing is
 * captured twice; an authorization that vanished at the acquirer releases the hold. Also the release
 * period from KOPEK_HOLD_RELEASE_DAYS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  SandboxCardAcquirer,
  type CaptureOutcome,
  type CaptureRequest,
  type CardAcquirer,
  type CardAuthorizationRequest,
  type VoidOutcome,
} from '../../src/modules/methods/index.js';
import { releaseExpiredHolds } from '../../src/modules/payments/index.js';
import { createTestContext, TEST_MASTER_KEY, type TestContext } from '../support/harness.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';
import {
  cancelFields,
  confirmFields,
  FAILURE,
  holdAction,
  holdRow,
  netByAccount,
  opStateCode,
  paymentRow,
  SUCCESS,
  takeHold,
  transferKeys,
} from './holds-support.js';

const DAY_MS = 24 * 3_600_000;
/** Past the acquirer timeout plus the reconcile delay: the hold's reconcile job is due. */
const RECONCILE_DUE_MS = 61_000;

type Mode = 'answer' | 'lose_answer' | 'fail_before_sending';

/**
 * The sandbox behind a faulty line: 'lose_answer' lets the acquirer act and drops its answer (the worst
 * case: money moved, Kopek does not know), 'fail_before_sending' throws before the acquirer hears of it.
 */
class FaultyLine implements CardAcquirer {
  readonly name = 'faulty-line';
  readonly isSandbox = true;
  inner: SandboxCardAcquirer | undefined;
  readonly captureModes: Mode[] = [];
  readonly voidModes: Mode[] = [];
  captureCalls = 0;

  private get acquirer(): SandboxCardAcquirer {
    if (!this.inner) throw new Error('no acquirer behind the line yet');
    return this.inner;
  }

  authorize(request: CardAuthorizationRequest) {
    return this.acquirer.authorize(request);
  }
  answerChallenge(reference: string, answer: string) {
    return this.acquirer.answerChallenge(reference, answer);
  }
  fetchStatus(reference: string) {
    return this.acquirer.fetchStatus(reference);
  }
  async capture(request: CaptureRequest): Promise<CaptureOutcome> {
    this.captureCalls += 1;
    return this.pass(this.captureModes.shift(), () => this.acquirer.capture(request), request.reference);
  }
  async voidAuthorization(reference: string): Promise<VoidOutcome> {
    return this.pass(this.voidModes.shift(), () => this.acquirer.voidAuthorization(reference), reference);
  }

  private async pass<T>(mode: Mode | undefined, call: () => Promise<T>, reference: string) {
    if (mode === 'fail_before_sending') throw new Error('connection reset');
    const answer = await call();
    return mode === 'lose_answer' ? { kind: 'no_answer' as const, reference } : answer;
  }
}

let context: TestContext;
const line = new FaultyLine();
const stub = new MerchantStub();
let nextInvId = 9000;
const newInvId = () => String((nextInvId += 1));

beforeAll(async () => {
  context = await createTestContext({ KOPEK_HOLD_RELEASE_DAYS: '2' }, { cardAcquirer: line });
  line.inner = new SandboxCardAcquirer({ db: context.deps.db, clock: context.clock });
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

async function acquirerReference(paymentId: string): Promise<string> {
  const attempt = await context.deps.db
    .selectFrom('card_attempts')
    .select('acquirer_reference')
    .where('payment_id', '=', paymentId)
    .executeTakeFirstOrThrow();
  return attempt.acquirer_reference ?? '';
}

describe('a capture whose answer is lost', () => {
  it('answers accepted, keeps the hold while unknown, and the reconcile job captures it exactly once', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '300.00' });
    line.captureModes.push('lose_answer');
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '250.00'))).toBe(SUCCESS);
    expect(await paymentRow(context, paymentId)).toMatchObject({ status: 'held' });
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'capturing',
      capture_amount_minor: 25000n,
    });
    expect(await opStateCode(context, invId)).toMatchObject({ code: '20' });
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '250.00'))).toBe(FAILURE);
    expect(await holdAction(context, 'Cancel', cancelFields(invId))).toBe(FAILURE);

    const resultCalls = stub.calls.length;
    context.clock.advanceMs(RECONCILE_DUE_MS);
    await context.worker.drain();
    expect(await paymentRow(context, paymentId)).toMatchObject({ status: 'paid', amount_minor: 25000n });
    expect(await transferKeys(context, paymentId)).toEqual([
      `payment:${paymentId}:held`,
      `payment:${paymentId}:paid`,
    ]);
    const operation = await context.deps.db
      .selectFrom('sandbox_acquirer_operations')
      .select(['captured_minor', 'amount_minor'])
      .where('reference', '=', await acquirerReference(paymentId))
      .executeTakeFirstOrThrow();
    expect(operation).toEqual({ captured_minor: 25000n, amount_minor: 30000n });
    expect(stub.calls.slice(resultCalls).map((call) => call.fields.get('OutSum'))).toEqual(['250.00']);
  });

  it('retries while the line stays down, then captures', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '40.00' });
    line.captureModes.push('fail_before_sending', 'fail_before_sending');
    const calls = line.captureCalls;
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '40.00'))).toBe(SUCCESS);
    context.clock.advanceMs(RECONCILE_DUE_MS);
    await context.worker.runDueJobs();
    expect(await holdRow(context, paymentId)).toMatchObject({ status: 'capturing' });
    context.clock.advanceMs(60_000);
    await context.worker.drain();
    expect(line.captureCalls - calls).toBe(3);
    expect(await paymentRow(context, paymentId)).toMatchObject({ status: 'paid' });
  });
});

describe('a release whose answer is lost', () => {
  it('answers accepted to Cancel and the reconcile job records the release', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '60.00' });
    line.voidModes.push('lose_answer');
    expect(await holdAction(context, 'Cancel', cancelFields(invId))).toBe(SUCCESS);
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'releasing',
      release_reason: 'cancelled',
    });
    context.clock.advanceMs(RECONCILE_DUE_MS);
    await context.worker.drain();
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'released',
      release_reason: 'cancelled',
    });
    expect(await netByAccount(context, paymentId)).toEqual({
      'platform:acquirer_clearing:RUB': 0n,
      [`shop:${(await paymentRow(context, paymentId)).shop_id}:on_hold:RUB`]: 0n,
    });
  });
});

describe('an authorization gone at the acquirer', () => {
  it('refuses the Confirm and releases the hold in the books', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '70.00' });
    // The bank voided it on its side (its own expiry, a dispute): Kopek learns at the capture.
    await line.inner?.voidAuthorization(await acquirerReference(paymentId));
    expect(await holdAction(context, 'Confirm', confirmFields(invId, '70.00'))).toBe(FAILURE);
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'released',
      release_reason: 'acquirer',
    });
    const events = await context.deps.db
      .selectFrom('payment_events')
      .select('kind')
      .where('payment_id', '=', paymentId)
      .orderBy('id')
      .execute();
    expect(events.map((event) => event.kind).slice(-3)).toEqual([
      'hold_capture_requested',
      'hold_capture_refused',
      'hold_released',
    ]);
    expect(await transferKeys(context, paymentId)).toEqual([
      `payment:${paymentId}:held`,
      `payment:${paymentId}:released`,
    ]);
  });
});

describe('KOPEK_HOLD_RELEASE_DAYS', () => {
  it('sets when holds are released: 2 days here', async () => {
    const invId = newInvId();
    const paymentId = await takeHold(context, { invId, outSum: '15.00' });
    const takenAt = context.clock.now().getTime();
    expect((await holdRow(context, paymentId)).expires_at).toEqual(new Date(takenAt + 2 * DAY_MS));
    context.clock.advanceMs(2 * DAY_MS - 1);
    await releaseExpiredHolds(context.deps, line);
    expect((await paymentRow(context, paymentId)).status).toBe('held');
    context.clock.advanceMs(1);
    await releaseExpiredHolds(context.deps, line);
    expect(await holdRow(context, paymentId)).toMatchObject({
      status: 'released',
      release_reason: 'expired',
    });
  });

  it('accepts 1 to 30 days, 7 by default, and stops the boot otherwise', () => {
    const environment = (days?: string) => ({
      NODE_ENV: 'test',
      KOPEK_MASTER_KEY: TEST_MASTER_KEY,
      ...(days === undefined ? {} : { KOPEK_HOLD_RELEASE_DAYS: days }),
    });
    expect(loadConfig(environment()).holdReleaseDays).toBe(7);
    expect(loadConfig(environment('1')).holdReleaseDays).toBe(1);
    expect(loadConfig(environment('30')).holdReleaseDays).toBe(30);
    for (const bad of ['0', '31', '7.5', 'seven', '-1']) {
      expect(() => loadConfig(environment(bad))).toThrow(/KOPEK_HOLD_RELEASE_DAYS/);
    }
  });
});
