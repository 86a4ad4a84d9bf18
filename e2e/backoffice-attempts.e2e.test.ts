/**
 * The operator's review of a card attempt the acquirer never answered: the buyer pays with the card that
 * gets no answer, the attempt outlives automatic reconciliation, and the operator finds it in the
 * back-office, asks the acquirer again (still no final answer) and records a decline with a note.
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

describe.skipIf(!HAS_CHROMIUM)('payments without a bank answer', () => {
  it('lets the operator find an attempt with an unknown outcome and decline it with a note', async () => {
    const buyer = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await buyer.goto(`${kopek.baseUrl}/demo-store`);
    await buyer.getByRole('button', { name: 'Купить' }).click();
    await buyer.waitForURL(/\/Merchant\/Index\/pay_/);
    await buyer.getByLabel('Номер карты').fill('4000 0000 0000 0119');
    await buyer.getByLabel('Срок действия').fill('12/30');
    await buyer.getByLabel('CVC').fill('123');
    await buyer.getByRole('button', { name: /Оплатить/ }).click();
    await expect.poll(() => buyer.getByText('Ждём ответа банка').isVisible()).toBe(true);

    // Twenty minutes pass for this attempt (the sandbox's own operation keeps its time, so it still
    // has no final answer when the operator asks).
    const { db } = kopek.runtime.deps;
    const attempt = await db.selectFrom('card_attempts').selectAll().executeTakeFirstOrThrow();
    await db
      .updateTable('card_attempts')
      .set({ status: 'unknown', created_at: new Date(Date.now() - 20 * 60_000) })
      .where('id', '=', attempt.id)
      .execute();

    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ru-RU' })
    ).newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('operator@kopek.local');
    await page.getByLabel('Пароль').fill('operator-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/backoffice/);
    await page.getByRole('link', { name: 'Платежи без ответа банка' }).click();
    await expect.poll(() => page.getByText(attempt.card_mask).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('20-backoffice-attempts'), fullPage: true });

    await page.getByRole('button', { name: 'Запросить статус' }).click();
    await expect
      .poll(() => page.getByText('Эквайер по-прежнему не сообщает окончательный исход.').isVisible())
      .toBe(true);

    await page.getByRole('button', { name: 'Записать решение' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Записать решение' }).click();
    await expect.poll(() => page.getByText('Укажите номер операции у эквайера').isVisible()).toBe(true);
    await page
      .getByLabel('Номер операции (RRN) или результат проверки')
      .fill('В реестре эквайера операции нет');
    await page.screenshot({ path: screenshotPath('21-backoffice-attempt-decision'), fullPage: true });
    await page.getByRole('dialog').getByRole('button', { name: 'Записать решение' }).click();
    await expect
      .poll(() => page.getByText('Попытка отклонена, покупатель может оплатить снова.').isVisible())
      .toBe(true);
    const settled = await db
      .selectFrom('card_attempts')
      .selectAll()
      .where('id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    expect(settled.status).toBe('declined');
  });
});
