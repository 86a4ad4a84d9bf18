/**
 * Tariffs and promo codes as the operator manages them and the merchant sees them: an increase for the
 * demo shop is refused with less than 14 days' notice and accepted 20 days ahead; a promo code is created
 * with a limit; the merchant finds the notice in the inbox and the mailbox, and the scheduled change on
 * the shop's page.
 */
import type { Browser, Page } from 'playwright-core';
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

async function signIn(page: Page, email: string, password: string, landing: RegExp): Promise<void> {
  await page.goto(`${kopek.baseUrl}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  await page.waitForURL(landing);
}

/** The Moscow calendar date `days` from now, as YYYY-MM-DD. */
function moscowDateIn(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(
    new Date(Date.now() + days * 86_400_000),
  );
}

describe.skipIf(!HAS_CHROMIUM)('tariffs in Chromium', () => {
  it('schedules an increase with notice, creates a promo code, and the merchant sees both notices', async () => {
    const operatorContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const operator = await operatorContext.newPage();
    await signIn(operator, 'operator@kopek.local', 'operator-password-1', /\/backoffice/);
    await operator.getByRole('link', { name: 'Тарифы и промокоды' }).click();
    await operator.getByLabel('Магазин', { exact: true }).fill('demo');
    await operator.getByLabel('Процент', { exact: true }).fill('3.5');
    await operator.getByLabel('Действует с', { exact: true }).fill(moscowDateIn(3));
    await operator.getByRole('button', { name: 'Запланировать' }).click();
    await expect
      .poll(() => operator.getByText(/Повышение тарифа объявляется не меньше чем за 14 дн\./).isVisible())
      .toBe(true);
    await operator.getByLabel('Действует с', { exact: true }).fill(moscowDateIn(20));
    await operator.getByRole('button', { name: 'Запланировать' }).click();
    await expect
      .poll(() => operator.getByText('Изменение сохранено, мерчантам отправляется уведомление.').isVisible())
      .toBe(true);
    await expect
      .poll(() => operator.getByRole('cell', { name: 'запланирован', exact: true }).isVisible())
      .toBe(true);

    await operator.getByLabel('Код', { exact: true }).fill('e2e-spring');
    await operator.getByLabel('Описание', { exact: true }).fill('Весенняя акция');
    await operator.getByLabel('Скидка, %', { exact: true }).fill('50');
    await operator.getByLabel('Дней скидки', { exact: true }).fill('30');
    await operator.getByLabel('Лимит регистраций', { exact: true }).fill('5');
    await operator.getByRole('button', { name: 'Создать промокод' }).click();
    await expect.poll(() => operator.getByText('Промокод E2E-SPRING создан.').isVisible()).toBe(true);
    await expect
      .poll(() => operator.getByRole('cell', { name: '0 из 5', exact: true }).isVisible())
      .toBe(true);
    await operator.screenshot({ path: screenshotPath('tariffs-backoffice'), fullPage: true });

    const title = 'Тариф на «Банковская карта» меняется с';
    const deadline = Date.now() + 60_000;
    let mail = kopek.mail.received.find((item) => item.subject.includes(title));
    while (!mail && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      mail = kopek.mail.received.find((item) => item.subject.includes(title));
    }
    expect(mail?.to).toContain('demo@kopek.local');
    expect(mail?.text).toContain('в магазине «Демо-магазин Kopek» составит 3,5%');

    const merchantContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const merchant = await merchantContext.newPage();
    await signIn(merchant, 'demo@kopek.local', 'demo-password-1', /\/cabinet$/);
    await merchant.goto(`${kopek.baseUrl}/cabinet/messages`);
    await expect.poll(() => merchant.getByText(title).first().isVisible(), { timeout: 20_000 }).toBe(true);
    await merchant.goto(`${kopek.baseUrl}/cabinet/shops`);
    await merchant.getByRole('link', { name: 'Демо-магазин Kopek' }).first().click();
    const fees = merchant.getByRole('region', { name: 'Комиссия Kopek' });
    await expect.poll(() => fees.getByText(/3,5% \(индивидуальный тариф\)/).isVisible()).toBe(true);
    await merchant.screenshot({ path: screenshotPath('tariffs-shop-page'), fullPage: true });
    await merchantContext.close();
    await operatorContext.close();
  }, 120_000);
});
