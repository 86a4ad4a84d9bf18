/**
 * A buyer on a phone pays in the demo store: the Buy button sends a signed Robokassa request, the card
 * needs 3-D Secure, the demo store's ResultURL handler verifies the notification and marks the order
 * paid, and the buyer lands on the store's Success page. A second buyer's card is declined.
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

async function newPhonePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  return context.newPage();
}

async function buyAndOpenCheckout(page: Page): Promise<void> {
  await page.goto(`${kopek.baseUrl}/demo-store`);
  await page.getByRole('button', { name: 'Купить' }).click();
  await page.waitForURL(/\/Merchant\/Index\/pay_/);
}

async function fillCard(page: Page, cardNumber: string): Promise<void> {
  await page.getByLabel('Номер карты').fill(cardNumber);
  await page.getByLabel('Срок действия').fill('12/30');
  await page.getByLabel('CVC').fill('123');
  await page.getByLabel('E-mail').fill('buyer@example.ru');
}

describe.skipIf(!HAS_CHROMIUM)('paying in the demo store', () => {
  it('pays with 5555 5555 5555 4444 through 3-D Secure and reaches the Success page with the order paid', async () => {
    const page = await newPhonePage();
    await buyAndOpenCheckout(page);
    await page.screenshot({ path: screenshotPath('10-checkout'), fullPage: true });
    await fillCard(page, '5555 5555 5555 4444');
    await page.getByRole('button', { name: /Оплатить/ }).click();
    await page.getByLabel('Код из СМС').fill('000000');
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await expect.poll(() => page.getByText('Осталось попыток: 2').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('11-3ds'), fullPage: true });
    await page.getByLabel('Код из СМС').fill('123456');
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.waitForURL(/\/demo-store\/success/, { timeout: 30_000 });
    // ResultURL is delivered by the worker; the Success page only reports it, so wait for it to arrive.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByText('оплачен, ResultURL получен и проверен').isVisible();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    await page.screenshot({ path: screenshotPath('12-demo-store-success'), fullPage: true });
    const order = await kopek.runtime.deps.db
      .selectFrom('demo_store_orders')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({ status: 'paid', payment_method: 'BankCard' });

    // The merchant sees the operation with its whole timeline and the acknowledged ResultURL.
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('demo@kopek.local');
    await page.getByLabel('Пароль').fill('demo-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/cabinet$/);
    await page.goto(`${kopek.baseUrl}/cabinet/operations`);
    await page
      .getByRole('link', { name: `Операция ${String(order.id)}` })
      .first()
      .click();
    await expect.poll(() => page.getByRole('heading', { name: 'Хронология' }).isVisible()).toBe(true);
    await expect
      .poll(() => page.getByRole('heading', { name: 'Уведомления ResultURL' }).isVisible())
      .toBe(true);
    await page.screenshot({ path: screenshotPath('14-operation'), fullPage: true });

    // Refund part of it; the balance and its ledger show the refund.
    await page.getByLabel('Сумма возврата, RUB').fill('100.00');
    await page.getByRole('button', { name: 'Вернуть', exact: true }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /Вернуть/ })
      .click();
    await expect.poll(() => page.getByText('Возвращено 100,00 ₽ из 1 490,00 ₽.').isVisible()).toBe(true);
    const refunds = await kopek.runtime.deps.db.selectFrom('refunds').selectAll().execute();
    expect(refunds.map((refund) => refund.amount_minor)).toEqual([10_000n]);
    await page.goto(`${kopek.baseUrl}/cabinet/balance`);
    // 1490.00 less the 2.9% fee (43.21) less the 100.00 refund.
    await expect.poll(() => page.getByText('1 346,79 ₽').first().isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('15-balance'), fullPage: true });
    await expect.poll(() => page.getByText('Возврат покупателю').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('-100,00 ₽').first().isVisible()).toBe(true);
  });

  it('declines 4000 0000 0000 0002 with a clear message and lets the buyer return to the store', async () => {
    const page = await newPhonePage();
    await buyAndOpenCheckout(page);
    await fillCard(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: /Оплатить/ }).click();
    await expect.poll(() => page.getByText('Недостаточно средств').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('13-declined'), fullPage: true });
    await page.getByRole('link', { name: 'Вернуться в магазин' }).click();
    await page.waitForURL(/\/demo-store\/fail/, { timeout: 20_000 });
    await expect.poll(() => page.getByText('Оплата не завершена').first().isVisible()).toBe(true);
  });
});
