/**
 * Closing documents as an accountant uses them: issue the set for a period in the cabinet, wait for the
 * job to finish, and download the act as a PDF whose text carries the period and the commission words.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

/** Today in Moscow and the first day of its month, as the server counts periods. */
function moscowMonthToDate(): { start: string; end: string } {
  const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
  return { start: `${today.slice(0, 8)}01`, end: today };
}

const display = (isoDate: string) => isoDate.split('-').reverse().join('.');

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

describe.skipIf(!HAS_CHROMIUM)('documents in Chromium', () => {
  it('issues the set for a period and downloads the act as PDF', async () => {
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
    await page.goto(`${kopek.baseUrl}/cabinet/documents`);
    await page.getByRole('heading', { name: 'Документы', level: 1 }).waitFor();

    const period = moscowMonthToDate();
    await page.getByLabel('С даты').fill(period.start);
    await page.getByLabel('По дату').fill(period.end);
    await page.getByRole('button', { name: 'Сформировать' }).click();
    await page.getByRole('status').filter({ hasText: 'формируются' }).waitFor();

    const periodText = `${display(period.start)} — ${display(period.end)}`;
    const actRow = page.locator('tr', { hasText: 'Акт оказанных услуг' }).filter({ hasText: periodText });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Обновить список' }).click();
          return actRow.count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(1);
    await page.screenshot({ path: screenshotPath('documents-list'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      actRow.getByRole('link', { name: 'Скачать PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^act-.+\.pdf$/);
    const text = (await pdfParse(await readFile(await download.path()))).text.replace(/\s+/g, ' ');
    expect(text).toContain(`с ${display(period.start)} по ${display(period.end)}`);
    expect(text).toMatch(/Всего оказано услуг на сумму: .+ (рубль|рубля|рублей) \d\d копе/);
    await context.close();
  }, 120_000);

  it("lets finance record the postal dispatch of a paper account's documents", async () => {
    // The demo account switches to paper document flow; its next set waits for the post.
    const db = kopek.runtime.deps.db;
    await db.updateTable('accounts').set({ document_flow: 'paper' }).where('login', '=', 'demo').execute();
    const merchantContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const merchant = await merchantContext.newPage();
    await merchant.goto(`${kopek.baseUrl}/login`);
    await merchant.getByLabel('E-mail').fill('demo@kopek.local');
    await merchant.getByLabel('Пароль').fill('demo-password-1');
    await merchant.getByRole('button', { name: 'Войти', exact: true }).click();
    await merchant.waitForURL(/\/cabinet$/);
    await merchant.goto(`${kopek.baseUrl}/cabinet/documents`);
    const lastMonthDay = new Date(Date.now() + 3 * 3_600_000 - 40 * 86_400_000).toISOString().slice(0, 10);
    await merchant.getByLabel('С даты').fill(lastMonthDay);
    await merchant.getByLabel('По дату').fill(lastMonthDay);
    await merchant.getByRole('button', { name: 'Сформировать' }).click();

    const operatorContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const operator = await operatorContext.newPage();
    await operator.goto(`${kopek.baseUrl}/login`);
    await operator.getByLabel('E-mail').fill('operator@kopek.local');
    await operator.getByLabel('Пароль').fill('operator-password-1');
    await operator.getByRole('button', { name: 'Войти', exact: true }).click();
    await operator.waitForURL(/\/backoffice/);
    // Only this period's set: the monthly task may also have issued last month's set for the account.
    const forms = operator.locator('form.card').filter({ hasText: lastMonthDay });
    await expect
      .poll(
        async () => {
          await operator.goto(`${kopek.baseUrl}/backoffice/documents`);
          await operator.getByRole('heading', { name: 'Документы на отправку почтой' }).waitFor();
          return forms.count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(4);
    const first = forms.first();
    await first.getByLabel('Трек-номер').fill('!');
    await first.getByRole('button', { name: 'Записать отправку' }).click();
    await expect.poll(() => first.locator('.field-error').count()).toBe(1);
    await first.getByLabel('Трек-номер').fill('RA123456789RU');
    await first.getByRole('button', { name: 'Записать отправку' }).click();
    await expect.poll(() => forms.count()).toBe(3);
    await operator.screenshot({ path: screenshotPath('documents-dispatch'), fullPage: true });
    await merchantContext.close();
    await operatorContext.close();
  }, 120_000);
});
