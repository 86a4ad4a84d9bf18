/**
 * A buyer pays from the phone balance in the demo store: the chooser offers it, the buyer types a phone
 * number, the sandbox operator (MTS, by the number's DEF code) sends a code by SMS; the buyer opens the
 * sandbox SMS log in another tab, reads the code, first mistypes it (the page says how many tries are
 * left), then types it right; the payment page follows the operator's callback to "paid" by itself and
 * the demo store's ResultURL handler receives and verifies the notification. Screenshots (phone width)
 * go to /tmp/docs for review.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { expectDemoStoreNotified } from './support/demo-store.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

const DOCS_DIR = '/tmp/docs';
const PHONE_TYPED = '8 (916) 700-12-34';
const PHONE_FILTER = '+79167001234';

async function capture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
  mkdirSync(DOCS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(DOCS_DIR, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  kopek = await startKopek();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kopek?.stop();
});

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'ru-RU' });
  return context.newPage();
}

describe.skipIf(!HAS_CHROMIUM)('paying from the phone balance', () => {
  it('sends a code by SMS, takes it from the SMS log, turns paid by itself and notifies the store', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${kopek.baseUrl}/demo-store`);
    await page.getByRole('button', { name: 'Купить' }).click();
    await page.waitForURL(/\/Merchant\/Index\/pay_/);
    const paymentId = new URL(page.url()).pathname.split('/').pop()!;

    await page.locator('a[data-method="PhoneBalance"]').click();
    await page.getByLabel('Номер телефона').fill(PHONE_TYPED);
    await capture(page, 'phone-01-number-phone');
    await page.getByRole('button', { name: /^Получить код в СМС/ }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Подтверждение кодом из СМС' }).isVisible())
      .toBe(true);
    expect(await page.getByText('Оператор MTS отправил код на номер +7 9** ***-**-34').isVisible()).toBe(
      true,
    );
    await capture(page, 'phone-02-code-form-phone');

    // The buyer's "phone": the sandbox SMS log, filtered by the number.
    const sms = await newPage({ width: 390, height: 844 });
    await sms.goto(`${kopek.baseUrl}/sandbox/sms`);
    await sms.getByLabel('Номер телефона').fill(PHONE_FILTER);
    await sms.getByRole('button', { name: 'Показать' }).click();
    await expect.poll(() => sms.locator('[data-sms-body]').count()).toBe(1);
    const text = (await sms.locator('[data-sms-body]').first().textContent()) ?? '';
    const code = /Код (\d{6})/.exec(text)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(text).toContain('Кофе в зёрнах');
    await capture(sms, 'phone-03-sms-log');

    // A slip of the finger first: the page says how many tries are left.
    const wrong = code === '000000' ? '111111' : '000000';
    await page.getByLabel('Код из СМС').fill(wrong);
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await expect
      .poll(() => page.getByText('Неверный код. Осталось попыток: 2.').isVisible(), { timeout: 10_000 })
      .toBe(true);
    await capture(page, 'phone-04-wrong-code-phone');
    await page.getByLabel('Код из СМС').fill(code!);
    await page.getByRole('button', { name: 'Подтвердить' }).click();

    // The operator's callback comes through the queue; the page's polling shows the result.
    await expect
      .poll(() => page.getByRole('heading', { name: 'Оплата прошла' }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await capture(page, 'phone-05-paid-phone');

    const db = kopek.runtime.deps.db;
    const payment = await db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment).toMatchObject({
      status: 'paid',
      inc_curr_label: 'PhoneBalancePSR',
      payment_method: 'Mobile',
      card_mask: '+7 9** ***-**-34',
    });
    const [attempt] = await db
      .selectFrom('method_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    expect(attempt).toMatchObject({ method_label: 'PhoneBalancePSR', status: 'paid' });

    await expectDemoStoreNotified(kopek, paymentId);
  });
});
