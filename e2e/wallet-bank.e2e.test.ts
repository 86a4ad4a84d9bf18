/**
 * The two redirect methods in a real browser: the buyer leaves the payment page for the provider's pages
 * and comes back. E-wallet: sign in to the sandbox wallet with a test account, pay, come back to a paid
 * page. Internet bank: sign in to the sandbox bank, sign the payment order; the bank takes a moment
 * (KOPEK_SANDBOX_BANK_DELAY_SECONDS=2 here), the payment page shows it pending and turns paid by itself.
 * In both the demo store's ResultURL handler receives the notification.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { expectDemoStoreNotified } from './support/demo-store.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek({ KOPEK_SANDBOX_BANK_DELAY_SECONDS: '2' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

/** A demo-store purchase on a phone, with `alias` chosen and its start button pressed. */
async function startWith(alias: string): Promise<{ page: Page; paymentId: string }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(`${kopek.baseUrl}/demo-store`);
  await page.getByRole('button', { name: 'Купить' }).click();
  await page.waitForURL(/\/Merchant\/Index\/pay_/);
  const paymentId = new URL(page.url()).pathname.split('/').pop()!;
  await page.locator(`a[data-method="${alias}"]`).click();
  await page.getByRole('button', { name: /^Перейти к оплате/ }).click();
  await page.getByRole('link', { name: 'Перейти к оплате' }).click();
  return { page, paymentId };
}

const paidHeading = (page: Page) => page.getByRole('heading', { name: 'Оплата прошла' });

describe.skipIf(!HAS_CHROMIUM)('paying through the provider’s pages', () => {
  it('e-wallet: signs in with a test wallet, pays and comes back to a paid page', async () => {
    const { page, paymentId } = await startWith('YooMoney');
    await expect.poll(() => page.getByRole('heading', { name: 'Вход в кошелёк' }).isVisible()).toBe(true);
    await page.getByLabel('Номер кошелька').fill('4100 1000 0000 0001');
    await page.getByLabel('Пароль').fill('wrong-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    await expect.poll(() => page.getByText('Неверный пароль.').isVisible()).toBe(true);
    await page.getByLabel('Пароль').fill('rich1234');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.screenshot({ path: screenshotPath('wallet-confirm'), fullPage: true });
    await page.getByRole('button', { name: /^Оплатить/ }).click();
    await expect.poll(() => paidHeading(page).isVisible(), { timeout: 30_000 }).toBe(true);
    expect(page.url()).toContain(`/Merchant/Index/${paymentId}`);
    await expectDemoStoreNotified(kopek, paymentId);
  });

  it('internet bank: signs the order, waits while the bank executes it, turns paid by itself', async () => {
    const { page, paymentId } = await startWith('AlfaBank');
    await page.getByLabel('Логин').fill('client');
    await page.getByLabel('Пароль').fill('client');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.screenshot({ path: screenshotPath('bank-order'), fullPage: true });
    await page.getByRole('button', { name: /^Подписать/ }).click();
    // The bank says the order is being executed and sends the buyer back to the payment page, which
    // waits for the bank and then shows the result by itself.
    await page.getByRole('link', { name: 'Вернуться в магазин' }).click();
    await page.waitForURL(new RegExp(`/Merchant/Index/${paymentId}`));
    await expect.poll(() => paidHeading(page).isVisible(), { timeout: 30_000 }).toBe(true);
    await expectDemoStoreNotified(kopek, paymentId);
  });
});
