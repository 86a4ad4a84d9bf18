/**
 * The operator's platform dashboard and audit log in Chromium: figures of the seeded demo payment, the
 * job queue table, and an audit search by action prefix that finds the demo shop's creation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

describe.skipIf(!HAS_CHROMIUM)('platform pages in Chromium', () => {
  it('shows the dashboard and finds audit entries', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('operator@kopek.local');
    await page.getByLabel('Пароль').fill('operator-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/backoffice/);

    await page.getByRole('link', { name: 'Сводка платформы' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Успешность по способам оплаты' }).isVisible())
      .toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: 'Очередь задач' }).isVisible()).toBe(true);
    await page.getByLabel('Окно').selectOption('168');
    await expect.poll(() => page.url()).toContain('hours=168');
    await page.screenshot({ path: screenshotPath('backoffice-dashboard'), fullPage: true });

    await page.getByRole('link', { name: 'Журнал аудита' }).click();
    await page.getByLabel('Действие').fill('shop.');
    await page.getByRole('button', { name: 'Найти' }).click();
    await expect.poll(() => page.url()).toContain('action=shop.');
    const actions = page.locator('tbody td:nth-child(2) code');
    await expect.poll(() => actions.count()).toBeGreaterThan(0);
    const texts = await actions.allTextContents();
    expect(texts.every((text) => text.startsWith('shop.'))).toBe(true);
    await page.screenshot({ path: screenshotPath('backoffice-audit'), fullPage: true });
    await context.close();
  }, 120_000);
});
