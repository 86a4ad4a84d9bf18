/**
 * Receipts end to end on real PostgreSQL: enqueueFiscalReceipt inside a transaction, the
 * 'fiscal.register' job of the runtime calling Kopek's ATOL sandbox over real HTTP through the real
 * client, until done with fiscal data and the QR text; refunds; no receipt for test payments or shops
 * without settings; bad data failing without rolling back; a timeout resent without a second document;
 * a failed receipt retried from the cabinet; polls that stop and resume; ATOL's callback; report pacing;
 * account scoping.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  draftFromReceipt,
  enqueueFiscalReceipt,
  formatAtolTimestamp,
  type AtolSandbox,
  type FiscalReceiptDraft,
  type FiscalReceiptView,
  type NewFiscalReceipt,
  type SandboxBehaviour,
} from '../../src/modules/fiscal/index.js';
import { parseReceipt } from '../../src/modules/protocol/index.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  createSandboxGroup,
  draftOf,
  insertPayment,
  insertRefund,
  listenOnLoopback,
  sandboxOf,
  SHOP_INN,
  type SandboxGroup,
} from './helpers.js';

let context: TestContext;
let baseUrl: string;
let sandbox: AtolSandbox;
let admin: TestBrowser;
let accountId: string;
let stranger: TestBrowser;
let viewer: TestBrowser;

interface Shop {
  readonly shopId: string;
  readonly accountId: string;
  readonly group: SandboxGroup;
}

beforeAll(async () => {
  // A short provider deadline, so a late sandbox answer is a timeout within the test.
  context = await createTestContext({ KOPEK_FISCAL_TIMEOUT_MS: '400' });
  ({ baseUrl } = await listenOnLoopback(context));
  sandbox = sandboxOf(context);
  const registered = await registerMerchant(context);
  admin = registered.browser;
  accountId = registered.me.account.id;
  viewer = (await addEmployee(context, admin, 'viewer')).browser;
  stranger = (await registerMerchant(context)).browser;
}, 60_000);

afterAll(async () => {
  await context?.close();
});

/** A shop of the admin's account with fiscal settings pointing at a fresh sandbox group. */
async function createFiscalShop(behaviour: Partial<SandboxBehaviour> = {}): Promise<Shop> {
  const shopId = (await createShopVia(admin)).id;
  const group = await createSandboxGroup(sandbox, behaviour);
  const response = await admin.request('PUT', `/api/cabinet/shops/${shopId}/fiscal-settings`, {
    provider: 'atol',
    baseUrl,
    login: group.login,
    password: group.password,
    groupCode: group.groupCode,
    companyInn: SHOP_INN,
    paymentAddress: 'https://books.example.ru',
    sno: 'osn',
    companyEmail: 'shop@example.ru',
  });
  expect(response.statusCode, response.body).toBe(200);
  return { shopId, accountId, group };
}

async function enqueue(input: NewFiscalReceipt) {
  return context.deps.db.transaction().execute((trx) => enqueueFiscalReceipt(trx, context.clock, input));
}

