/**
 * Bank details and payouts over HTTP against real PostgreSQL: validation and audit of bank details, a
 * payout through the sandbox bank to executed, a returned and a rejected payout restoring the balance,
 * racing payouts never exceeding the available money, and roles and scoping. Money is put into a shop's
 * available account by a direct ledger transfer (what settlement would have moved there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
  sumOfAccount,
} from '../../src/modules/ledger/index.js';
import { checkSentPayouts, SandboxBank } from '../../src/modules/payouts/index.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { transferEntries } from '../balances/helpers.js';
import { bankRecord, expectLedgerBalanced } from './helpers.js';

interface PayoutAnswer {
  id: string;
  shopId: string;
  amount: string;
  currency: string;
  fee: string;
  status: string;
  settlementAccount: string;
  returnReason: string | null;
}

const BANK_DETAILS = {
  bik: '044525225',
  settlementAccount: '40702810000000001234',
  correspondentAccount: '30101810400000000225',
  inn: '7707083893',
  kpp: '773601001',
  recipientName: 'ООО «Книжная лавка»',
};

let context: TestContext;
let admin: TestBrowser;
let adminUserId: string;
let viewer: TestBrowser;
let accountant: TestBrowser;
let stranger: TestBrowser;
let shopId: string;
let funding = 0;
let bank: SandboxBank;

/** A settlement account that fits the BIK: the control key (9th digit) is found by the CB check. */
function fitAccount(bik: string, account: string): string {
  for (let key = 0; key <= 9; key += 1) {
    const candidate = `${account.slice(0, 8)}${key}${account.slice(9)}`;
    const text = bik.slice(6) + candidate;
    let sum = 0;
    for (let index = 0; index < text.length; index += 1) sum += Number(text[index]) * [7, 1, 3][index % 3]!;
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('no key');
}
BANK_DETAILS.settlementAccount = fitAccount(BANK_DETAILS.bik, BANK_DETAILS.settlementAccount);

/** Money as settlement leaves it: paid into pending, then moved to available (so both rows exist). */
async function fund(shop: string, amountMinor: bigint, options: { isDirect?: boolean } = {}): Promise<void> {
  funding += 1;
  const pending = shopAccount(shop, 'pending', 'RUB');
  const available = shopAccount(shop, 'available', 'RUB');
  const clearing = platformAccount('acquirer_clearing', 'RUB');
  await context.deps.db.transaction().execute(async (trx) => {
    if (options.isDirect !== true)
      await postTransfer(trx, context.deps.clock, {
        idempotencyKey: `test-paid:${shop}:${funding}`,
        kind: 'payment',
        currency: 'RUB',
        legs: [
          { account: clearing, amountMinor },
          { account: pending, amountMinor: -amountMinor },
        ],
      });
    await postTransfer(trx, context.deps.clock, {
      idempotencyKey: `test-settled:${shop}:${funding}`,
      kind: 'settlement',
      currency: 'RUB',
      legs: [
        { account: options.isDirect === true ? clearing : pending, amountMinor },
        { account: available, amountMinor: -amountMinor },
      ],
    });
  });
}

const balances = (shop: string) => readShopBalances(context.deps.db, shop, 'RUB');

async function payout(browser: TestBrowser, body: Record<string, unknown>) {
  const response = await browser.post('/api/cabinet/payouts', body);
  return { response, payout: response.json() as PayoutAnswer };
}

async function statusOf(id: string): Promise<string> {
  const list = (await admin.get('/api/cabinet/payouts')).json() as { items: PayoutAnswer[] };
  return list.items.find((item) => item.id === id)?.status ?? 'missing';
}

beforeAll(async () => {
  context = await createTestContext();
  bank = new SandboxBank({ db: context.deps.db, clock: context.deps.clock });
  const registered = await registerMerchant(context);
  admin = registered.browser;
  adminUserId = registered.me.user.id;
  shopId = (await createShopVia(admin)).id;
  viewer = (await addEmployee(context, admin, 'viewer')).browser;
  accountant = (await addEmployee(context, admin, 'accountant')).browser;
  stranger = (await registerMerchant(context)).browser;
}, 60_000);

afterAll(async () => {
  await context?.close();
});

describe('bank details', () => {
  it('a payout without bank details is refused with a clear error', async () => {
    await fund(shopId, 100_000n);
    const { response } = await payout(admin, { shopId });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'bank_details_missing' } });
    expect((await balances(shopId)).availableMinor).toBe(100_000n);
  });

  it('starts empty, refuses wrong fields one by one, then saves and audits the changed fields', async () => {
    expect((await admin.get('/api/cabinet/bank-details')).json()).toEqual({ bankDetails: null });
    const wrong = await admin.request('PUT', '/api/cabinet/bank-details', {
      ...BANK_DETAILS,
      correspondentAccount: '30101810400000000226',
      inn: '7707083894',
    });
    expect(wrong.statusCode).toBe(422);
    const fields = (wrong.json() as { error: { fields: Record<string, { code: string }> } }).error.fields;
    expect(Object.keys(fields).sort()).toEqual(['correspondentAccount', 'inn']);
    expect(fields.inn?.code).toBe('checksum_mismatch');

    const saved = await admin.request('PUT', '/api/cabinet/bank-details', BANK_DETAILS);
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await viewer.get('/api/cabinet/bank-details')).json()).toMatchObject({
      bankDetails: BANK_DETAILS,
    });
    const renamed = await admin.request('PUT', '/api/cabinet/bank-details', {
      ...BANK_DETAILS,
      recipientName: 'ООО «Книжная лавка и кафе»',
    });
    expect(renamed.statusCode).toBe(200);
    await admin.request('PUT', '/api/cabinet/bank-details', BANK_DETAILS);
    const audit = await auditEntries(context, 'bank_details.updated', { actorUserId: adminUserId });
    expect(audit.map((entry) => entry.details)).toEqual([
      { fields: ['bik', 'settlementAccount', 'correspondentAccount', 'inn', 'kpp', 'recipientName'] },
      { fields: ['recipientName'] },
      { fields: ['recipientName'] },
    ]);
  });

  it('only administrators change bank details', async () => {
    for (const browser of [viewer, accountant]) {
      const response = await browser.request('PUT', '/api/cabinet/bank-details', BANK_DETAILS);
      expect(response.statusCode).toBe(403);
    }
  });
});

