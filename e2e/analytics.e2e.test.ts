/**
 * Analytics as a director opens it: the last 30 days of the demo shop with turnover and payment charts,
 * figures against the previous period, and a switch to weeks.
 */
import type { Browser } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createId } from '../src/platform/ids.js';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

/**
 * One paid payment of 1,000.00 a day for the last 20 days, and an unpaid one every other day; and ten
 * receipts of 500.00 from the shop's own register (imported), paid 300.00 in cash and 200.00 by card.
 */
async function seedPayments(): Promise<void> {
  const db = kopek.runtime.deps.db;
  const shop = await db
    .selectFrom('shops')
    .select(['id', 'account_id'])
    .where('merchant_login', '=', 'demo')
    .executeTakeFirstOrThrow();
  for (let day = 0; day < 20; day += 1) {
    for (const isPaid of day % 2 === 0 ? [true, false] : [true]) {
      const at = new Date(Date.now() - day * 86_400_000 - 3_600_000);
      await db
        .insertInto('payments')
        .values({
          id: createId('pay'),
          shop_id: shop.id,
          account_id: shop.account_id,
          inv_id: BigInt(7000 + day * 2 + (isPaid ? 0 : 1)),
          is_inv_id_assigned: false,
          is_test: false,
          status: isPaid ? 'paid' : 'created',
          out_sum_text: '1000',
          amount_minor: 100_000n,
          currency: 'RUB',
          fee_minor: 0n,
          description: 'Подписка',
          payment_method: isPaid ? 'BankCard' : null,
          shp: '[]',
          created_at: at,
          updated_at: at,
          paid_at: isPaid ? at : null,
        })
        .execute();
    }
  }
  for (let day = 0; day < 10; day += 1) {
    await sql`insert into imported_receipts (id, account_id, shop_id, source, fn_number, fiscal_document_number,
        operation, receipt_at, total_minor, cash_minor, electronic_minor, created_at)
      values (${createId('imr')}, ${shop.account_id}, ${shop.id}, 'file', '9999078900001234', ${day + 1}, 'sell',
        ${new Date(Date.now() - day * 86_400_000 - 7_200_000)}, 50000, 30000, 20000, now())`.execute(db);
  }
}

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
  await seedPayments();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

describe.skipIf(!HAS_CHROMIUM)('analytics in Chromium', () => {
  it('shows the figures and the charts of the last 30 days, then by week', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('demo@kopek.local');
    await page.getByLabel('Пароль').fill('demo-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/cabinet$/);
    await page.getByRole('link', { name: 'Аналитика' }).click();

    const kpi = (label: string) => page.locator('.kpi', { hasText: label }).locator('.kpi-value');
    await expect.poll(() => kpi('Оборот').textContent()).toBe('20\u00a0000,00\u00a0₽');
    expect(await kpi('Оплаченных платежей').textContent()).toBe('20');
    expect(await kpi('Конверсия').textContent()).toMatch(/^66,7\s?%$/);
    expect(await kpi('Средний платёж').textContent()).toBe('1\u00a0000,00\u00a0₽');
    // Sales at the registers, beside (not in) the online turnover.
    expect(await kpi('Продажи через кассы').textContent()).toBe('5\u00a0000,00\u00a0₽ · 10');
    expect(await page.locator('.kpi', { hasText: 'Продажи через кассы' }).textContent()).toContain(
      'наличными 3\u00a0000,00\u00a0₽, картой 2\u00a0000,00\u00a0₽; средний чек 500,00\u00a0₽',
    );
    // Both charts are drawn: a line for each period and one for the registers, bars for created and paid.
    await expect.poll(() => page.locator('.recharts-line').count()).toBe(3);
    expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(20);
    await page.screenshot({ path: screenshotPath('analytics-30-days'), fullPage: true });

    await page.getByLabel('Группировка').selectOption('week');
    await expect.poll(() => page.url()).toContain('granularity=week');
    await expect.poll(() => page.locator('.recharts-bar-rectangle').count()).toBeLessThan(12);
    await context.close();
  }, 120_000);
});
