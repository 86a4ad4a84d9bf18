/**
 * Methods and providers in the back-office, in Chromium: the operator (an administrator) sees provider
 * health and the catalogue, finds the demo shop and switches SBP off for it; the merchant's shop page then
 * lists the enabled methods without SBP, and its inbox has the operator's message. Then the operator
 * opens the cash terminal provider's settings, switches it off for an outage (the demo store's payment
 * page no longer offers cash) and on again (it does).
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

async function signIn(email: string, password: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(`${kopek.baseUrl}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  return page;
}

describe.skipIf(!HAS_CHROMIUM)('payment methods in the back-office', () => {
  it('switches SBP off for the demo shop, and the merchant sees it', async () => {
    const operator = await signIn('operator@kopek.local', 'operator-password-1');
    await operator.waitForURL(/\/backoffice/);
    await operator.getByRole('link', { name: 'Способы оплаты', exact: true }).click();
    await expect
      .poll(() => operator.getByRole('heading', { name: 'Состояние провайдеров' }).isVisible())
      .toBe(true);
    await expect.poll(() => operator.getByRole('cell', { name: 'СБП', exact: true }).count()).toBe(2);

    await operator.getByLabel('Магазин', { exact: true }).fill('demo');
    await operator.getByRole('button', { name: 'Найти' }).click();
    await operator.getByRole('button', { name: 'Выбрать: demo', exact: true }).click();
    const sbp = operator.getByRole('checkbox', { name: 'СБП (SBPPSR)' });
    await expect.poll(() => sbp.isChecked()).toBe(true);
    await sbp.uncheck();
    await operator.getByRole('button', { name: 'Сохранить' }).click();
    await expect
      .poll(() =>
        operator.getByText('Сохранено. Мерчант получит сообщение, если что-то изменилось.').isVisible(),
      )
      .toBe(true);
    await operator.screenshot({ path: screenshotPath('backoffice-methods'), fullPage: true });

    const shop = await kopek.runtime.deps.db
      .selectFrom('shops')
      .select('id')
      .where('merchant_login', '=', 'demo')
      .executeTakeFirstOrThrow();
    const merchant = await signIn('demo@kopek.local', 'demo-password-1');
    await merchant.waitForURL(/\/cabinet$/);
    await merchant.goto(`${kopek.baseUrl}/cabinet/shops/${shop.id}`);
    const card = merchant.getByRole('region', { name: 'Способы оплаты' });
    await expect.poll(() => card.getByRole('cell', { name: 'YooMoneyPSR' }).isVisible()).toBe(true);
    expect(await card.getByRole('cell', { name: 'SBPPSR' }).count()).toBe(0);
    await merchant.screenshot({ path: screenshotPath('cabinet-shop-methods'), fullPage: true });

    await merchant.goto(`${kopek.baseUrl}/cabinet/messages`);
    await expect
      .poll(() =>
        merchant.getByText('Способы оплаты магазина «Демо-магазин Kopek» изменены').first().isVisible(),
      )
      .toBe(true);
  });

  /** How many cash-terminal entries the demo store's payment page offers a buyer now. */
  async function cashOffered(buyer: Page): Promise<number> {
    await buyer.goto(`${kopek.baseUrl}/demo-store`);
    await buyer.getByRole('button', { name: 'Купить' }).click();
    await buyer.waitForURL(/\/Merchant\/Index\/pay_/);
    await expect.poll(() => buyer.locator('a[data-method]').count()).toBeGreaterThan(0);
    return buyer.locator('a[data-method="Terminals"]').count();
  }

  it('switches the cash terminal provider off for an outage and on again', async () => {
    const buyer = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    expect(await cashOffered(buyer)).toBe(1);

    const operator = await signIn('operator@kopek.local', 'operator-password-1');
    await operator.waitForURL(/\/backoffice/);
    await operator.goto(`${kopek.baseUrl}/backoffice/methods`);
    const providers = operator.getByRole('region', { name: 'Провайдеры', exact: true });
    await providers.getByRole('button', { name: 'Настройки: sandbox-terminal' }).click();
    const settings = operator.getByRole('region', { name: 'Провайдер sandbox-terminal' });
    await expect
      .poll(() => settings.getByText('/providers/sandbox-terminal/callback').isVisible())
      .toBe(true);

    // The reason is required: without it the server refuses and says so by the field.
    await settings.getByRole('button', { name: 'Выключить провайдера' }).click();
    await expect
      .poll(() =>
        settings
          .getByText(/Укажите причину/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await settings.getByLabel('Причина', { exact: true }).fill('Плановые работы в сети терминалов');
    await settings.getByRole('button', { name: 'Выключить провайдера' }).click();
    await expect.poll(() => settings.getByText(/Провайдер выключен/).isVisible()).toBe(true);
    const row = providers.getByRole('row').filter({ hasText: 'sandbox-terminal' });
    await expect.poll(() => row.getByText('Плановые работы в сети терминалов').isVisible()).toBe(true);
    expect(await row.getByText('выключен', { exact: true }).isVisible()).toBe(true);
    await operator.screenshot({ path: screenshotPath('backoffice-provider-off'), fullPage: true });
    expect(await cashOffered(buyer)).toBe(0);

    await settings.getByLabel('Причина', { exact: true }).fill('Работы завершены');
    await settings.getByRole('button', { name: 'Включить провайдера' }).click();
    await expect.poll(() => settings.getByText(/Провайдер включён/).isVisible()).toBe(true);
    await expect.poll(() => row.getByText('включён', { exact: true }).isVisible()).toBe(true);
    expect(await cashOffered(buyer)).toBe(1);
  });
});
