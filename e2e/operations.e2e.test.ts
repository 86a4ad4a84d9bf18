/**
 * The operations list as an accountant uses it: search, a card filter behind "More filters", sorting by
 * amount, a saved filter, and an export of exactly that list downloaded as a CSV file.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createId } from '../src/platform/ids.js';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

/** Twelve payments of the demo shop: every third paid by a card ending in 4444, amounts 100..1200. */
async function seedPayments(): Promise<void> {
  const db = kopek.runtime.deps.db;
  const shop = await db
    .selectFrom('shops')
    .select(['id', 'account_id'])
    .where('merchant_login', '=', 'demo')
    .executeTakeFirstOrThrow();
  const start = Date.parse('2026-11-20T09:00:00Z');
  for (let index = 1; index <= 12; index += 1) {
    const createdAt = new Date(start + index * 3_600_000);
    await db
      .insertInto('payments')
      .values({
        id: createId('pay'),
        shop_id: shop.id,
        account_id: shop.account_id,
        inv_id: BigInt(5000 + index),
        is_inv_id_assigned: false,
        is_test: false,
        status: 'paid',
        out_sum_text: `${index * 100}`,
        amount_minor: BigInt(index * 10_000),
        currency: 'RUB',
        fee_minor: 0n,
        description: index % 2 === 0 ? `Чайный набор №${index}` : `Книга №${index}`,
        email: `buyer${index}@example.ru`,
        payment_method: 'BankCard',
        card_mask: index % 3 === 0 ? '555555******4444' : '411111******1111',
        shp: '[]',
        created_at: createdAt,
        updated_at: createdAt,
        paid_at: createdAt,
      })
      .execute();
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

async function invIdsShown(page: Page): Promise<string[]> {
  return page
    .locator('.op-table tbody tr td:nth-child(3) a')
    .evaluateAll((links) => links.map((link) => (link.textContent ?? '').replace(/\D/g, '')));
}

describe.skipIf(!HAS_CHROMIUM)('operations in Chromium', () => {
  it('filters, sorts, saves the filter and downloads the same list as CSV', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('demo@kopek.local');
    await page.getByLabel('Пароль').fill('demo-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/cabinet$/);
    await page.goto(`${kopek.baseUrl}/cabinet/operations`);
    await expect.poll(() => invIdsShown(page)).toHaveLength(12);

    await page.getByLabel('Поиск').fill('Чайный');
    await page.getByRole('button', { name: 'Найти' }).click();
    await expect.poll(() => invIdsShown(page)).toEqual(['5012', '5010', '5008', '5006', '5004', '5002']);

    await page.getByText('Ещё фильтры').click();
    await page.getByLabel('Последние 4 цифры карты').fill('4444');
    await page.getByRole('button', { name: 'Применить' }).click();
    await expect.poll(() => invIdsShown(page)).toEqual(['5012', '5006']);
    await page.getByLabel('Порядок').selectOption('amount_asc');
    await expect.poll(() => invIdsShown(page)).toEqual(['5006', '5012']);
    expect(page.url()).toContain('card=4444');

    // A wrong value is named next to its field, and nothing else changes.
    await page.getByLabel('Сумма от, ₽').fill('дорого');
    await page.getByRole('button', { name: 'Применить' }).click();
    await expect.poll(() => page.locator('#operations-amountMin-error').textContent()).toContain('1490.50');
    await page.getByLabel('Сумма от, ₽').fill('');
    await page.getByRole('button', { name: 'Применить' }).click();
    await expect.poll(() => invIdsShown(page)).toEqual(['5006', '5012']);

    await page.getByRole('button', { name: 'Сохранить текущий' }).click();
    await page.getByLabel('Название фильтра').fill('Чай по карте 4444');
    await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await expect.poll(() => page.getByText('Фильтр «Чай по карте 4444» сохранён.').isVisible()).toBe(true);
    await page.goto(`${kopek.baseUrl}/cabinet/operations`);
    await expect.poll(() => invIdsShown(page)).toHaveLength(12);
    await page.getByLabel('Сохранённые фильтры').selectOption({ label: 'Чай по карте 4444' });
    await expect.poll(() => invIdsShown(page)).toEqual(['5006', '5012']);

    await page.getByRole('button', { name: 'CSV', exact: true }).click();
    const link = page.getByRole('link', { name: /Скачать kopek-operations-\d{12}\.csv/ });
    await expect.poll(() => link.isVisible(), { timeout: 20_000 }).toBe(true);
    await page.screenshot({ path: screenshotPath('operations-filtered-export'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((line) => line.split(';')[3])).toEqual(['5006', '5012']);
    await context.close();
  }, 120_000);
});
