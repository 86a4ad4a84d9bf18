/**
 * Messages, as a merchant meets them: the operator rejects a shop in the back-office; the merchant sees
 * the unread counter on a phone, finds the message in the inbox, reads the reason and the counter goes
 * away. The e-mail copy arrives on a real SMTP server, and its unsubscribe link works without signing in.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postMessage } from '../src/modules/messages/index.js';
import { HAS_CHROMIUM, launchChromium, screenshotPath } from './support/browser.js';
import { startKopek, type RunningKopek } from './support/kopek-server.js';

let kopek: RunningKopek;
let browser: Browser;
let merchant: { context: BrowserContext; page: Page };

const SHOP_NAME = 'Чайная на Арбате';
const TITLE = `Магазин «${SHOP_NAME}» не прошёл модерацию`;
const REASON = 'На сайте нет публичной оферты и контактов продавца.';

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

/** A cabinet API call from the signed-in browser, with the CSRF header the SPA sends. */
async function cabinetPost(context: BrowserContext, page: Page, path: string, data: unknown = {}) {
  const csrf = (await context.cookies()).find((cookie) => cookie.name === 'kopek_csrf')?.value ?? '';
  const response = await page.request.post(`${kopek.baseUrl}${path}`, {
    data,
    headers: { 'x-csrf-token': csrf },
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()) as { id: string };
}

describe.skipIf(!HAS_CHROMIUM)('messages in Chromium', () => {
  it('the merchant reads a moderation decision in the inbox on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
    merchant = { context, page: await context.newPage() };
    const { page } = merchant;
    await signIn(page, 'demo@kopek.local', 'demo-password-1', /\/cabinet$/);
    const shop = await cabinetPost(context, page, '/api/cabinet/shops', {
      name: SHOP_NAME,
      siteUrl: 'https://tea.example',
      description: 'Чай и посуда',
      merchantLogin: 'tea-arbat',
    });
    await cabinetPost(context, page, `/api/cabinet/shops/${shop.id}/moderation`);

    const operatorContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'ru-RU',
    });
    const operator = await operatorContext.newPage();
    await signIn(operator, 'operator@kopek.local', 'operator-password-1', /\/backoffice/);
    await operator.getByRole('button', { name: `Отклонить магазин ${SHOP_NAME}` }).click();
    await operator.getByLabel('Причина отклонения').fill(REASON);
    await operator.getByRole('button', { name: 'Отклонить магазин', exact: true }).click();
    await expect
      .poll(
        async () =>
          (
            await kopek.runtime.deps.db
              .selectFrom('shops')
              .select('status')
              .where('id', '=', shop.id)
              .executeTakeFirst()
          )?.status,
      )
      .toBe('rejected');
    await operator.screenshot({ path: screenshotPath('messages-00-backoffice-rejected'), fullPage: true });
    await operatorContext.close();

    // The counter shows on the phone's menu button, then next to «Сообщения».
    await page.goto(`${kopek.baseUrl}/cabinet`);
    const menuCount = page.locator('.menu-button .nav-count');
    await expect.poll(() => menuCount.textContent()).toContain('1');
    await page.screenshot({ path: screenshotPath('messages-01-unread-on-phone'), fullPage: true });
    await page.getByRole('button', { name: /^Меню/ }).click();
    await expect.poll(() => page.locator('#cabinet-nav .nav-count').textContent()).toContain('1');
    await page.screenshot({ path: screenshotPath('messages-01b-menu-phone') });
    await page.getByRole('link', { name: /^Сообщения/ }).click();
    await page.waitForURL(/\/cabinet\/messages$/);

    const item = page.locator('.message-item', { hasText: TITLE });
    await expect.poll(() => item.isVisible()).toBe(true);
    expect(await item.getAttribute('class')).toContain('unread');
    expect(await item.textContent()).toContain('Модерация');
    await page.screenshot({ path: screenshotPath('messages-02-inbox-phone'), fullPage: true });

    // Search folds case and finds words in the body; an unknown word shows an honest empty result.
    await page.getByLabel('Поиск').fill('ОФЕРТ');
    await page.waitForURL(/q=%D0%9E%D0%A4%D0%95%D0%A0%D0%A2/);
    await expect.poll(() => page.locator('.message-item').count()).toBe(1);
    await page.getByLabel('Поиск').fill('никогда-не-встречается');
    await expect.poll(() => page.getByText('Ничего не нашлось').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Сбросить поиск и фильтры' }).click();
    await page.getByLabel('Категория').selectOption('moderation');
    await expect.poll(() => page.locator('.message-item').count()).toBe(1);

    await item.getByRole('link').click();
    await page.waitForURL(/\/cabinet\/messages\/msg_\w+$/);
    await expect.poll(() => page.getByRole('heading', { name: TITLE }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText(REASON, { exact: false }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('link', { name: 'Открыть магазин' }).isVisible()).toBe(true);
    // Opening it marked it read: the counter is gone.
    await expect.poll(() => page.locator('.nav-count').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('messages-03-message-phone'), fullPage: true });

    // Back to the same filtered list, where the message is no longer marked.
    await page.getByRole('link', { name: /Все сообщения/ }).click();
    await page.waitForURL(/\/cabinet\/messages\?category=moderation$/);
    await expect.poll(() => item.getAttribute('class')).toBe('message-item');
    await page.getByRole('link', { name: TITLE }).click();
    await page.getByRole('link', { name: 'Открыть магазин' }).click();
    await page.waitForURL(new RegExp(`/cabinet/shops/${shop.id}$`));

    await page.goto(`${kopek.baseUrl}/cabinet/settings#notifications`);
    await expect.poll(() => page.getByLabel('Модерация', { exact: true }).isVisible()).toBe(true);
    await page.locator('#notifications').screenshot({ path: screenshotPath('messages-03b-settings-phone') });
  });

  it('the e-mail copy unsubscribes in one click without signing in', async () => {
    // Generous: on a loaded 2-core CI machine the mail job and SMTP can take a while.
    const deadline = Date.now() + 60_000;
    let mail = kopek.mail.received.find(
      (item) => item.subject === `Kopek: магазин «${SHOP_NAME}» не прошёл модерацию`,
    );
    while (!mail && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      mail = kopek.mail.received.find(
        (item) => item.subject === `Kopek: магазин «${SHOP_NAME}» не прошёл модерацию`,
      );
    }
    expect(mail?.to).toContain('demo@kopek.local');
    expect(mail?.text).toContain(REASON);
    const link = mail?.text.match(/https?:\/\/\S+\/unsubscribe\/[\w.-]+/)?.[0];
    expect(link).toBeDefined();

    const stranger = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
    const page = await stranger.newPage();
    await page.goto(link!);
    await expect
      .poll(() => page.getByText('Больше не присылать на demo@kopek.local письма «Модерация»?').isVisible())
      .toBe(true);
    await page.screenshot({ path: screenshotPath('messages-04-unsubscribe-phone'), fullPage: true });
    await page.getByRole('button', { name: 'Отписаться' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Вы отписались' }).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('messages-05-unsubscribed-phone'), fullPage: true });
    await stranger.close();

    // The merchant's settings show the change; the inbox keeps the message.
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ru-RU' });
    const cabinet = await desktop.newPage();
    await signIn(cabinet, 'demo@kopek.local', 'demo-password-1', /\/cabinet$/);
    await cabinet.goto(`${kopek.baseUrl}/cabinet/settings#notifications`);
    const moderation = cabinet.getByLabel('Модерация', { exact: true });
    await expect.poll(() => moderation.isVisible()).toBe(true);
    expect(await moderation.isChecked()).toBe(false);
    expect(await cabinet.getByLabel('Безопасность', { exact: true }).isDisabled()).toBe(true);
    await cabinet
      .locator('#notifications')
      .screenshot({ path: screenshotPath('messages-06-settings-desktop') });
    await cabinet.getByLabel('Платежи', { exact: true }).selectOption('immediate');
    await expect.poll(() => cabinet.getByText('Сохранено: Платежи.').isVisible()).toBe(true);

    // A news item posted by the platform shows up unread next to the read decision.
    const { deps } = kopek.runtime;
    const account = await deps.db
      .selectFrom('accounts')
      .select('id')
      .where('login', '=', 'demo')
      .executeTakeFirstOrThrow();
    await deps.db.transaction().execute((trx) =>
      postMessage(trx, deps, {
        accountId: account.id,
        category: 'news',
        title: {
          ru: 'Новое в Kopek: ссылки на оплату с QR-кодом',
          en: 'New in Kopek: payment links with QR codes',
        },
        body: {
          ru: 'Создавайте ссылки на оплату в разделе «Ссылки на оплату» и печатайте их QR-код.',
          en: 'Create payment links in the Payment links section and print their QR codes.',
        },
        link: '/cabinet/invoices',
      }),
    );
    await cabinet.goto(`${kopek.baseUrl}/cabinet/messages`);
    await expect.poll(() => cabinet.getByText(TITLE).isVisible()).toBe(true);
    await expect.poll(() => cabinet.locator('#cabinet-nav .nav-count').textContent()).toContain('1');
    expect(await cabinet.locator('.message-item.unread').count()).toBe(1);
    await cabinet.screenshot({ path: screenshotPath('messages-07-inbox-desktop'), fullPage: true });
    await cabinet.getByRole('button', { name: 'Отметить все прочитанными' }).click();
    await expect.poll(() => cabinet.getByText('Все сообщения отмечены прочитанными.').isVisible()).toBe(true);
    await expect.poll(() => cabinet.locator('.nav-count').count()).toBe(0);
    expect(await cabinet.locator('.message-item.unread').count()).toBe(0);
    await cabinet.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => cabinet.getByRole('heading', { name: 'Messages' }).isVisible()).toBe(true);
    await expect
      .poll(() => cabinet.getByText('New in Kopek: payment links with QR codes').isVisible())
      .toBe(true);
    await cabinet.screenshot({ path: screenshotPath('messages-08-inbox-desktop-en'), fullPage: true });
    await desktop.close();
    await merchant.context.close();
  });
});
