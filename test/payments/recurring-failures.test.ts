/**
 * Child recurring charges when the acquirer declines or repeats: against real PostgreSQL with the sandbox
 * acquirer behind a switch that can decline the next merchant-initiated charge. A declined child stays
 * unpaid (no ResultURL) and is charged again when the merchant repeats its InvoiceID; a charge job run
 * twice calls the acquirer once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SandboxCardAcquirer,
  type AcquirerOutcome,
  type CardAcquirer,
  type CardAuthorizationRequest,
} from '../../src/modules/methods/index.js';
import { createRecurringChargeHandler, RECURRING_CHARGE_QUEUE } from '../../src/modules/payments/index.js';
import { DEMO } from '../../src/seed.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { MerchantStub, prepareDemoShop } from '../support/payments.js';
import { attemptsOf, paymentByInvId, payParent, postRecurring, recurringForm } from './recurring-support.js';

/** The sandbox, except that it can decline the next merchant-initiated charge; counts those charges. */
class SwitchableAcquirer implements CardAcquirer {
  readonly name = 'sandbox';
  readonly isSandbox = true;
  target: SandboxCardAcquirer | undefined;
  declineNextMerchantCharge = false;
  readonly merchantCharges: CardAuthorizationRequest[] = [];

  private get sandbox(): SandboxCardAcquirer {
    if (!this.target) throw new Error('acquirer not ready');
    return this.target;
  }

  async authorize(request: CardAuthorizationRequest): Promise<AcquirerOutcome> {
    if (request.initiator === 'merchant') {
      this.merchantCharges.push(request);
      if (this.declineNextMerchantCharge) {
        this.declineNextMerchantCharge = false;
        return { kind: 'declined', reference: null, reason: 'insufficient_funds' };
      }
    }
    return this.sandbox.authorize(request);
  }
  answerChallenge(reference: string, answer: string) {
    return this.sandbox.answerChallenge(reference, answer);
  }
  fetchStatus(reference: string) {
    return this.sandbox.fetchStatus(reference);
  }
  capture(request: Parameters<CardAcquirer['capture']>[0]) {
    return this.sandbox.capture(request);
  }
  voidAuthorization(reference: string) {
    return this.sandbox.voidAuthorization(reference);
  }
}

let context: TestContext;
const acquirer = new SwitchableAcquirer();
const stub = new MerchantStub();
let shopId = '';
let nextInvId = 63_000;
const newInvId = () => String((nextInvId += 1));

beforeAll(async () => {
  context = await createTestContext({}, { cardAcquirer: acquirer });
  acquirer.target = new SandboxCardAcquirer({ db: context.deps.db, clock: context.clock });
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

describe('a child the acquirer declines', () => {
  it('stays unpaid without ResultURL, and is charged again when its InvoiceID is sent again', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const invoiceId = newInvId();
    const body = recurringForm({ invoiceId, previousInvoiceId: parentInvId, outSum: '15.00' });
    acquirer.declineNextMerchantCharge = true;
    expect((await postRecurring(context, body)).body).toBe(`OK${invoiceId}`);
    await context.worker.drain();
    const declined = await paymentByInvId(context, shopId, invoiceId);
    expect(declined?.status).toBe('failed');
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invoiceId)).toEqual([]);
    const lastCharge = acquirer.merchantCharges.at(-1);
    expect(lastCharge?.card.cvc).toBe('');
    expect(lastCharge?.card.pan).toBe('4111111111111111');

    expect((await postRecurring(context, body)).body).toBe(`OK${invoiceId}`);
    await context.worker.drain();
    const paid = await paymentByInvId(context, shopId, invoiceId);
    expect(paid?.id).toBe(declined?.id);
    expect(paid?.status).toBe('paid');
    const attempts = await attemptsOf(context, paid?.id ?? '');
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual(['approved', 'declined']);
    expect(stub.calls.filter((call) => call.fields.get('InvId') === invoiceId)).toHaveLength(1);
  });
});

describe('the charge job', () => {
  it('charges once when it runs twice (a lease that ran out)', async () => {
    const parentInvId = newInvId();
    await payParent(context, { invId: parentInvId });
    const invoiceId = newInvId();
    await postRecurring(
      context,
      recurringForm({ invoiceId, previousInvoiceId: parentInvId, outSum: '7.00' }),
    );
    const child = await paymentByInvId(context, shopId, invoiceId);
    const job = await context.deps.db
      .selectFrom('jobs')
      .select('payload')
      .where('queue', '=', RECURRING_CHARGE_QUEUE)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(job.payload).toMatchObject({ paymentId: child?.id });
    const charges = acquirer.merchantCharges.length;
    const handler = createRecurringChargeHandler(context.deps, acquirer);
    await Promise.all([handler(job.payload), handler(job.payload)]);
    await context.worker.drain();
    await handler(job.payload);
    expect(acquirer.merchantCharges.length - charges).toBe(1);
    expect((await paymentByInvId(context, shopId, invoiceId))?.status).toBe('paid');
    expect(await attemptsOf(context, child?.id ?? '')).toHaveLength(1);
  });

  it('refuses a payload that names no recurring charge', async () => {
    const handler = createRecurringChargeHandler(context.deps, acquirer);
    await expect(handler({})).rejects.toThrow(/paymentId/);
    const { paymentId } = await payParent(context, { invId: newInvId() });
    await expect(handler({ paymentId, submissionKey: 'rc_x' })).rejects.toThrow(/not a recurring charge/);
  });
});
