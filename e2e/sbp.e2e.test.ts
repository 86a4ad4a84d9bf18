/**
 * A buyer pays by SBP in the demo store: the payment page's chooser offers SBP, the buyer gets a QR code
 * (an SVG) with a link, the link opens the sandbox bank app in another page where the buyer confirms
 * with a test bank; the payment page, left alone, follows the payment to "paid" by itself (checkout.js
 * polls /status), and the demo store's ResultURL handler receives and verifies the notification.
 * Screenshots of the chooser and the QR (phone and desktop) go to /tmp/docs for review.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { expectDemoStoreNotified } from './support/demo-store.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

const DOCS_DIR = '/tmp/docs';

/** Screenshots land in the usual test-results folder and, for the review of the layout, in /tmp/docs. */
async function capture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
  mkdirSync(DOCS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(DOCS_DIR, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'ru-RU' });
  return context.newPage();
}

describe.skipIf(!HAS_CHROMIUM)('paying by SBP', () => {
  it('shows a QR code, is confirmed in the bank app, turns paid by itself and notifies the store', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${kopek.baseUrl}/demo-store`);
    await page.getByRole('button', { name: 'Купить' }).click();
    await page.waitForURL(/\/Merchant\/Index\/pay_/);
    const checkoutUrl = page.url();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Выберите способ оплаты' }).isVisible())
      .toBe(true);
    await capture(page, 'sbp-01-chooser-phone');

    await page.locator('a[data-method="SBP"]').click();
    await page.getByRole('button', { name: /^Получить QR-код/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Оплата по QR-коду' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('.qr svg').isVisible()).toBe(true);
    await capture(page, 'sbp-02-qr-phone');

    // The same pending page on a desktop, where the buyer scans the QR with a phone.
    const desktop = await newPage({ width: 1280, height: 800 });
    await desktop.goto(page.url());
    await expect.poll(() => desktop.locator('.qr svg').isVisible()).toBe(true);
    await capture(desktop, 'sbp-03-qr-desktop');

    const link = await page.getByRole('link', { name: 'Открыть в приложении банка' }).getAttribute('href');
    expect(link).toMatch(/\/sandbox\/sbp\/[^/]+$/);
    const bankApp = await newPage({ width: 390, height: 844 });
    await bankApp.goto(new URL(link!, kopek.baseUrl).toString());
    await expect.poll(() => bankApp.getByRole('heading', { name: 'Оплата по СБП' }).isVisible()).toBe(true);
    await bankApp.getByRole('radio', { name: 'Т-Банк', exact: true }).check();
    await capture(bankApp, 'sbp-04-bank-app');
    await bankApp.getByRole('button', { name: 'Подтвердить оплату' }).click();
    await expect
      .poll(() => bankApp.getByText('Оплата подтверждена.', { exact: false }).isVisible())
      .toBe(true);

    // Nobody touches the payment page: its polling sees the bank's callback and shows the result.
    await expect
      .poll(() => page.getByRole('heading', { name: 'Оплата прошла' }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    expect(page.url()).toContain(checkoutUrl.split('?')[0]!);
    await capture(page, 'sbp-05-paid-phone');

    const db = kopek.runtime.deps.db;
    const payment = await db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', new URL(checkoutUrl).pathname.split('/').pop()!)
      .executeTakeFirstOrThrow();
    expect(payment.status).toBe('paid');
    const [attempt] = await db
      .selectFrom('method_attempts')
      .selectAll()
      .where('payment_id', '=', payment.id)
      .execute();
    expect(attempt).toMatchObject({ method_label: 'SBPPSR', status: 'paid' });

    await expectDemoStoreNotified(kopek, payment.id);
  });
});
