/**
 * Fiscal receipts in the browser: the demo merchant turns fiscalisation on with Kopek's ATOL sandbox in
 * the shop's settings, makes the callback address for its own registers and uploads their export (a bad
 * line refused, then imported); a buyer pays an order that came with a Receipt; the worker registers the receipt
 * at the sandbox over HTTP and e-mails it to the buyer; the merchant sees the receipt on the operation's
 * page with its fiscal data, the QR code and the check-page link.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInitRequest } from '../src/modules/protocol/index.js';
import { DEMO } from '../src/seed.js';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;
const BUYER = 'fiscal-buyer@example.ru';

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

async function signInAsDemoMerchant(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(`${kopek.baseUrl}/login`);
  await page.getByLabel('E-mail').fill(DEMO.administrator.email);
  await page.getByLabel('Пароль').fill(DEMO.administrator.password);
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  await page.waitForURL(/\/cabinet$/);
  return page;
}

/** The demo shop's signed payment request with a Receipt of two prepaid items, as its site would send. */
function paymentUrl(invId: string): string {
  const receipt = JSON.stringify({
    sno: 'osn',
    items: [
      { name: 'Кофе в зёрнах', quantity: 2, sum: 900, tax: 'vat20', payment_method: 'full_prepayment' },
      { name: 'Доставка', quantity: 1, sum: 290, tax: 'none', payment_object: 'service' },
    ],
  });
  const outSum = '1190.00';
  const signature = signInitRequest(
    'MD5',
    { merchantLogin: DEMO.shop.merchantLogin, outSum, invId, receipt, shp: [] },
    DEMO.shop.password1,
  );
  const query = new URLSearchParams({
    MerchantLogin: DEMO.shop.merchantLogin,
    OutSum: outSum,
    InvId: invId,
    Description: 'Кофе с доставкой',
    Email: BUYER,
    Receipt: receipt,
    SignatureValue: signature,
  });
  return `${kopek.baseUrl}/Merchant/Index.aspx?${query.toString()}`;
}

describe.skipIf(!HAS_CHROMIUM)('fiscal receipts', () => {
  it('are switched on in the shop, registered for a paid order, e-mailed and shown on the operation', async () => {
    const page = await signInAsDemoMerchant();
    await page.getByRole('link', { name: 'Магазины' }).first().click();
    await page.getByRole('link', { name: DEMO.shop.name }).click();
    const section = page.getByRole('region', { name: 'Фискализация (54-ФЗ)' });
    await section.getByLabel('Касса в АТОЛ Онлайн').check();
    await section.getByRole('button', { name: 'Заполнить данными песочницы АТОЛ' }).click();
    await section.getByLabel('E-mail отправителя чеков').fill('shop@example.ru');
    await section.getByLabel('Система налогообложения').selectOption('osn');
    await section.getByRole('button', { name: 'Сохранить настройки фискализации' }).click();
    await expect.poll(() => section.getByText('Настройки фискализации сохранены.').isVisible()).toBe(true);
    expect(await section.getByLabel('Пароль АТОЛ').inputValue()).toBe('');
    await section.getByRole('button', { name: 'Проверить подключение' }).click();
    await expect
      .poll(() =>
        section.getByText('Подключение работает: сервис принял сохранённые логин и пароль.').isVisible(),
      )
      .toBe(true);
    await section.screenshot({ path: screenshotPath('70-fiscal-settings') });

    // The shop's own registers: a callback address shown once, and an export with a bad line refused.
    const registers = page.getByRole('region', { name: 'Данные ваших касс АТОЛ' });
    await registers.getByRole('button', { name: 'Создать адрес для callback' }).click();
    const address = registers.getByLabel('Адрес для callback_url в АТОЛ Онлайн');
    await expect.poll(() => address.isVisible()).toBe(true);
    expect(await address.inputValue()).toMatch(/\/fiscal\/atol\/import\/[\w-]{43}$/);
    const csv = (operation: string) =>
      Buffer.from(
        `fn;fd;datetime;operation;total\n9999078900004312;1;01.03.2026 12:00:00;sell;100,00\n` +
          `9999078900004312;2;01.03.2026 13:00:00;${operation};50,00\n`,
      );
    const fileInput = registers.getByLabel('Файл выгрузки (CSV или JSON)');
    await fileInput.setInputFiles({ name: 'atol.csv', mimeType: 'text/csv', buffer: csv('gift') });
    await registers.getByRole('button', { name: 'Загрузить файл' }).click();
    const problems = registers.getByRole('table', { name: 'Ошибки в строках файла' });
    await expect.poll(() => problems.getByRole('cell', { name: '3', exact: true }).isVisible()).toBe(true);
    await registers.screenshot({ path: screenshotPath('72-register-import-errors') });
    await fileInput.setInputFiles({ name: 'atol.csv', mimeType: 'text/csv', buffer: csv('sell_refund') });
    await registers.getByRole('button', { name: 'Загрузить файл' }).click();
    await expect
      .poll(() => registers.getByText('Загружено новых чеков: 2, уже известных: 0.').isVisible())
      .toBe(true);
    await expect.poll(() => registers.getByText('Загружено чеков: 2.').isVisible()).toBe(true);

    const buyerContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
    const buyer = await buyerContext.newPage();
    await buyer.goto(paymentUrl('880001'));
    await buyer.waitForURL(/\/Merchant\/Index\/pay_/);
    const paymentId = /\/Merchant\/Index\/(pay_\w+)/.exec(buyer.url())?.[1] ?? '';
    await buyer.getByLabel('Номер карты').fill('4111 1111 1111 1111');
    await buyer.getByLabel('Срок действия').fill('12/30');
    await buyer.getByLabel('CVC').fill('123');
    await buyer.getByRole('button', { name: /Оплатить/ }).click();
    await buyer.waitForURL((url) => !url.pathname.startsWith('/Merchant/Index/'), { timeout: 30_000 });

    // The worker registers the receipt at the sandbox and e-mails it to the buyer.
    await expect
      .poll(
        () =>
          kopek.mail.received.find((mail) => mail.to === BUYER && mail.subject.startsWith('Кассовый чек')),
        {
          timeout: 30_000,
          interval: 500,
        },
      )
      .toBeTruthy();
    const mail = kopek.mail.received.find((item) => item.subject.startsWith('Кассовый чек'));
    expect(mail?.text).toContain('Сумма: 1190.00');
    expect(mail?.text).toMatch(/Проверить чек: https?:\/\//);

    await page.goto(`${kopek.baseUrl}/cabinet/operations/${paymentId}`);
    const receipts = page.getByRole('region', { name: 'Кассовые чеки' });
    await expect.poll(() => receipts.getByText('Пробит').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => receipts.getByText('Чек отправлен покупателю на e-mail.').isVisible()).toBe(true);
    await expect
      .poll(() =>
        receipts
          .getByRole('img', { name: /QR-код кассового чека/ })
          .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0);
    await expect
      .poll(() => receipts.getByText(/^t=\d{8}T\d{4}&s=1190\.00&fn=\d+&i=\d+&fp=\d+&n=1$/).isVisible())
      .toBe(true);
    const link = receipts.getByRole('link', { name: 'Проверить чек на сайте оператора фискальных данных' });
    expect(await link.getAttribute('href')).toMatch(/^https?:\/\//);
    await receipts.screenshot({ path: screenshotPath('71-fiscal-receipt') });
  });
});
