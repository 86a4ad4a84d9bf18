/**
 * The back-office's payout queue over HTTP on real PostgreSQL: payouts above the approval threshold wait
 * for finance with their money reserved; approval for the automatic bank or for a bank file; rejection,
 * export as a 1C client-bank file (windows-1251, never twice unless asked), execution and returns, each
 * with its ledger transfer, the merchant's message and the audit entry; and who may do any of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { platformAccount, sumOfAccount } from '../../src/modules/ledger/index.js';
import { reconcileStuckPayouts, SandboxBank } from '../../src/modules/payouts/index.js';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  balancesOf,
  expectLedgerBalanced,
  fund,
  payoutRow,
  saveBankDetails,
  sendJobsOf,
  transferEntries,
  BANK_DETAILS,
} from './helpers.js';

interface QueueItem {
  id: string;
  status: string;
  amount: string;
  shopName: string;
  accountLogin: string;
  delivery: string;
  orderNumber: string | null;
  exportFileId: string | null;
  bankReference: string | null;
  executedOn: string | null;
  recipient: { settlementAccount: string; inn: string };
}

let context: TestContext;
let merchant: TestBrowser;
let shopId: string;
let finance: TestBrowser;
let financeId: string;
let administrator: TestBrowser;
let support: TestBrowser;
let moderator: TestBrowser;

const LARGE = '150000.00';
const LARGE_MINOR = 15_000_000n;

beforeAll(async () => {
  context = await createTestContext();
  const registered = await registerMerchant(context);
  merchant = registered.browser;
  shopId = (await createShopVia(merchant)).id;
  await saveBankDetails(merchant);
  await fund(context, shopId, 100_000_000n); // 1 000 000.00 RUB
  const financePerson = await createOperator(context, 'finance');
  finance = financePerson.browser;
  financeId = financePerson.id;
  administrator = (await createOperator(context, 'administrator')).browser;
  support = (await createOperator(context, 'support')).browser;
  moderator = (await createOperator(context, 'moderator')).browser;
}, 60_000);

afterAll(async () => context?.close());

async function orderPayout(
  amount: string,
): Promise<{ id: string; status: string; approvalRequired: boolean }> {
  const response = await merchant.post('/api/cabinet/payouts', { shopId, amount });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function queue(browser: TestBrowser, status: string): Promise<QueueItem[]> {
  const response = await browser.get(`/api/backoffice/payouts/queue?status=${status}`);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { items: QueueItem[] }).items;
}

async function messagesAbout(payoutId: string) {
  const result = await sql<{ title_ru: string; body_ru: string; dedup_key: string }>`
    select title_ru, body_ru, dedup_key from messages where dedup_key like ${`payout:${payoutId}:%`}
    order by created_at, id`.execute(context.deps.db);
  return result.rows;
}

async function exportFile(browser: TestBrowser, body: Record<string, unknown> = {}) {
  const response = await browser.post('/api/backoffice/payout-exports', body);
  return response;
}

async function downloadText(browser: TestBrowser, fileId: string) {
  const response = await browser.get(`/api/backoffice/payout-exports/${fileId}/file`);
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; charset=windows-1251');
  const bytes = response.rawPayload;
  return { bytes, text: new TextDecoder('windows-1251').decode(bytes) };
}

const approve = (browser: TestBrowser, id: string, delivery: string) =>
  browser.post(`/api/backoffice/payouts/${id}/approve`, { delivery });

describe('the approval threshold', () => {
  it('lets a payout up to the threshold flow as before, and holds a larger one for finance', async () => {
    const before = await balancesOf(context, shopId);
    const small = await orderPayout('100000.00');
    expect(small).toMatchObject({ status: 'created', approvalRequired: false });
    expect(await sendJobsOf(context, small.id)).toHaveLength(1);

    const large = await orderPayout('100000.01');
    expect(large).toMatchObject({ status: 'awaiting_approval', approvalRequired: true });
    // No send job: nothing reaches the bank before finance approves. The money is reserved already.
    expect(await sendJobsOf(context, large.id)).toHaveLength(0);
    const after = await balancesOf(context, shopId);
    expect(before.availableMinor - after.availableMinor).toBe(20_000_001n);
    expect(after.inPayoutMinor - before.inPayoutMinor).toBe(20_000_001n);

    const waiting = await queue(finance, 'awaiting_approval');
    expect(waiting.map((item) => item.id)).toContain(large.id);
    expect(waiting.map((item) => item.id)).not.toContain(small.id);
    expect(waiting.find((item) => item.id === large.id)).toMatchObject({
      amount: '100000.01',
      shopName: 'Книжная лавка',
      recipient: { settlementAccount: BANK_DETAILS.settlementAccount, inn: BANK_DETAILS.inn },
    });
    // Tidy up: the large one is rejected so later tests count only their own payouts.
    expect(
      (await finance.post(`/api/backoffice/payouts/${large.id}/reject`, { reason: 'Тест' })).statusCode,
    ).toBe(200);
  });
});

describe('who may decide', () => {
  it('refuses support agents, moderators and merchants; lets finance and administrators in', async () => {
    const payout = await orderPayout(LARGE);
    for (const browser of [support, moderator, merchant]) {
      expect((await browser.get('/api/backoffice/payouts/queue')).statusCode).toBe(403);
      expect((await approve(browser, payout.id, 'bank_file')).statusCode).toBe(403);
      expect(
        (await browser.post(`/api/backoffice/payouts/${payout.id}/reject`, { reason: 'Не положено' }))
          .statusCode,
      ).toBe(403);
      expect((await exportFile(browser)).statusCode).toBe(403);
      expect((await browser.get('/api/backoffice/payout-exports')).statusCode).toBe(403);
    }
    expect((await payoutRow(context, payout.id)).status).toBe('awaiting_approval');
    expect((await administrator.get('/api/backoffice/payouts/queue')).statusCode).toBe(200);
    const anonymous = await context.app.inject({ method: 'GET', url: '/api/backoffice/payouts/queue' });
    expect(anonymous.statusCode).toBe(401);
    expect(
      (await finance.post(`/api/backoffice/payouts/${payout.id}/reject`, { reason: 'Тест' })).statusCode,
    ).toBe(200);
  });
});

describe('rejection', () => {
  it('gives the money back through the ledger, tells the merchant why, and cannot happen twice', async () => {
    const before = await balancesOf(context, shopId);
    const payout = await orderPayout(LARGE);
    const short = await finance.post(`/api/backoffice/payouts/${payout.id}/reject`, { reason: ' x ' });
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({ error: { fields: { reason: { code: 'required' } } } });

    const reason = 'Реквизиты получателя не совпадают с анкетой';
    const rejected = await finance.post(`/api/backoffice/payouts/${payout.id}/reject`, { reason });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toEqual({ id: payout.id, status: 'rejected' });
    expect(await balancesOf(context, shopId)).toEqual(before);
    expect(await transferEntries(context, `payout:${payout.id}:rejected`)).toEqual(
      [
        [`shop:${shopId}:in_payout:RUB`, LARGE_MINOR],
        [`shop:${shopId}:available:RUB`, -LARGE_MINOR],
      ].sort(),
    );
    const [message] = await messagesAbout(payout.id);
    expect(message?.title_ru).toBe('Выплата 150000.00 RUB отклонена');
    expect(message?.body_ru).toContain(reason);
    const cabinet = (await merchant.get('/api/cabinet/payouts')).json() as {
      items: { id: string; status: string; rejectReason: string | null }[];
    };
    expect(cabinet.items.find((item) => item.id === payout.id)).toMatchObject({
      status: 'rejected',
      rejectReason: reason,
    });
    expect(
      await auditEntries(context, 'payout.rejected', { target: payout.id, actorUserId: financeId }),
    ).toHaveLength(1);

    const again = await finance.post(`/api/backoffice/payouts/${payout.id}/reject`, { reason });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'wrong_status' } });
    expect((await approve(finance, payout.id, 'provider')).statusCode).toBe(409);
    expect((await finance.post('/api/backoffice/payouts/pyt_nope/reject', { reason })).statusCode).toBe(404);
    await expectLedgerBalanced(context);
  });
});

describe('approval for the automatic bank', () => {
  it('enqueues the send job, and reconciliation counts from the approval, not the creation', async () => {
    await context.worker.drain(); // earlier payouts reach the bank: only this one is left to look at
    const payout = await orderPayout(LARGE);
    // Finance decides three hours later: the payout is older than reconciliation's two hours.
    context.clock.advanceMs(3 * 3_600_000);
    const approved = await approve(finance, payout.id, 'provider');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toEqual({ id: payout.id, status: 'created' });
    expect(await sendJobsOf(context, payout.id)).toHaveLength(1);
    const bank = new SandboxBank({ db: context.deps.db, clock: context.deps.clock });
    expect(await reconcileStuckPayouts(context.deps, bank)).toBe(0);
    expect(await payoutRow(context, payout.id)).toMatchObject({
      status: 'created',
      reconcile_started_at: null,
    });
    await context.worker.drain();
    expect((await payoutRow(context, payout.id)).status).toBe('sent');
    expect(await auditEntries(context, 'payout.approved', { target: payout.id })).toHaveLength(1);
  });
});

describe('the bank file', () => {
  let first: string;
  let second: string;
  let fileId: string;

  it('approves for the bank file and exports every approved payout once, in windows-1251', async () => {
    first = (await orderPayout(LARGE)).id;
    second = (await orderPayout('200000.50')).id;
    for (const id of [first, second]) {
      const approved = await approve(finance, id, 'bank_file');
      expect(approved.json()).toEqual({ id, status: 'approved' });
    }
    expect(await sendJobsOf(context, first)).toHaveLength(0);
    // The test clock stands still: both were made at the same instant, so compare without order.
    expect((await queue(finance, 'approved')).map((item) => item.id).sort()).toEqual([first, second].sort());

    const created = await exportFile(finance);
    expect(created.statusCode, created.body).toBe(201);
    const file = created.json() as {
      id: string;
      number: string;
      payoutCount: number;
      total: string;
      downloadUrl: string;
    };
    expect(file).toMatchObject({ payoutCount: 2, total: '350000.50', isReexport: false });
    expect(file.downloadUrl).toBe(`/api/backoffice/payout-exports/${file.id}/file`);
    fileId = file.id;

    const { bytes, text } = await downloadText(finance, file.id);
    expect(bytes.includes(Buffer.from('\r\n'))).toBe(true);
    expect(text.split('\r\n').slice(0, 4)).toEqual([
      '1CClientBankExchange',
      'ВерсияФормата=1.03',
      'Кодировка=Windows',
      'Отправитель=Kopek',
    ]);
    expect(text.endsWith('КонецДокумента\r\nКонецФайла\r\n')).toBe(true);
    expect(text.match(/^СекцияДокумент=Платежное поручение$/gm)).toHaveLength(2);
    expect(text).toContain('\r\nСумма=150000.00\r\n');
    expect(text).toContain('\r\nСумма=200000.50\r\n');
    expect(text).toContain('\r\nРасчСчет=40702810000000000001\r\n'); // the operator's (demo) account
    expect(text).toContain(`\r\nПолучательСчет=${BANK_DETAILS.settlementAccount}\r\n`);
    expect(text).toContain('\r\nПолучатель=ООО «Книжная лавка»\r\n');
    expect(text).toContain(`\r\nПолучательБИК=${BANK_DETAILS.bik}\r\n`);
    expect(text).toContain(`\r\nПолучательКорсчет=${BANK_DETAILS.correspondentAccount}\r\n`);
    expect(text).toContain(`\r\nПолучательКПП=${BANK_DETAILS.kpp}\r\n`);
    expect(text).toContain(`выплата ${first}`);
    // 2 March 2026 in Moscow, from the test clock (plus the three hours it was advanced).
    expect(text).toMatch(/\r\nДата=02\.03\.2026\r\n/);
    // Cyrillic is one byte each: «С» of «Сумма» is 0xD1, not UTF-8's two bytes.
    expect(bytes.includes(Buffer.from([0xd1, 0xf3, 0xec, 0xec, 0xe0, 0x3d]))).toBe(true);

    const exported = await queue(finance, 'exported');
    expect(exported.map((item) => item.id).sort()).toEqual([first, second].sort());
    expect(exported.every((item) => item.exportFileId === file.id && item.orderNumber !== null)).toBe(true);
    expect((await payoutRow(context, first)).status).toBe('exported');
    expect(await auditEntries(context, 'payout.exported', { target: first })).toHaveLength(1);

    // Nothing twice: a second export finds nothing, and naming an exported payout needs "reexport".
    const nothing = await exportFile(finance);
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json()).toMatchObject({ error: { code: 'nothing_to_export' } });
    const named = await exportFile(finance, { payoutIds: [first] });
    expect(named.statusCode).toBe(409);
    expect(named.json()).toMatchObject({ error: { code: 'not_exportable' } });
    expect((await exportFile(finance, { reexport: true })).statusCode).toBe(422);
  });

  it('re-exports on request into a new file, keeping the payment order number', async () => {
    const numberBefore = (await queue(finance, 'exported')).find((item) => item.id === first)?.orderNumber;
    const again = await exportFile(finance, { payoutIds: [first], reexport: true });
    expect(again.statusCode, again.body).toBe(201);
    const file = again.json() as { id: string; payoutCount: number; isReexport: boolean };
    expect(file).toMatchObject({ payoutCount: 1, isReexport: true });
    expect(file.id).not.toBe(fileId);
    const { text } = await downloadText(finance, file.id);
    expect(text).toContain(`\r\nНомер=${numberBefore}\r\n`);
    expect(text.match(/^СекцияДокумент=/gm)).toHaveLength(1);
    const files = (await finance.get('/api/backoffice/payout-exports')).json() as { items: { id: string }[] };
    expect(files.items.map((item) => item.id).slice(0, 2)).toEqual([file.id, fileId]);
    // The first file is still there as it was downloaded.
    expect((await downloadText(finance, fileId)).text).toContain('Сумма=200000.50');
  });

  it('records execution with the bank reference and date, then a later return from the recipient bank', async () => {
    const before = await balancesOf(context, shopId);
    const clearingBefore = await sumOfAccount(
      context.deps.db,
      platformAccount('acquirer_clearing', 'RUB').id,
    );
    const future = await finance.post(`/api/backoffice/payouts/${first}/executed`, {
      bankReference: '123',
      executedOn: '2030-01-01',
    });
    expect(future.statusCode).toBe(422);
    expect(future.json()).toMatchObject({ error: { fields: { executedOn: { code: 'invalid_date' } } } });
    expect(
      (
        await support.post(`/api/backoffice/payouts/${first}/executed`, {
          bankReference: '1',
          executedOn: '2026-03-02',
        })
      ).statusCode,
    ).toBe(403);

    const executed = await finance.post(`/api/backoffice/payouts/${first}/executed`, {
      bankReference: 'ПП 000123',
      executedOn: '2026-03-02',
    });
    expect(executed.statusCode, executed.body).toBe(200);
    expect(await transferEntries(context, `payout:${first}:executed`)).toEqual(
      [
        [`shop:${shopId}:in_payout:RUB`, LARGE_MINOR],
        ['platform:acquirer_clearing:RUB', -LARGE_MINOR],
      ].sort(),
    );
    const afterExecution = await balancesOf(context, shopId);
    expect(before.inPayoutMinor - afterExecution.inPayoutMinor).toBe(LARGE_MINOR);
    expect(afterExecution.availableMinor).toBe(before.availableMinor);
    const item = (await queue(finance, 'executed')).find((entry) => entry.id === first);
    expect(item).toMatchObject({ bankReference: 'ПП 000123', executedOn: '2026-03-02' });
    expect((await messagesAbout(first)).map((message) => message.dedup_key)).toEqual([
      `payout:${first}:executed`,
    ]);
    expect(
      (
        await finance.post(`/api/backoffice/payouts/${first}/executed`, {
          bankReference: '1',
          executedOn: '2026-03-02',
        })
      ).statusCode,
    ).toBe(409);

    const returned = await finance.post(`/api/backoffice/payouts/${first}/returned`, {
      reason: 'Счёт получателя закрыт',
      returnedOn: '2026-03-02',
    });
    expect(returned.statusCode, returned.body).toBe(200);
    // The money came back from the recipient's bank: out of clearing, into available.
    expect(await transferEntries(context, `payout:${first}:returned`)).toEqual(
      [
        ['platform:acquirer_clearing:RUB', LARGE_MINOR],
        [`shop:${shopId}:available:RUB`, -LARGE_MINOR],
      ].sort(),
    );
    expect((await balancesOf(context, shopId)).availableMinor - before.availableMinor).toBe(LARGE_MINOR);
    expect(await sumOfAccount(context.deps.db, platformAccount('acquirer_clearing', 'RUB').id)).toBe(
      clearingBefore,
    );
    const messages = await messagesAbout(first);
    expect(messages.map((message) => message.dedup_key)).toContain(`payout:${first}:returned`);
    expect(messages.find((message) => message.dedup_key.endsWith(':returned'))?.body_ru).toContain(
      'Счёт получателя закрыт',
    );
    await expectLedgerBalanced(context);
  });

  it('records a return before execution: from in payout back to available', async () => {
    const before = await balancesOf(context, shopId);
    const returned = await finance.post(`/api/backoffice/payouts/${second}/returned`, {
      reason: 'Банк не принял поручение',
      returnedOn: '2026-03-02',
    });
    expect(returned.statusCode, returned.body).toBe(200);
    const after = await balancesOf(context, shopId);
    expect(after.availableMinor - before.availableMinor).toBe(20_000_050n);
    expect(before.inPayoutMinor - after.inPayoutMinor).toBe(20_000_050n);
    expect(
      (
        await finance.post(`/api/backoffice/payouts/${second}/returned`, {
          reason: 'Ещё раз',
          returnedOn: '2026-03-02',
        })
      ).statusCode,
    ).toBe(409);
    expect(await auditEntries(context, 'payout.returned', { target: second })).toHaveLength(1);
    await expectLedgerBalanced(context);
  });

  it('never records a bank outcome for a payout the automatic bank sends', async () => {
    const payout = await orderPayout('500.00');
    const refused = await finance.post(`/api/backoffice/payouts/${payout.id}/returned`, {
      reason: 'Не тот путь',
      returnedOn: '2026-03-02',
    });
    expect(refused.statusCode).toBe(409);
  });
});

describe('KOPEK_PAYOUT_APPROVAL_THRESHOLD', () => {
  const threshold = (value?: string) =>
    loadConfig({
      NODE_ENV: 'test',
      KOPEK_MASTER_KEY: '11'.repeat(32),
      ...(value === undefined ? {} : { KOPEK_PAYOUT_APPROVAL_THRESHOLD: value }),
    }).payoutApprovalThresholdMinor;

  it('is 100 000.00 by default and reads rubles with a dot', () => {
    expect(threshold()).toBe(10_000_000n);
    expect(threshold('250000')).toBe(25_000_000n);
    expect(threshold('0.5')).toBe(50n);
    expect(threshold('0')).toBe(0n);
  });

  it('stops the boot on a malformed amount, naming the variable', () => {
    for (const bad of ['100 000', '100,00', '-1', '1.234', 'lots'])
      expect(() => threshold(bad)).toThrow(/KOPEK_PAYOUT_APPROVAL_THRESHOLD/);
  });
});
