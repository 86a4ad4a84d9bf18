/** Whole-journey helpers shared by the HTTP tests. */
import { expect } from 'vitest';
import { TestBrowser } from './client.js';
import type { TestContext } from './harness.js';

export const GOOD_PASSWORD = 'correct horse battery';

let counter = 0;

export function registrationForm(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const suffix = `${process.pid % 1000}${counter}`;
  return {
    country: 'RU',
    currency: 'RUB',
    documentFlow: 'edo',
    legalForm: 'legal_entity',
    accountLogin: `shop-${suffix}`,
    adminLogin: 'admin',
    email: `owner${suffix}@example.ru`,
    requirementsAccepted: true,
    language: 'ru',
    ...overrides,
  };
}

/** Registers, follows the e-mailed link, sets the password: returns a signed-in browser. */
export async function registerMerchant(context: TestContext, overrides: Record<string, unknown> = {}) {
  const form = registrationForm(overrides);
  const browser = new TestBrowser(context.app);
  const registered = await browser.post('/api/cabinet/registrations', form);
  expect(registered.statusCode, registered.body).toBe(201);
  await context.deliverMail();
  const token = context.mail.lastLinkTo(form.email as string);
  const completed = await browser.post(`/api/cabinet/email-links/${token}/complete`, {
    password: GOOD_PASSWORD,
  });
  expect(completed.statusCode, completed.body).toBe(200);
  return { browser, form, me: completed.json() as { user: { id: string }; account: { id: string } } };
}
