/**
 * Payment links: the demo merchant creates a one-time and a reusable link in the cabinet, copies the
 * address and sees the QR code; a buyer on a phone opens the one-time link, pays it with a card, and the
 * link then answers error 52; the merchant deactivates the reusable link and it answers error 51.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

async function signInAsDemoMerchant(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: kopek.baseUrl });
  const page = await context.newPage();
  await page.goto(`${kopek.baseUrl}/login`);
  await page.getByLabel('E-mail').fill('demo@kopek.local');
  await page.getByLabel('Пароль').fill('demo-password-1');
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  await page.waitForURL(/\/cabinet$/);
  return { context, page };
}

async function createLink(page: Page, amount: string, description: string, type: 'Один раз' | RegExp) {
  await page.getByLabel('Сумма, ₽').fill(amount);
  await page.getByLabel('Назначение платежа').fill(description);
  await page.getByLabel(type).check();
  await page.getByRole('button', { name: 'Создать ссылку' }).click();
  const dialog = page.getByRole('dialog', { name: 'Ссылка на оплату' });
  await expect.poll(() => dialog.isVisible()).toBe(true);
  // The QR code is an image the server draws: it must have loaded, not be a broken icon.
  await expect
    .poll(() =>
      dialog
        .getByRole('img')
        .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
    )
    .toBeGreaterThan(0);
  return dialog;
}

interface Clipboardable {
  readonly clipboard: { readText(): Promise<string> };
}

async function openOnPhone(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

describe.skipIf(!HAS_CHROMIUM)('payment links', () => {
  it('are created in the cabinet, paid once by a buyer, then refused; a deactivated one too', async () => {
    const { page } = await signInAsDemoMerchant();
    await page.getByRole('link', { name: 'Ссылки на оплату' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Ссылки на оплату', level: 1 }).isVisible())
      .toBe(true);
    await expect.poll(() => page.getByText('Ссылок пока нет').isVisible()).toBe(true);

    const reusableDialog = await createLink(page, '500', 'Абонемент в зал', /Много раз/);
    const reusableUrl = await reusableDialog.getByLabel('Ссылка').inputValue();
    await reusableDialog.getByRole('button', { name: 'Закрыть' }).click();

    const dialog = await createLink(page, '990,50', 'Урок английского', 'Один раз');
    const url = await dialog.getByLabel('Ссылка').inputValue();
    expect(url).toMatch(new RegExp(`^${kopek.baseUrl}/merchant/Invoice/[0-9a-z]{20}$`));
    await dialog.getByRole('button', { name: 'Копировать ссылку' }).click();
    await expect.poll(() => dialog.getByText('Ссылка скопирована.').isVisible()).toBe(true);
    // The e2e code has no DOM types: the browser's clipboard is reached through globalThis.
    const clipboard = () =>
      (globalThis as unknown as { navigator: Clipboardable }).navigator.clipboard.readText();
    expect(await page.evaluate(clipboard)).toBe(url);
    await page.screenshot({ path: screenshotPath('40-invoice-created'), fullPage: true });
    // Printing shows the QR code with the amount and description alone, for a shop window or an invoice.
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: screenshotPath('40-invoice-print') });
    await page.emulateMedia({ media: 'screen' });
    await dialog.getByRole('button', { name: 'Закрыть' }).click();
    await page.screenshot({ path: screenshotPath('41-invoices-list'), fullPage: true });

    // A buyer on a phone pays the one-time link.
    const buyer = await openOnPhone(url);
    await expect.poll(() => buyer.getByText('Урок английского').isVisible()).toBe(true);
    await buyer.screenshot({ path: screenshotPath('42-invoice-page'), fullPage: true });
    await buyer.getByRole('button', { name: 'Перейти к оплате' }).click();
    await buyer.waitForURL(/\/Merchant\/Index\/pay_/);
    await buyer.getByLabel('Номер карты').fill('4111 1111 1111 1111');
    await buyer.getByLabel('Срок действия').fill('12/30');
    await buyer.getByLabel('CVC').fill('123');
    await buyer.getByRole('button', { name: /Оплатить/ }).click();
    await buyer.waitForURL(/\/demo-store\/success/, { timeout: 30_000 });

    // The same link again: Robokassa's error 52.
    await buyer.goto(url);
    await expect.poll(() => buyer.getByText('Код ошибки Robokassa: 52').isVisible()).toBe(true);
    await expect.poll(() => buyer.getByText('Счёт уже оплачен.').isVisible()).toBe(true);
    await buyer.screenshot({ path: screenshotPath('43-invoice-paid-again'), fullPage: true });

    // The merchant sees it paid, and deactivates the reusable link.
    await page.reload();
    const paidRow = page.getByRole('row', { name: /Урок английского/ });
    await expect.poll(() => paidRow.getByText('Оплачена').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Отключить ссылку: Абонемент в зал' }).click();
    await page.getByRole('dialog', { name: 'Отключить' }).getByRole('button', { name: 'Отключить' }).click();
    await expect.poll(() => page.getByText('Ссылка отключена.').isVisible()).toBe(true);
    const reusableRow = page.getByRole('row', { name: /Абонемент в зал/ });
    await expect.poll(() => reusableRow.getByText('Отключена').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('44-invoices-after'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('45-invoices-phone'), fullPage: true });

    await buyer.goto(reusableUrl);
    await expect.poll(() => buyer.getByText('Код ошибки Robokassa: 51').isVisible()).toBe(true);
    await expect
      .poll(() => buyer.getByText('Магазин отключил эту ссылку на оплату.', { exact: false }).isVisible())
      .toBe(true);
  });
});
