/**
 * A large payout in the operator's back-office: the demo merchant's payout above the approval threshold
 * waits for finance; a finance person signs in, approves it for a payment order, exports the approved
 * payouts and downloads the 1C client-bank file, whose windows-1251 text carries the payment order.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/accounts/password.js';
import { platformAccount, postTransfer, shopAccount } from '../src/modules/ledger/index.js';
import { createPayout } from '../src/modules/payouts/index.js';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

const FINANCE = { email: 'finance@kopek.local', password: 'finance-password-1' };
/** Sberbank's BIK and correspondent account, and a settlement account whose control key fits them. */
const BANK_DETAILS = {
  bik: '044525225',
  settlementAccount: '40702810500000001234',
  correspondentAccount: '30101810400000000225',
  inn: '7707083893',
  kpp: '773601001',
  recipientName: 'ООО «Демо-магазин»',
};

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

/** The finance person (staff are created by an administrator; here straight into the database). */
async function createFinanceUser() {
  const { db, clock } = kopek.runtime.deps;
  await db
    .insertInto('users')
    .values({
      id: 'usr_finance_e2e',
      account_id: null,
      login: 'finance',
      email: FINANCE.email,
      role: 'operator',
      staff_role: 'finance',
      status: 'active',
      password_hash: await hashPassword(FINANCE.password),
      language: 'ru',
      created_at: clock.now(),
    })
    .execute();
}

/** The demo merchant's bank details, 200 000 RUB available in its first shop and a 150 000 RUB payout. */
async function orderLargePayout(): Promise<string> {
  const { deps } = kopek.runtime;
  const account = await deps.db
    .selectFrom('accounts')
    .select('id')
    .where('login', '=', 'demo')
    .executeTakeFirstOrThrow();
  const shop = await deps.db
    .selectFrom('shops')
    .select('id')
    .where('account_id', '=', account.id)
    .orderBy('created_at')
    .executeTakeFirstOrThrow();
  await sql`
    insert into bank_details (account_id, bik, settlement_account, correspondent_account, inn, kpp,
      recipient_name, updated_by, updated_at)
    values (${account.id}, ${BANK_DETAILS.bik}, ${BANK_DETAILS.settlementAccount},
      ${BANK_DETAILS.correspondentAccount}, ${BANK_DETAILS.inn}, ${BANK_DETAILS.kpp},
      ${BANK_DETAILS.recipientName}, null, now())
    on conflict (account_id) do nothing`.execute(deps.db);
  await deps.db.transaction().execute((trx) =>
    postTransfer(trx, deps.clock, {
      idempotencyKey: 'e2e-payout-funds',
      kind: 'settlement',
      currency: 'RUB',
      legs: [
        { account: platformAccount('acquirer_clearing', 'RUB'), amountMinor: 20_000_000n },
        { account: shopAccount(shop.id, 'available', 'RUB'), amountMinor: -20_000_000n },
      ],
    }),
  );
  const payout = await createPayout(deps, {
    accountId: account.id,
    userId: null,
    shopId: shop.id,
    amount: '150000.00',
    ip: null,
  });
  expect(payout.status).toBe('awaiting_approval');
  return payout.id;
}

describe.skipIf(!HAS_CHROMIUM)('payouts in the back-office', () => {
  it('lets finance approve a large payout and download it as a 1C payment order', async () => {
    await createFinanceUser();
    const payoutId = await orderLargePayout();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill(FINANCE.email);
    await page.getByLabel('Пароль').fill(FINANCE.password);
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/backoffice/);
    await page.getByRole('link', { name: 'Выплаты', exact: true }).click();
    await page.getByRole('heading', { name: 'Выплаты мерчантам', level: 1 }).waitFor();

    const row = page.getByRole('row').filter({ hasText: 'ООО «Демо-магазин»' });
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.getByText('150\u00a0000,00\u00a0₽').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('backoffice-payouts-queue'), fullPage: true });

    await row.getByRole('button', { name: 'Одобрить', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.getByRole('radio', { name: 'Платёжным поручением (выгрузка в 1С)' }).isChecked())
      .toBe(true);
    await dialog.getByRole('button', { name: 'Одобрить выплату' }).click();
    await expect.poll(() => page.getByText('Выплата одобрена.').isVisible()).toBe(true);
    await expect.poll(() => row.count()).toBe(0);

    await page.getByLabel('Показать').selectOption('approved');
    await expect.poll(() => row.count()).toBe(1);
    await page.getByRole('button', { name: 'Выгрузить одобренные в 1С' }).click();
    const link = page.getByRole('link', { name: 'Скачать файл № 1' });
    await link.waitFor();
    await page.screenshot({ path: screenshotPath('backoffice-payouts-exported'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('kopek-payouts-1.txt');

    const bytes = await readFile(await download.path());
    const text = new TextDecoder('windows-1251').decode(bytes);
    const lines = text.split('\r\n');
    expect(lines.slice(0, 3)).toEqual(['1CClientBankExchange', 'ВерсияФормата=1.03', 'Кодировка=Windows']);
    expect(text.endsWith('КонецДокумента\r\nКонецФайла\r\n')).toBe(true);
    expect(lines).toContain('СекцияДокумент=Платежное поручение');
    expect(lines).toContain('Сумма=150000.00');
    expect(lines).toContain('ПлательщикСчет=40702810000000000001');
    expect(lines).toContain(`ПолучательСчет=${BANK_DETAILS.settlementAccount}`);
    expect(lines).toContain(`ПолучательИНН=${BANK_DETAILS.inn}`);
    expect(lines).toContain(`ПолучательБИК=${BANK_DETAILS.bik}`);
    expect(lines).toContain('Получатель1=ООО «Демо-магазин»');
    expect(lines.find((line) => line.startsWith('НазначениеПлатежа='))).toContain(payoutId);
    // windows-1251, not UTF-8: «Сумма» is five bytes, С = 0xD1.
    expect(bytes.includes(Buffer.from([0xd1, 0xf3, 0xec, 0xec, 0xe0]))).toBe(true);

    await page.getByLabel('Показать').selectOption('exported');
    await expect.poll(() => row.getByText('файл № 1').isVisible()).toBe(true);
    await context.close();
  }, 120_000);
});
