/**
 * A broadcast as the operator sends it and a merchant receives it: the demo merchant turns news on, the
 * operator writes a news item to all merchants in the back-office, and the news arrives in the
 * merchant's inbox and, by e-mail, in the merchant's mailbox (a real SMTP server).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;
const TITLE = 'Оплата через СБП уже работает';

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

describe.skipIf(!HAS_CHROMIUM)('broadcasts in Chromium', () => {
  it('reaches a subscribed merchant in the inbox and the mailbox', async () => {
    const merchantContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const merchant = await merchantContext.newPage();
    await signIn(merchant, 'demo@kopek.local', 'demo-password-1', /\/cabinet$/);
    const csrf =
      (await merchantContext.cookies()).find((cookie) => cookie.name === 'kopek_csrf')?.value ?? '';
    const subscribed = await merchant.request.put(`${kopek.baseUrl}/api/cabinet/message-subscriptions/news`, {
      data: { delivery: 'immediate' },
      headers: { 'x-csrf-token': csrf },
    });
    expect(subscribed.status()).toBe(200);

    const operatorContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
    });
    const operator = await operatorContext.newPage();
    await signIn(operator, 'operator@kopek.local', 'operator-password-1', /\/backoffice/);
    await operator.getByRole('link', { name: 'Рассылки' }).click();
    await operator.getByLabel('Заголовок (русский)').fill(TITLE);
    await operator.getByLabel('Заголовок (английский)').fill('SBP payments are live');
    await operator.getByLabel('Текст (русский)').fill('Покупатели могут платить по QR-коду СБП.');
    await operator.getByLabel('Текст (английский)').fill('Buyers can pay by the SBP QR code.');
    await operator.getByRole('button', { name: 'Отправить рассылку' }).click();
    await expect.poll(() => operator.getByText(`Рассылка «${TITLE}» отправляется.`).isVisible()).toBe(true);
    await operator.screenshot({ path: screenshotPath('broadcast-sent'), fullPage: true });

    // Generous: on a loaded 2-core CI machine the job and SMTP can take a while.
    const deadline = Date.now() + 60_000;
    let mail = kopek.mail.received.find((item) => item.subject.includes(TITLE));
    while (!mail && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      mail = kopek.mail.received.find((item) => item.subject.includes(TITLE));
    }
    expect(mail?.to).toContain('demo@kopek.local');
    expect(mail?.text).toContain('QR-коду СБП');

    await merchant.goto(`${kopek.baseUrl}/cabinet/messages`);
    await expect.poll(() => merchant.getByText(TITLE).first().isVisible(), { timeout: 20_000 }).toBe(true);
    await merchant.screenshot({ path: screenshotPath('broadcast-inbox'), fullPage: true });
    await merchantContext.close();
    await operatorContext.close();
  }, 120_000);
});
