/**
 * The front door, as a merchant meets it: register through the form, receive the confirmation e-mail on a
 * real SMTP server, follow the link, set a password, land in the cabinet, create a shop and read its
 * technical settings. Then the operator approves the shop in the back-office.
 */
import type { Browser, Page } from 'playwright-core';
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

const PASSWORD = 'Tverskaya-street-7';

async function newPhonePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  return context.newPage();
}

describe.skipIf(!HAS_CHROMIUM)('merchant onboarding in Chromium', () => {
  it('registers, confirms the e-mail, sets a password, creates a shop and reads its settings', async () => {
    const page = await newPhonePage();
    await page.goto(`${kopek.baseUrl}/reg`);
    await expect.poll(() => page.getByLabel('Страна').inputValue()).toBe('RU');

    // First an invalid submission: the errors appear next to the fields and what was typed stays.
    await page.getByLabel('Логин аккаунта').fill('Ab');
    await page.getByLabel('E-mail администратора').fill('not-an-email');
    await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await expect.poll(() => page.getByText('От 3 до 32 символов').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Введите адрес вида name@example.ru.').isVisible()).toBe(true);
    await expect
      .poll(() => page.getByText('Подтвердите, что ознакомились с требованиями к сайту.').isVisible())
      .toBe(true);
    expect(await page.getByLabel('E-mail администратора').inputValue()).toBe('not-an-email');
    await page.screenshot({ path: screenshotPath('01-registration-errors'), fullPage: true });

    await page.getByLabel('Логин аккаунта').fill('coffee-house');
    await page.getByLabel('E-mail администратора').fill('owner@coffee.example');
    await page.getByLabel('Я ознакомлен(а) с требованиями к сайту').check();
    await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await expect.poll(() => page.getByText('owner@coffee.example').first().isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('02-check-your-mail'), fullPage: true });

    const link = await kopek.mail.waitForLink('owner@coffee.example');
    const mail = kopek.mail.received.find((item) => item.to.includes('owner@coffee.example'));
    expect(mail?.subject).toBe('Kopek: подтвердите e-mail');

    await page.goto(link);
    await page.getByLabel('Новый пароль').fill(PASSWORD);
    await page.getByLabel('Повторите пароль').fill(PASSWORD);
    await page.screenshot({ path: screenshotPath('03-set-password'), fullPage: true });
    await page.getByRole('button', { name: 'Сохранить пароль и войти' }).click();
    await page.waitForURL(/\/cabinet$/);
    await expect.poll(() => page.getByText('coffee-house').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Песочница', { exact: true }).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('04-dashboard'), fullPage: true });

    await page.goto(`${kopek.baseUrl}/cabinet/shops/new`);
    await page.getByLabel('Название магазина').fill('Кофейня на Тверской');
    await page.getByLabel('Адрес сайта').fill('https://coffee.example');
    await page.getByLabel('Описание').fill('Зерновой кофе с доставкой');
    await page.getByLabel('Идентификатор магазина').fill('coffee-tverskaya');
    await page.getByRole('button', { name: 'Создать магазин' }).click();
    await page.waitForURL(/\/cabinet\/shops\/shp_/);

    await expect.poll(() => page.getByLabel('Идентификатор магазина').inputValue()).toBe('coffee-tverskaya');
    expect(await page.getByLabel('Алгоритм расчёта хеша').inputValue()).toBe('MD5');
    await page.getByLabel('Result URL').fill('https://coffee.example/robokassa/result');
    await page.getByRole('button', { name: 'Сохранить настройки', exact: true }).click();
    await expect.poll(() => page.getByText('Тестовый режим').first().isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Показать пароли' }).click();
    await page.getByLabel('Ваш пароль для входа').fill(PASSWORD);
    await page.getByRole('button', { name: 'Показать', exact: true }).click();
    const shopId = page.url().split('/').pop() ?? '';
    const stored = await kopek.runtime.deps.db
      .selectFrom('shops')
      .selectAll()
      .where('id', '=', shopId)
      .executeTakeFirstOrThrow();
    expect(stored.result_url).toBe('https://coffee.example/robokassa/result');
    const { readShopPasswords } = await import('../src/modules/shops/index.js');
    const passwords = readShopPasswords(kopek.runtime.deps.config.masterKey, stored);
    await expect.poll(() => page.getByText(passwords.password1).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('05-shop-settings'), fullPage: true });

    await page.getByRole('button', { name: 'Отправить на модерацию' }).click();
    await expect.poll(() => page.getByText('На модерации').first().isVisible()).toBe(true);
  });

  it('lets the operator activate the shop sent for moderation', async () => {
    const page = await newPhonePage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('operator@kopek.local');
    await page.getByLabel('Пароль').fill('operator-password-1');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.waitForURL(/\/backoffice/);
    await page.getByRole('button', { name: 'Активировать магазин Кофейня на Тверской' }).click();
    await expect
      .poll(
        async () =>
          (
            await kopek.runtime.deps.db
              .selectFrom('shops')
              .select('status')
              .where('merchant_login', '=', 'coffee-tverskaya')
              .executeTakeFirst()
          )?.status,
      )
      .toBe('active');
    await page.screenshot({ path: screenshotPath('06-backoffice'), fullPage: true });
  });

  it('shows the demo merchant its cabinet in English when asked', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await context.addCookies([{ name: 'kopek_lang', value: 'en', url: kopek.baseUrl }]);
    const page = await context.newPage();
    await page.goto(`${kopek.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('demo@kopek.local');
    await page.getByLabel('Password').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByText('Wrong login or password.').isVisible()).toBe(true);
    await page.getByLabel('Password').fill('demo-password-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/cabinet$/);
    await page.goto(`${kopek.baseUrl}/cabinet/shops`);
    await expect.poll(() => page.getByText('Active').first().isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('07-shops-en'), fullPage: true });
    await page.goto(`${kopek.baseUrl}/cabinet/settings`);
    await expect.poll(() => page.getByRole('heading', { name: 'Security journal' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Failed sign-in').first().isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('08-settings-en'), fullPage: true });
  });
});