async function receiptView(receiptId: string): Promise<FiscalReceiptView> {
  const response = await admin.get(`/api/cabinet/fiscal-receipts/${receiptId}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as FiscalReceiptView;
}

/** Runs due jobs, moving the clock a second at a time, until the receipt leaves pending/wait or steps run out. */
async function runJobs(receiptId: string, steps = 30): Promise<FiscalReceiptView> {
  for (let step = 0; step < steps; step += 1) {
    await context.worker.runDueJobs();
    const view = await receiptView(receiptId);
    if (view.status === 'done' || view.status === 'fail' || view.nextAttemptAt === null) return view;
    context.clock.advanceMs(1_000);
  }
  return receiptView(receiptId);
}

async function sell(shop: Shop, priceMinor: bigint, quantity = 1n, draft?: FiscalReceiptDraft) {
  const paymentId = await insertPayment(context, shop, priceMinor * quantity);
  const enqueued = await enqueue({
    kind: 'sell',
    paymentId,
    receipt: draft ?? draftOf(priceMinor, quantity),
  });
  if (!enqueued) throw new Error('no receipt');
  return { paymentId, receiptId: enqueued.receiptId, enqueued };
}

describe('a sale receipt', () => {
  it('goes from enqueueFiscalReceipt to done with fiscal data and the QR text', async () => {
    const shop = await createFiscalShop();
    const { paymentId, receiptId, enqueued } = await sell(shop, 74_550n, 2n);
    expect(enqueued).toEqual({ receiptId, status: 'pending', isNew: true });
    const view = await runJobs(receiptId);
    expect(view).toMatchObject({
      status: 'done',
      kind: 'sell',
      paymentId,
      total: '1491.00',
      error: null,
      attempts: 1,
    });
    expect(view.fiscal).toMatchObject({
      fiscalDocumentNumber: '1',
      fiscalReceiptNumber: 1,
      shiftNumber: 1,
      total: '1491.00',
    });
    const fiscal = view.fiscal!;
    expect(fiscal.fnNumber).toMatch(/^\d{16}$/);
    expect(fiscal.receiptDatetime).toMatch(/^02\.03\.2026 12:00:\d{2}$/);
    expect(fiscal.qr).toBe(
      `t=20260302T1200&s=1491.00&fn=${fiscal.fnNumber}&i=1&fp=${fiscal.fiscalDocumentAttribute}&n=1`,
    );
    expect(fiscal.ofdReceiptUrl).toContain(`fn=${fiscal.fnNumber}`);
    // What the sandbox registered: one document, the same external id, Kopek's callback address.
    const documents = await sandbox.listDocuments(shop.group.groupCode);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      externalId: `${receiptId}.1`,
      operation: 'sell',
      callbackUrl: `http://kopek.test/fiscal/atol/callback/${receiptId}`,
    });
  });

  it('sends the document ATOL v5 expects, built from the neutral description', async () => {
    const shop = await createFiscalShop();
    const timestamp = formatAtolTimestamp(context.clock.now());
    const { receiptId } = await sell(shop, 10_000n, 3n);
    const row = await context.deps.db
      .withTables<{ fiscal_receipts: { id: string; request: unknown } }>()
      .selectFrom('fiscal_receipts')
      .select('request')
      .where('id', '=', receiptId)
      .executeTakeFirstOrThrow();
    expect(row.request).toEqual({
      timestamp,
      external_id: `${receiptId}.1`,
      receipt: {
        client: { email: 'buyer@example.ru' },
        company: {
          email: 'shop@example.ru',
          sno: 'osn',
          inn: SHOP_INN,
          payment_address: 'https://books.example.ru',
        },
        items: [
          {
            name: 'Кофе в зёрнах, 1 кг',
            price: 100,
            quantity: 3,
            sum: 300,
            measure: 0,
            payment_method: 'full_prepayment',
            payment_object: 1,
            vat: { type: 'vat20' },
          },
        ],
        payments: [{ type: 1, sum: 300 }],
        total: 300,
        internet: true,
      },
    });
  });

  it('is created once per payment, however often it is asked for', async () => {
    const shop = await createFiscalShop();
    const { paymentId, receiptId } = await sell(shop, 5_000n);
    const again = await enqueue({ kind: 'sell', paymentId, receipt: draftOf(5_000n) });
    expect(again).toEqual({ receiptId, status: 'pending', isNew: false });
  });

  it('is not created for a test payment, nor for a shop without fiscal settings, nor with "none"', async () => {
    const shop = await createFiscalShop();
    const testPayment = await insertPayment(context, shop, 5_000n, { isTest: true });
    expect(await enqueue({ kind: 'sell', paymentId: testPayment, receipt: draftOf(5_000n) })).toBeNull();
    const plainShop = { shopId: (await createShopVia(admin)).id, accountId };
    const plainPayment = await insertPayment(context, plainShop, 5_000n);
    expect(await enqueue({ kind: 'sell', paymentId: plainPayment, receipt: draftOf(5_000n) })).toBeNull();
    await admin.request('PUT', `/api/cabinet/shops/${shop.shopId}/fiscal-settings`, { provider: 'none' });
    const offPayment = await insertPayment(context, shop, 5_000n);
    expect(await enqueue({ kind: 'sell', paymentId: offPayment, receipt: draftOf(5_000n) })).toBeNull();
  });

  it('with data that cannot be registered is recorded as failed, and the payment transaction commits', async () => {
    const shop = await createFiscalShop();
    const paymentId = await insertPayment(context, shop, 10_000n);
    const draft = draftOf(9_000n);
    const enqueued = await context.deps.db.transaction().execute(async (trx) => {
      const result = await enqueueFiscalReceipt(trx, context.clock, {
        kind: 'sell',
        paymentId,
        receipt: draft,
      });
      await sql`update payments set description = 'committed' where id = ${paymentId}`.execute(trx);
      return result;
    });
    expect(enqueued?.status).toBe('fail');
    const view = await receiptView(enqueued!.receiptId);
    expect(view.error).toContain('итог чека 90.00 не равен сумме операции 100.00');
    expect(view.error).toContain("differs from the operation's amount 100.00");
    expect(view.canRetry).toBe(true);
    const payment = await context.deps.db
      .selectFrom('payments')
      .select('description')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment.description).toBe('committed');
    expect(await sandbox.listDocuments(shop.group.groupCode)).toHaveLength(0);
  });

  it("takes Robokassa's Receipt as read at the start; a reason instead of a draft fails the receipt", async () => {
    const shop = await createFiscalShop();
    const paymentId = await insertPayment(context, shop, 149_000n);
    const parsed = parseReceipt(
      JSON.stringify({
        items: [
          { name: 'Кофе', quantity: 2, sum: 1000, tax: 'vat20' },
          { name: 'Доставка', quantity: 1, sum: 490, tax: 'none', payment_object: 'service' },
        ],
      }),
      149_000n,
    );
    if (!parsed.ok) throw new Error(parsed.error.detail.en);
    const enqueued = await enqueue({
      kind: 'sell',
      paymentId,
      receipt: draftFromReceipt(parsed.receipt, { email: 'buyer@example.ru' }),
    });
    expect((await runJobs(enqueued!.receiptId)).status).toBe('done');

    const otherPayment = await insertPayment(context, shop, 149_000n);
    const reason = { ru: 'сумма не помещается в один чек.', en: 'the amount does not fit into one receipt.' };
    const failed = await enqueue({ kind: 'sell', paymentId: otherPayment, receipt: reason });
    expect(failed?.status).toBe('fail');
    expect((await receiptView(failed!.receiptId)).error).toBe(
      'сумма не помещается в один чек. / the amount does not fit into one receipt.',
    );
  });

  it('rolls back with the transaction that enqueued it', async () => {
    const shop = await createFiscalShop();
    const paymentId = await insertPayment(context, shop, 5_000n);
    await expect(
      context.deps.db.transaction().execute(async (trx) => {
        await enqueueFiscalReceipt(trx, context.clock, { kind: 'sell', paymentId, receipt: draftOf(5_000n) });
        throw new Error('the payment failed to commit');
      }),
    ).rejects.toThrow('the payment failed to commit');
    const list = (await admin.get(`/api/cabinet/fiscal-receipts?paymentId=${paymentId}`)).json() as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(0);
  });
});

