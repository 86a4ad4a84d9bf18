/**
 * A buyer pays cash through a terminal in the demo store: the payment page gives a payment code (and a
 * printable voucher); the sandbox terminal's page takes part of the amount, and the payment page, left
 * alone, shows the part paid by itself (checkout.js polls /status); a terminal's API call pays the rest,
 * the payment page turns paid, and the demo store's ResultURL handler receives the notification.
 * Screenshots of the code, the voucher, the terminal and the part-paid page go to /tmp/docs for review.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalApiKey } from '../src/modules/methods/providers/sandbox-terminal.js';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { expectDemoStoreNotified } from './support/demo-store.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;

const DOCS_DIR = '/tmp/docs';

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

/** Intl writes grouped roubles with no-break spaces: match them as any space. */
const spaced = (text: string) => new RegExp(text.replace(/ /g, '\\s'));

describe.skipIf(!HAS_CHROMIUM)('paying cash through a terminal', () => {
  it('gives a code, shows a part paid at the terminal live, then turns paid and notifies the store', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${kopek.baseUrl}/demo-store`);
    await page.getByRole('button', { name: 'Купить' }).click();
    await page.waitForURL(/\/Merchant\/Index\/pay_/);
    const paymentId = new URL(page.url()).pathname.split('/').pop()!;

    await page.locator('a[data-method="Terminals"]').click();
    await page.getByRole('button', { name: /^Получить код для оплаты/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Оплата наличными' }).isVisible()).toBe(true);
    const code = (await page.locator('[data-payment-code]').textContent())?.trim() ?? '';
    expect(code).toMatch(/^\d{12}$/);
    await capture(page, 'terminal-01-code-phone');

    // The voucher the buyer prints: the same code, grouped for reading.
    const voucherHref = await page.getByRole('link', { name: 'Распечатать квитанцию' }).getAttribute('href');
    const voucher = await newPage({ width: 800, height: 1000 });
    await voucher.goto(new URL(voucherHref!, kopek.baseUrl).toString());
    await expect
      .poll(() => voucher.getByRole('heading', { name: 'Квитанция для оплаты наличными' }).isVisible())
      .toBe(true);
    expect(await voucher.locator('[data-voucher-code]').textContent()).toBe(
      code.replace(/(\d{4})(?=\d)/g, '$1 '),
    );
    await capture(voucher, 'terminal-02-voucher');

    // At the terminal: the code, then 1 000 roubles of the 1 490 owed.
    const terminal = await newPage({ width: 800, height: 900 });
    await terminal.goto(`${kopek.baseUrl}/sandbox/terminal`);
    await terminal.getByLabel('Код оплаты').fill(code);
    await terminal.getByRole('button', { name: 'Продолжить' }).click();
    await expect.poll(() => terminal.getByText(spaced('1 490,00 ₽')).first().isVisible()).toBe(true);
    await terminal.getByLabel('Сумма (монеты, любая сумма), ₽').fill('1000');
    await terminal.getByRole('button', { name: 'Внести', exact: true }).click();
    await expect.poll(() => terminal.getByText('Принято.', { exact: false }).isVisible()).toBe(true);
    await capture(terminal, 'terminal-03-terminal-part');

    // Nobody touches the payment page: it shows the part paid by itself.
    await expect
      .poll(() => page.getByText(spaced('Внесено 1 000,00 ₽ из 1 490,00 ₽')).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await capture(page, 'terminal-04-part-paid-phone');

    // The rest from another terminal, through the network's API.
    const rest = await fetch(`${kopek.baseUrl}/sandbox/terminal/api/payments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-terminal-key': terminalApiKey(kopek.runtime.deps.config.masterKey),
      },
      body: JSON.stringify({ code, amountMinor: 49_000, terminalId: 'ATM-E2E-2' }),
    });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ status: 'COMPLETED', receivedMinor: 149_000, leftMinor: 0 });

    await expect
      .poll(() => page.getByRole('heading', { name: 'Оплата прошла' }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await capture(page, 'terminal-05-paid-phone');

    const db = kopek.runtime.deps.db;
    const payment = await db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ status: 'paid', inc_curr_label: 'TerminalsPSR' });
    const [attempt] = await db
      .selectFrom('method_attempts')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    expect(attempt).toMatchObject({ status: 'paid', received_minor: 149_000n, overpaid_minor: 0n });
    await expectDemoStoreNotified(kopek, paymentId);
  });
});
