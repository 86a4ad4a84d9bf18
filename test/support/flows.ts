/** Whole-journey helpers shared by the HTTP tests. */
import { expect } from 'vitest';
import { hashPassword } from '../../src/modules/accounts/password.js';
import type { StaffRole } from '../../src/schema.js';
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

/** Signs a fresh browser in by e-mail; asserts success. */
export async function signInBrowser(context: TestContext, email: string, password = GOOD_PASSWORD) {
  const browser = new TestBrowser(context.app);
  const response = await browser.post('/api/cabinet/sessions', { email, password });
  expect(response.statusCode, response.body).toBe(200);
  return browser;
}

/** The administrator invites a person; the invitee follows the link and sets a password. */
export async function addEmployee(
  context: TestContext,
  admin: TestBrowser,
  role: string,
  overrides: { login?: string; email?: string } = {},
) {
  counter += 1;
  const login = overrides.login ?? `${role.slice(0, 4)}-${process.pid % 1000}${counter}`;
  const email = overrides.email ?? `staff${process.pid % 1000}${counter}@example.ru`;
  const invited = await admin.post('/api/cabinet/employees', { login, email, role });
  expect(invited.statusCode, invited.body).toBe(201);
  await context.deliverMail();
  const browser = new TestBrowser(context.app);
  const completed = await browser.post(
    `/api/cabinet/email-links/${context.mail.lastLinkTo(email)}/complete`,
    {
      password: GOOD_PASSWORD,
    },
  );
  expect(completed.statusCode, completed.body).toBe(200);
  return { browser, login, email, id: (invited.json() as { id: string }).id };
}

/** Back-office staff have no self-service sign-up: an operator is a users row without an account. */
/** An operator with a staff role (administrator by default: every back-office action). */
export async function createOperator(context: TestContext, staffRole: StaffRole = 'administrator') {
  counter += 1;
  const email = `operator${process.pid % 1000}${counter}@kopek.example`;
  const id = `usr_operator${counter}`;
  await context.deps.db
    .insertInto('users')
    .values({
      id,
      account_id: null,
      login: `operator${counter}`,
      email,
      role: 'operator',
      staff_role: staffRole,
      status: 'active',
      password_hash: await hashPassword(GOOD_PASSWORD),
      language: 'ru',
      created_at: context.clock.now(),
    })
    .execute();
  return { id, email, browser: await signInBrowser(context, email) };
}

export function shopForm(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    name: 'Книжная лавка',
    siteUrl: 'https://books.example.ru',
    description: 'Books',
    merchantLogin: `books_${process.pid % 1000}_${counter}`,
    ...overrides,
  };
}

/** Creates a shop through the cabinet; asserts success and returns its view. */
export async function createShopVia(browser: TestBrowser, overrides: Record<string, unknown> = {}) {
  const response = await browser.post('/api/cabinet/shops', shopForm(overrides));
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; merchantLogin: string; status: string };
}

/** Audit entries with this action, oldest first, optionally only those about one target or actor. */
export async function auditEntries(
  context: TestContext,
  action: string,
  filter: { target?: string; actorUserId?: string } = {},
) {
  let query = context.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (filter.target !== undefined) query = query.where('target', '=', filter.target);
  if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
  return query.orderBy('id').execute();
}

export async function countRows(
  context: TestContext,
  table: 'accounts' | 'users' | 'shops' | 'email_links' | 'mail_messages' | 'sessions' | 'jobs',
): Promise<number> {
  const row = await context.deps.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
