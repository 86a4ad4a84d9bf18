/**
 * Support, end to end in Chromium: the merchant opens a request with a screenshot attached, the operator
 * keeps a canned answer, answers the request in the back-office starting from it (and leaves an internal
 * note), and the merchant's open ticket page shows the reply without a reload, while the note never
 * appears. The reply also arrives by e-mail.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

const SUBJECT = 'Не приходит ResultURL';
const QUESTION = 'Покупатель оплатил заказ, а уведомление на сайт не пришло.';
const REPLY = 'Ваш сервер ответил 500: проверьте обработчик ResultURL, мы повторим отправку.';
const REPLY_EN = 'Your server answered 500: check the ResultURL handler, we will send it again.';
const CANNED_TITLE = 'ResultURL: ответ 500';
const NOTE = 'Внутреннее: эквайер ни при чём.';
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('a tiny image for the test'),
]);

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

describe.skipIf(!HAS_CHROMIUM)('support in Chromium', () => {
  it('the merchant opens a request and sees the operator’s reply appear without a reload', async () => {
    const merchantContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const merchant = await merchantContext.newPage();
    await signIn(merchant, 'demo@kopek.local', 'demo-password-1', /\/cabinet$/);
    await merchant.getByRole('link', { name: 'Поддержка', exact: true }).first().click();
    await merchant.waitForURL(/\/cabinet\/support$/);

    // A file that is not an accepted type is refused next to the file field, and nothing is sent.
    await merchant.getByLabel('Тема').selectOption('payments');
    await merchant.getByLabel('Кратко о вопросе').fill(SUBJECT);
    await merchant.getByLabel('Опишите вопрос').fill(QUESTION);
    await merchant.getByLabel('Файлы').setInputFiles({
      name: 'virus.png',
      mimeType: 'image/png',
      buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(32, 0)]),
    });
    await merchant.getByRole('button', { name: 'Отправить обращение' }).click();
    await expect.poll(() => merchant.locator('#ticket-files-error').textContent()).toContain('virus.png');
    await merchant.screenshot({ path: screenshotPath('support-00-file-refused'), fullPage: true });

    await merchant
      .getByLabel('Файлы')
      .setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: PNG });
    await merchant.getByRole('button', { name: 'Отправить обращение' }).click();
    await merchant.waitForURL(/\/cabinet\/support\/tickets\/tkt_\w+$/);
    const ticketUrl = merchant.url();
    await expect.poll(() => merchant.getByRole('heading', { name: SUBJECT }).isVisible()).toBe(true);
    await expect.poll(() => merchant.getByText('Открыто', { exact: true }).isVisible()).toBe(true);
    await expect
      .poll(() => merchant.getByRole('link', { name: /Скачать screen\.png/ }).isVisible())
      .toBe(true);
    await merchant.screenshot({ path: screenshotPath('support-01-ticket-opened'), fullPage: true });

    // The operator answers in the back-office and leaves an internal note.
    const operatorContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const operator = await operatorContext.newPage();
    await signIn(operator, 'operator@kopek.local', 'operator-password-1', /\/backoffice/);
    await operator.getByRole('link', { name: 'Шаблоны ответов', exact: true }).click();
    await operator.waitForURL(/\/backoffice\/canned-answers$/);
    await operator.getByLabel('Название').fill(CANNED_TITLE);
    await operator.getByLabel('Тема обращений').selectOption('payments');
    await operator.getByLabel('Текст на русском').fill(REPLY);
    await operator.getByLabel('Текст на английском').fill(REPLY_EN);
    await operator.getByRole('button', { name: 'Добавить шаблон' }).click();
    await expect.poll(() => operator.getByText('Шаблон добавлен.').isVisible()).toBe(true);
    await expect
      .poll(() => operator.getByRole('cell', { name: CANNED_TITLE, exact: true }).isVisible())
      .toBe(true);
    await operator.getByRole('link', { name: 'Обращения', exact: true }).click();
    await operator.waitForURL(/\/backoffice\/support$/);
    await operator.getByRole('link', { name: SUBJECT }).click();
    await operator.waitForURL(/\/backoffice\/support\/tkt_\w+$/);
    await expect.poll(() => operator.getByText(QUESTION).isVisible()).toBe(true);
    await operator.getByLabel('Заметка').fill(NOTE);
    await operator.getByRole('button', { name: 'Добавить заметку' }).click();
    await expect.poll(() => operator.getByText('Заметка добавлена.').isVisible()).toBe(true);
    // The canned answer fills the reply box in the merchant's language (Russian), ready to edit.
    await operator.getByLabel('Шаблон ответа').selectOption({ label: CANNED_TITLE });
    await expect.poll(() => operator.getByLabel('Текст ответа').inputValue()).toBe(REPLY);
    await operator.getByRole('button', { name: 'Ответить', exact: true }).click();
    await expect.poll(() => operator.getByText('Ответ отправлен мерчанту.').isVisible()).toBe(true);
    await operator.screenshot({ path: screenshotPath('support-02-backoffice-replied'), fullPage: true });
    await operatorContext.close();

    // The merchant's page was never reloaded: the reply arrives by polling.
    expect(merchant.url()).toBe(ticketUrl);
    await expect.poll(() => merchant.getByText(REPLY).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => merchant.getByText('Пришёл новый ответ.').isVisible()).toBe(true);
    await expect.poll(() => merchant.getByText('Ждёт вашего ответа', { exact: true }).isVisible()).toBe(true);
    expect(await merchant.getByText(NOTE).count()).toBe(0);
    await merchant.screenshot({ path: screenshotPath('support-03-reply-seen'), fullPage: true });

    // The merchant answers: the request is open again.
    await merchant.getByLabel('Ваш ответ').fill('Спасибо, исправили обработчик.');
    await merchant.getByRole('button', { name: 'Отправить', exact: true }).click();
    await expect.poll(() => merchant.getByText('Ответ отправлен.').isVisible()).toBe(true);
    await expect.poll(() => merchant.getByText('Открыто', { exact: true }).isVisible()).toBe(true);
    await merchantContext.close();
  });

  it('the reply also arrives by e-mail with a link to the request', async () => {
    const subject = `Kopek: Ответ поддержки: «${SUBJECT}»`;
    const deadline = Date.now() + 60_000;
    let mail = kopek.mail.received.find((item) => item.subject === subject);
    while (!mail && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      mail = kopek.mail.received.find((item) => item.subject === subject);
    }
    expect(mail?.to).toContain('demo@kopek.local');
    expect(mail?.text).toContain(REPLY);
    expect(mail?.text).toMatch(/\/cabinet\/support\/tickets\/tkt_\w+/);
    expect(mail?.text).not.toContain(NOTE);
  });
});
