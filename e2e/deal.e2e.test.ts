/**
 * Safe deals: the demo merchant creates a deal in the cabinet; the buyer gets the link by e-mail, pays on
 * a phone, and opens a dispute; the operator decides it for the buyer in the back-office; the merchant
 * sees the money returned. A second deal is confirmed by the buyer and shows as released.
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

async function signIn(email: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(`${kopek.baseUrl}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  await page.waitForURL(/\/(cabinet|backoffice)$/);
  return { context, page };
}

/** The deal's link from the buyer's e-mail (the merchant never sees it). */
async function waitForDealLink(address: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const mail = kopek.mail.received.find((item) => item.to.includes(address));
    const link = mail?.text.match(/https?:\/\/\S+\/deal\/[\w-]{43}/)?.[0];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no deal link reached ${address}`);
}

async function createDeal(page: Page, amount: string, description: string, buyerEmail: string) {
  await page.getByLabel('Сумма, ₽').fill(amount);
  await page.getByLabel('Что продаёте').fill(description);
  await page.getByLabel('E-mail покупателя').fill(buyerEmail);
  await page.getByRole('button', { name: 'Создать сделку и отправить ссылку покупателю' }).click();
  await expect.poll(() => page.getByText(`ссылка отправлена на ${buyerEmail}`).isVisible()).toBe(true);
}

async function payOnPhone(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  const buyer = await context.newPage();
  await buyer.goto(url);
  await buyer.getByRole('button', { name: 'Оплатить картой' }).click();
  await buyer.waitForURL(/\/Merchant\/Index\/pay_/);
  await buyer.getByLabel('Номер карты').fill('4111 1111 1111 1111');
  await buyer.getByLabel('Срок действия').fill('12/30');
  await buyer.getByLabel('CVC').fill('123');
  await buyer.getByRole('button', { name: /Оплатить/ }).click();
  await buyer.waitForURL((target) => !target.pathname.startsWith('/Merchant/Index'), { timeout: 30_000 });
  await buyer.goto(url);
  await expect.poll(() => buyer.getByText('Оплачена, деньги на хранении').isVisible()).toBe(true);
  return buyer;
}

describe.skipIf(!HAS_CHROMIUM)('safe deals', () => {
  it('are created, paid into escrow, disputed and decided, or confirmed by the buyer', async () => {
    const { page } = await signIn('demo@kopek.local', 'demo-password-1');
    await page.getByRole('link', { name: 'Безопасные сделки' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Безопасные сделки', level: 1 }).isVisible())
      .toBe(true);
    await createDeal(page, '2490', 'Велосипед б/у', 'buyer-one@example.ru');
    await createDeal(page, '990,50', 'Настольная лампа', 'buyer-two@example.ru');
    await page.screenshot({ path: screenshotPath('60-deals-created'), fullPage: true });

    const disputed = await payOnPhone(await waitForDealLink('buyer-one@example.ru'));
    await disputed
      .getByLabel(/Опишите проблему/)
      .fill('Велосипед пришёл с треснувшей рамой, продавец не отвечает.');
    await disputed.getByRole('button', { name: 'Открыть спор' }).click();
    await expect.poll(() => disputed.getByText('Спор открыт.', { exact: false }).isVisible()).toBe(true);
    await disputed.screenshot({ path: screenshotPath('61-deal-disputed-buyer'), fullPage: true });

    const confirmed = await payOnPhone(await waitForDealLink('buyer-two@example.ru'));
    await confirmed.screenshot({ path: screenshotPath('62-deal-paid-buyer'), fullPage: true });
    await confirmed.getByRole('button', { name: /Я получил/ }).click();
    await expect.poll(() => confirmed.getByText('Деньги переведены продавцу.').isVisible()).toBe(true);

    const operator = (await signIn('operator@kopek.local', 'operator-password-1')).page;
    await operator.getByRole('link', { name: 'Споры по сделкам' }).click();
    await expect.poll(() => operator.getByText('треснувшей рамой', { exact: false }).isVisible()).toBe(true);
    await operator.screenshot({ path: screenshotPath('63-deal-disputes'), fullPage: true });
    await operator.getByRole('button', { name: 'Решить спор по сделке «Велосипед б/у»' }).click();
    const dialog = operator.getByRole('dialog', { name: 'Решение по спору' });
    await dialog.getByLabel(/Покупателя/).check();
    await dialog.getByLabel('Основание решения').fill('Фото повреждений, продавец не ответил за 3 дня');
    await dialog.getByRole('button', { name: 'Принять решение' }).click();
    await expect.poll(() => operator.getByText('Деньги возвращаются покупателю.').isVisible()).toBe(true);

    await page.reload();
    const refundedRow = page.getByRole('row', { name: /Велосипед б\/у/ });
    await expect.poll(() => refundedRow.getByText('Деньги возвращены покупателю').isVisible()).toBe(true);
    const releasedRow = page.getByRole('row', { name: /Настольная лампа/ });
    await expect.poll(() => releasedRow.getByText('Деньги переведены магазину').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('64-deals-after'), fullPage: true });
  });
});