describe('payouts', () => {
  it('goes created → sent → executed; ledger legs and balances follow', async () => {
    const before = await balances(shopId);
    const { response, payout: created } = await payout(admin, { shopId, amount: '300.00' });
    expect(response.statusCode, response.body).toBe(201);
    expect(created).toMatchObject({ status: 'created', amount: '300.00', currency: 'RUB', shopId });
    expect(created.id).toMatch(/^pyt_/);
    expect(created.settlementAccount).toMatch(/^40702\*+\d{4}$/);
    expect(await balances(shopId)).toMatchObject({
      availableMinor: before.availableMinor - 30_000n,
      inPayoutMinor: 30_000n,
    });
    expect(await transferEntries(context, `payout:${created.id}:created`)).toEqual(
      [
        [`shop:${shopId}:available:RUB`, 30_000n],
        [`shop:${shopId}:in_payout:RUB`, -30_000n],
      ].sort(),
    );

    await context.worker.drain();
    expect(await statusOf(created.id)).toBe('sent');
    expect(await checkSentPayouts(context.deps, bank)).toBe(1);
    expect(await statusOf(created.id)).toBe('executed');
    expect(await checkSentPayouts(context.deps, bank)).toBe(0);
    expect(await transferEntries(context, `payout:${created.id}:executed`)).toEqual(
      [
        ['platform:acquirer_clearing:RUB', -30_000n],
        [`shop:${shopId}:in_payout:RUB`, 30_000n],
      ].sort(),
    );
    expect(await balances(shopId)).toMatchObject({
      availableMinor: before.availableMinor - 30_000n,
      inPayoutMinor: 0n,
    });

    const statement = await viewer.get(`/api/cabinet/payouts/${created.id}/statement?lang=en`);
    expect(statement.statusCode).toBe(200);
    expect(statement.headers['content-type']).toContain('text/plain');
    expect(statement.body).toContain('Amount: 300.00 RUB');
    expect(statement.body).toContain('Commission: 0.00 RUB');
    expect(statement.body).toMatch(/executed/);
    expect(statement.body).not.toContain(BANK_DETAILS.settlementAccount);
    expect(statement.body).toContain(created.settlementAccount);
    expect(await auditEntries(context, 'payout.created', { target: created.id })).toHaveLength(1);
  });

  it('carries no commission: what leaves available is what the bank receives and what leaves the platform', async () => {
    const feeRevenue = platformAccount('fee_revenue', 'RUB').id;
    const feeBefore = await sumOfAccount(context.deps.db, feeRevenue);
    const before = await balances(shopId);
    const { payout: created } = await payout(admin, { shopId, amount: '123.45' });
    expect(created).toMatchObject({ amount: '123.45', fee: '0.00' });
    await context.worker.drain();
    await checkSentPayouts(context.deps, bank);
    expect(await statusOf(created.id)).toBe('executed');
    // Debited from the shop's available money: the whole amount, nothing kept back.
    const debited = (await transferEntries(context, `payout:${created.id}:created`)).find(
      ([account]) => account === `shop:${shopId}:available:RUB`,
    )?.[1];
    // Credited to the bank: what the bank received for this payout id, and what left the platform's
    // clearing account when the bank executed it.
    const received = (await bankRecord(context, created.id))?.amount_minor;
    const leftPlatform = (await transferEntries(context, `payout:${created.id}:executed`)).find(
      ([account]) => account === 'platform:acquirer_clearing:RUB',
    )?.[1];
    expect(debited).toBe(12_345n);
    expect(received).toBe(debited);
    expect(leftPlatform).toBe(-12_345n);
    expect(await sumOfAccount(context.deps.db, feeRevenue)).toBe(feeBefore);
    // No payout transfer has a leg outside the shop's accounts and the clearing account.
    const legs = await sql<{ account_id: string }>`
      select distinct e.account_id from ledger_entries e join ledger_transfers t on t.id = e.transfer_id
      where t.kind = 'payout'`.execute(context.deps.db);
    for (const { account_id: account } of legs.rows)
      expect(account).toMatch(/^(shop:[^:]+:(available|in_payout):RUB|platform:acquirer_clearing:RUB)$/);
    expect(await balances(shopId)).toMatchObject({
      availableMinor: before.availableMinor - 12_345n,
      inPayoutMinor: 0n,
    });
    const statement = await admin.get(`/api/cabinet/payouts/${created.id}/statement?lang=ru`);
    expect(statement.body).toContain('Комиссия: 0.00 RUB');
    expect(statement.body).toContain('Основание: заказана в кабинете');
  });

  it('a payout the bank returns restores the available balance', async () => {
    const before = await balances(shopId);
    const { payout: created } = await payout(admin, { shopId, amount: '100.13' });
    await context.worker.drain();
    await checkSentPayouts(context.deps, bank);
    const list = (await admin.get('/api/cabinet/payouts')).json() as { items: PayoutAnswer[] };
    expect(list.items.find((item) => item.id === created.id)).toMatchObject({
      status: 'returned',
      returnReason: 'account closed',
    });
    expect(await balances(shopId)).toMatchObject({
      availableMinor: before.availableMinor,
      inPayoutMinor: 0n,
    });
    expect(await transferEntries(context, `payout:${created.id}:returned`)).toEqual(
      [
        [`shop:${shopId}:available:RUB`, -10_013n],
        [`shop:${shopId}:in_payout:RUB`, 10_013n],
      ].sort(),
    );
  });

  it('a payout the bank rejects at once is returned by the send job', async () => {
    const before = await balances(shopId);
    const { payout: created } = await payout(admin, { shopId, amount: '100.14' });
    await context.worker.drain();
    expect(await statusOf(created.id)).toBe('returned');
    expect((await balances(shopId)).availableMinor).toBe(before.availableMinor);
  });

  it('checks the amount: minimum, more than available, malformed; no amount pays out everything', async () => {
    const small = await payout(admin, { shopId, amount: '99.99' });
    expect(small.response.statusCode).toBe(422);
    expect(small.response.json()).toMatchObject({
      error: { code: 'below_minimum', fields: { amount: { code: 'below_minimum' } } },
    });
    const available = (await balances(shopId)).availableMinor;
    const tooMuch = await payout(admin, { shopId, amount: '100000.00' });
    expect(tooMuch.response.statusCode).toBe(409);
    expect(tooMuch.response.json()).toMatchObject({ error: { code: 'insufficient_funds' } });
    const malformed = await payout(admin, { shopId, amount: '1,5' });
    expect(malformed.response.statusCode).toBe(422);
    const all = await payout(admin, { shopId });
    expect(all.response.statusCode).toBe(201);
    expect(BigInt(all.payout.amount.replace('.', ''))).toBe(available);
    expect((await balances(shopId)).availableMinor).toBe(0n);
    const nothing = await payout(admin, { shopId });
    expect(nothing.response.json()).toMatchObject({ error: { code: 'below_minimum' } });
    await context.worker.drain();
    await checkSentPayouts(context.deps, bank);
  });

  it.each([
    ['through pending, as settlement leaves it', false],
    ['straight into available, without a pending account', true],
  ])('racing payouts never take more than is available (%s)', async (_name, isDirect) => {
    const raceShop = (await createShopVia(admin)).id;
    await fund(raceShop, 50_000n, { isDirect });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        admin.post('/api/cabinet/payouts', { shopId: raceShop, amount: '200.00' }),
      ),
    );
    const codes = answers.map((answer) => answer.statusCode).sort();
    expect(codes).toEqual([201, 201, 409, 409, 409, 409]);
    expect(await balances(raceShop)).toMatchObject({ availableMinor: 10_000n, inPayoutMinor: 40_000n });
  });

  it('viewers and accountants cannot order payouts; they can read them', async () => {
    for (const browser of [viewer, accountant]) {
      expect((await payout(browser, { shopId, amount: '100.00' })).response.statusCode).toBe(403);
      expect((await browser.get('/api/cabinet/payouts')).statusCode).toBe(200);
    }
  });

  it('the ledger balances after every payout', async () => {
    await context.worker.drain();
    await checkSentPayouts(context.deps, bank);
    await expectLedgerBalanced(context);
  });

  it("another account's shop and payouts are not found", async () => {
    const mine = (await admin.get(`/api/cabinet/payouts?shopId=${shopId}`)).json() as {
      items: PayoutAnswer[];
    };
    const first = mine.items[0];
    expect(first).toBeDefined();
    const statement = await stranger.get(`/api/cabinet/payouts/${first?.id ?? ''}/statement`);
    expect(statement.statusCode).toBe(404);
    expect(statement.json()).toMatchObject({ error: { code: 'payout_not_found' } });
    const foreign = await payout(stranger, { shopId, amount: '100.00' });
    expect(foreign.response.statusCode).toBe(404);
    expect((await stranger.get('/api/cabinet/payouts')).json()).toEqual({ items: [] });
  });
});
