/**
 * Methods and providers in the back-office, in Chromium: the operator (an administrator) sees provider
 * health and the catalogue, finds the demo shop and switches SBP off for it; the merchant's shop page then
 * lists the enabled methods without SBP, and its inbox has the operator's message.
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
});