describe('a refund receipt', () => {
  it('is a sell_refund of the refund amount, with n=2 in its QR text', async () => {
    const shop = await createFiscalShop();
    const { paymentId } = await sell(shop, 30_000n);
    const refundId = await insertRefund(context, shop, paymentId, 10_000n);
    const enqueued = await enqueue({ kind: 'sell_refund', paymentId, refundId, receipt: draftOf(10_000n) });
    const view = await runJobs(enqueued!.receiptId);
    expect(view).toMatchObject({ status: 'done', kind: 'sell_refund', refundId, total: '100.00' });
    expect(view.fiscal?.qr).toMatch(/&s=100\.00&.*&n=2$/);
    const operations = (await sandbox.listDocuments(shop.group.groupCode)).map(
      (document) => document.operation,
    );
    expect(operations).toContain('sell_refund');
  });
});

describe('registration problems', () => {
  it('a timeout is sent again with the same external id: one document, done', async () => {
    const shop = await createFiscalShop({ answerDelayMs: 1_500, delayedAnswers: 1 });
    const { receiptId } = await sell(shop, 12_300n);
    await context.worker.runDueJobs();
    const afterTimeout = await receiptView(receiptId);
    expect(afterTimeout).toMatchObject({ status: 'pending', attempts: 1, externalId: `${receiptId}.1` });
    expect(afterTimeout.error).toMatch(/no answer within 400 ms/);
    context.clock.advanceMs(5_000);
    const view = await runJobs(receiptId);
    expect(view).toMatchObject({ status: 'done', attempts: 2, generation: 1, externalId: `${receiptId}.1` });
    const documents = await sandbox.listDocuments(shop.group.groupCode);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ externalId: `${receiptId}.1`, timesReceived: 2 });
    expect(view.uuid).toBe(documents[0]?.uuid);
  });

  it('a refusal by the register fails the receipt; a retry from the cabinet sends a new generation and keeps the failure', async () => {
    const shop = await createFiscalShop({ outcome: 'fail' });
    const { receiptId } = await sell(shop, 20_000n);
    const failed = await runJobs(receiptId);
    expect(failed).toMatchObject({ status: 'fail', canRetry: true });
    expect(failed.error).toMatch(/^ATOL 2009 \(agent\): /);

    await sandbox.configureGroup(shop.group.groupCode, { behaviour: { outcome: 'done' } });
    const retried = await admin.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({
      status: 'pending',
      generation: 2,
      externalId: `${receiptId}.2`,
      error: null,
    });
    const view = await runJobs(receiptId);
    expect(view).toMatchObject({ status: 'done', generation: 2 });
    expect(view.failureHistory).toEqual([
      expect.objectContaining({ generation: 1, externalId: `${receiptId}.1`, error: failed.error }),
    ]);
    expect(
      (await sandbox.listDocuments(shop.group.groupCode)).map((document) => document.externalId),
    ).toEqual([`${receiptId}.1`, `${receiptId}.2`]);
    const [entry] = await auditEntries(context, 'fiscal_receipt.retried', { target: receiptId });
    expect(entry?.details).toMatchObject({ status: 'fail', generation: 1 });
  });

  it('a wrong password fails the receipt with ATOL 12; fixed settings and a retry register it', async () => {
    const shop = await createFiscalShop();
    await admin.request('PUT', `/api/cabinet/shops/${shop.shopId}/fiscal-settings`, {
      provider: 'atol',
      password: 'wrong',
    });
    const { receiptId } = await sell(shop, 4_200n);
    const failed = await runJobs(receiptId);
    expect(failed.status).toBe('fail');
    expect(failed.error).toMatch(/^ATOL 12 /);
    await admin.request('PUT', `/api/cabinet/shops/${shop.shopId}/fiscal-settings`, {
      provider: 'atol',
      password: shop.group.password,
    });
    await admin.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`);
    expect((await runJobs(receiptId)).status).toBe('done');
  });
});

describe('polling', () => {
  it('waits while ATOL says wait, then records done', async () => {
    const shop = await createFiscalShop({ waitPolls: 3 });
    const { receiptId } = await sell(shop, 8_800n);
    const view = await runJobs(receiptId);
    expect(view).toMatchObject({ status: 'done', polls: 4 });
  });

  it('stops after its polls run out; a retry from the cabinet polls the same uuid again', async () => {
    const shop = await createFiscalShop({ waitPolls: 1_000 });
    const { receiptId } = await sell(shop, 7_700n);
    await context.deps.db
      .withTables<{ fiscal_receipts: { id: string; poll_limit: number } }>()
      .updateTable('fiscal_receipts')
      .set({ poll_limit: 2 })
      .where('id', '=', receiptId)
      .execute();
    const stopped = await runJobs(receiptId);
    expect(stopped).toMatchObject({ status: 'wait', polls: 2, nextAttemptAt: null, canRetry: true });
    expect(stopped.error).toContain('ATOL has not finished the receipt');
    await sandbox.configureGroup(shop.group.groupCode, { behaviour: { waitPolls: 0 } });
    await sql`update atol_sandbox_documents set wait_polls = 0 where group_code = ${shop.group.groupCode}`.execute(
      context.deps.db,
    );
    const retried = await admin.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    const view = await runJobs(receiptId);
    expect(view).toMatchObject({ status: 'done', generation: 1, uuid: stopped.uuid });
    expect(await sandbox.listDocuments(shop.group.groupCode)).toHaveLength(1);
  });

  it("ATOL's callback moves the next poll to now; the report decides", async () => {
    const shop = await createFiscalShop({ waitPolls: 1 });
    const { receiptId } = await sell(shop, 6_600n);
    await context.worker.runDueJobs();
    context.clock.advanceMs(1_000);
    await context.worker.runDueJobs();
    const waiting = await receiptView(receiptId);
    expect(waiting).toMatchObject({ status: 'wait', polls: 1 });
    expect(new Date(waiting.nextAttemptAt!).getTime()).toBeGreaterThan(context.clock.now().getTime());

    const wrongUuid = await context.app.inject({
      method: 'POST',
      url: `/fiscal/atol/callback/${receiptId}`,
      payload: { uuid: 'someone-else', status: 'done' },
    });
    expect(wrongUuid.statusCode).toBe(200);
    expect((await receiptView(receiptId)).nextAttemptAt).toBe(waiting.nextAttemptAt);

    const callback = await context.app.inject({
      method: 'POST',
      url: `/fiscal/atol/callback/${receiptId}`,
      payload: { uuid: waiting.uuid, status: 'done' },
    });
    expect(callback.statusCode).toBe(200);
    expect((await receiptView(receiptId)).nextAttemptAt).toBe(context.clock.now().toISOString());
    // The group's report pace (one a second) still holds: the poll goes out in the next free second,
    // before the one the backoff had planned.
    await context.worker.runDueJobs();
    context.clock.advanceMs(1_000);
    await context.worker.runDueJobs();
    expect((await receiptView(receiptId)).status).toBe('done');
    expect(context.clock.now().getTime()).toBeLessThan(new Date(waiting.nextAttemptAt!).getTime());
  });

  it('asks for reports of one group at most once a second', async () => {
    const shop = await createFiscalShop();
    const first = await sell(shop, 1_000n);
    const second = await sell(shop, 2_000n);
    await context.worker.runDueJobs();
    context.clock.advanceMs(1_000);
    await context.worker.runDueJobs();
    const views = [await receiptView(first.receiptId), await receiptView(second.receiptId)];
    expect(views.map((view) => view.status).sort()).toEqual(['done', 'wait']);
    const waiting = views.find((view) => view.status === 'wait')!;
    expect(waiting.polls).toBe(0);
    expect(waiting.nextAttemptAt).toBe(new Date(context.clock.now().getTime() + 1_000).toISOString());
    context.clock.advanceMs(1_000);
    await context.worker.runDueJobs();
    expect((await receiptView(waiting.id)).status).toBe('done');
  });
});

describe('the cabinet', () => {
  it("lists the account's receipts with filters, for a viewer too", async () => {
    const shop = await createFiscalShop();
    const { paymentId, receiptId } = await sell(shop, 3_300n);
    const byPayment = await viewer.get(`/api/cabinet/fiscal-receipts?paymentId=${paymentId}`);
    expect(byPayment.statusCode, byPayment.body).toBe(200);
    expect((byPayment.json() as { items: FiscalReceiptView[] }).items.map((item) => item.id)).toEqual([
      receiptId,
    ]);
    const byShop = (
      await admin.get(`/api/cabinet/fiscal-receipts?shopId=${shop.shopId}&status=pending`)
    ).json() as {
      items: FiscalReceiptView[];
    };
    expect(byShop.items.map((item) => item.id)).toEqual([receiptId]);
    expect((await admin.get('/api/cabinet/fiscal-receipts?limit=0')).statusCode).toBe(422);
  });

  it("answers 404 for another account's receipt and refuses to retry one in progress or done", async () => {
    const shop = await createFiscalShop();
    const { receiptId } = await sell(shop, 2_500n);
    expect((await stranger.get(`/api/cabinet/fiscal-receipts/${receiptId}`)).statusCode).toBe(404);
    expect((await stranger.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`)).statusCode).toBe(404);
    const strangerList = (await stranger.get('/api/cabinet/fiscal-receipts')).json() as { items: unknown[] };
    expect(strangerList.items).toHaveLength(0);
    const inProgress = await admin.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`);
    expect(inProgress.statusCode).toBe(409);
    expect((inProgress.json() as { error: { code: string } }).error.code).toBe('receipt_not_retryable');
    await runJobs(receiptId);
    expect((await admin.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`)).statusCode).toBe(409);
    expect((await viewer.post(`/api/cabinet/fiscal-receipts/${receiptId}/retry`)).statusCode).toBe(403);
  });
});
