/**
 * The KYC questionnaire, end to end in Chromium: the demo merchant (a legal entity) fills in the form,
 * sees a wrong OGRN check digit refused next to the field, attaches a registration certificate scan, and
 * submits the questionnaire for moderation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const FIELDS: Record<string, string> = {
  'Наименование организации': 'ООО «Книжная лавка»',
  ИНН: '7707083893',
  КПП: '773601001',
  ОГРН: '1027700132196',
  'Юридический адрес': '117312, Москва, ул. Вавилова, д. 19',
  'Почтовый адрес': '117312, Москва, ул. Вавилова, д. 19',
  'Руководитель (ФИО)': 'Иванов Иван Иванович',
  'Контактный телефон': '+7 495 500-55-50',
  'БИК банка': '044525225',
  'Расчётный счёт': '40702810500000001234',
  'Корреспондентский счёт': '30101810400000000225',
};

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

describe.skipIf(!HAS_CHROMIUM)('the KYC questionnaire in Chromium', () => {
  it('the merchant fills in and submits the questionnaire', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('demo@kopek.local');
    await page.getByLabel('Пароль').fill('demo-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/cabinet$/);
    await page.getByRole('link', { name: 'Анкета', exact: true }).first().click();
    await page.waitForURL(/\/cabinet\/kyc$/);

    for (const [label, value] of Object.entries(FIELDS))
      await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByLabel('Приложить документ').setInputFiles({
      name: 'registration.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await expect.poll(() => page.getByRole('link', { name: 'registration.pdf' }).isVisible()).toBe(true);

    // A wrong check digit is refused next to its field, and the questionnaire stays a draft.
    await page.getByRole('button', { name: 'Отправить на модерацию' }).click();
    await expect.poll(() => page.locator('#kyc-ogrn-error').textContent()).toContain('контрольная цифра');
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toContain('Черновик');
    await page.screenshot({ path: screenshotPath('kyc-00-check-digit-refused'), fullPage: true });

    await page.getByLabel('ОГРН', { exact: true }).fill('1027700132195');
    await page.getByRole('button', { name: 'Отправить на модерацию' }).click();
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toContain('На модерации');
    await expect.poll(() => page.getByLabel('ОГРН', { exact: true }).isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('kyc-01-submitted'), fullPage: true });
    await context.close();
  });
});
