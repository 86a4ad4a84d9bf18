import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateEmployee } from '../../src/modules/accounts/employee.service.js';
import { TestBrowser } from '../support/client.js';
import {
  addEmployee,
  auditEntries,
  countRows,
  createShopVia,
  GOOD_PASSWORD,
  registerMerchant,
} from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

async function userRow(userId: string) {
  return context.deps.db
    .selectFrom('users')
    .select(['id', 'account_id', 'login', 'role', 'status'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

function signIn(credentials: Record<string, unknown>) {
  return new TestBrowser(context.app).post('/api/cabinet/sessions', credentials);
}

describe('inviting employees', () => {
  it('invites by e-mail; the invitee sets a password through the link and signs in with the role', async () => {
    const { browser: admin, form, me } = await registerMerchant(context);
    const invited = await admin.post('/api/cabinet/employees', {
      login: 'Buh',
      email: 'Buh@Example.ru',
      role: 'accountant',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const employee = invited.json();
    expect(employee).toMatchObject({
      login: 'buh',
      email: 'buh@example.ru',
      role: 'accountant',
      status: 'invited',
    });
    expect(await userRow(employee.id)).toMatchObject({ account_id: me.account.id, status: 'invited' });
    expect(await auditEntries(context, 'employee.invited', { target: employee.id })).toHaveLength(1);

    // Until the invitation is accepted there is no password to sign in with.
    const early = await signIn({
      accountLogin: form.accountLogin,
      userLogin: 'buh',
      password: GOOD_PASSWORD,
    });
    expect(early.statusCode).toBe(401);

    await context.deliverMail();
    const mail = context.mail.sent.at(-1);
    expect(mail?.to).toBe('buh@example.ru');
    expect(mail?.subject).toBe(`Kopek: приглашение в аккаунт «${form.accountLogin}»`);
    const token = context.mail.lastLinkTo('buh@example.ru');
    const invitee = new TestBrowser(context.app);
    expect((await invitee.get(`/api/cabinet/email-links/${token}`)).json()).toMatchObject({
      purpose: 'accept_invitation',
      userLogin: 'buh',
      accountLogin: form.accountLogin,
    });
    const accepted = await invitee.post(`/api/cabinet/email-links/${token}/complete`, {
      password: GOOD_PASSWORD,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(await userRow(employee.id)).toMatchObject({ status: 'active' });

    const signedIn = await signIn({
      accountLogin: form.accountLogin,
      userLogin: 'buh',
      password: GOOD_PASSWORD,
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json()).toMatchObject({
      user: { id: employee.id, role: 'accountant' },
      account: { id: me.account.id },
      permissions: ['shops.read', 'operations.read', 'operations.refund', 'balance.read'],
    });

    const list = await admin.get('/api/cabinet/employees');
    expect(list.statusCode).toBe(200);
    expect(
      list.json().items.map((item: { login: string; status: string }) => [item.login, item.status]),
    ).toEqual([
      ['admin', 'active'],
      ['buh', 'active'],
    ]);
  });

  it('refuses a login already used in the account, ignoring case, and creates nobody', async () => {
    const { browser: admin } = await registerMerchant(context);
    const usersBefore = await countRows(context, 'users');
    const mailBefore = await countRows(context, 'mail_messages');
    const response = await admin.post('/api/cabinet/employees', {
      login: 'ADMIN',
      email: 'second-admin@example.ru',
      role: 'viewer',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields).toEqual({ login: expect.objectContaining({ code: 'login_taken' }) });
    expect(await countRows(context, 'users')).toBe(usersBefore);
    expect(await countRows(context, 'mail_messages')).toBe(mailBefore);
  });

  it('allows the same login in another account', async () => {
    const first = await registerMerchant(context);
    const second = await registerMerchant(context);
    await addEmployee(context, first.browser, 'viewer', { login: 'same-name' });
    await addEmployee(context, second.browser, 'viewer', { login: 'same-name' });
  });

  it('refuses an e-mail already used anywhere in Kopek', async () => {
    const { browser: admin } = await registerMerchant(context);
    const other = await registerMerchant(context);
    const usersBefore = await countRows(context, 'users');
    const response = await admin.post('/api/cabinet/employees', {
      login: 'someone',
      email: other.form.email.toUpperCase(),
      role: 'viewer',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields).toEqual({ email: expect.objectContaining({ code: 'email_taken' }) });
    expect(await countRows(context, 'users')).toBe(usersBefore);
  });

  it('refuses roles that are not merchant roles, and reports every bad field', async () => {
    const { browser: admin } = await registerMerchant(context);
    const usersBefore = await countRows(context, 'users');
    for (const role of ['operator', 'superuser', '']) {
      const response = await admin.post('/api/cabinet/employees', {
        login: 'newcomer',
        email: 'newcomer@example.ru',
        role,
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.fields).toEqual({
        role: expect.objectContaining({ code: 'invalid_choice' }),
      });
    }
    const everything = await admin.post('/api/cabinet/employees', { login: 'x', email: 'nope', role: 'god' });
    expect(Object.keys(everything.json().error.fields).sort()).toEqual(['email', 'login', 'role']);
    expect(await countRows(context, 'users')).toBe(usersBefore);
  });
});

describe('what each role may do', () => {
  it('a viewer reads shops but may not create, edit, reveal or manage people', async () => {
    const { browser: admin } = await registerMerchant(context);
    const shop = await createShopVia(admin);
    const { browser: viewer } = await addEmployee(context, admin, 'viewer');
    const shopsBefore = await countRows(context, 'shops');

    const list = await viewer.get('/api/cabinet/shops');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((item: { id: string }) => item.id)).toEqual([shop.id]);

    const attempts = [
      await viewer.post('/api/cabinet/shops', {
        name: 'Viewer shop',
        siteUrl: 'https://viewer.example.ru',
        merchantLogin: 'viewer-shop',
      }),
      await viewer.patch(`/api/cabinet/shops/${shop.id}`, { name: 'Renamed by viewer' }),
      await viewer.post(`/api/cabinet/shops/${shop.id}/passwords/reveal`, { password: GOOD_PASSWORD }),
      await viewer.post(`/api/cabinet/shops/${shop.id}/moderation`),
      await viewer.get('/api/cabinet/employees'),
      await viewer.post('/api/cabinet/employees', {
        login: 'friend',
        email: 'friend@example.ru',
        role: 'viewer',
      }),
    ];
    for (const response of attempts) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect(await countRows(context, 'shops')).toBe(shopsBefore);
    expect((await admin.get(`/api/cabinet/shops/${shop.id}`)).json()).toMatchObject({
      name: 'Книжная лавка',
      status: 'test',
    });
    expect(await auditEntries(context, 'shop.passwords_revealed', { target: shop.id })).toHaveLength(0);
  });

  it('a developer edits shop settings but may not see the passwords', async () => {
    const { browser: admin } = await registerMerchant(context);
    const shop = await createShopVia(admin);
    const { browser: developer } = await addEmployee(context, admin, 'developer');
    const patched = await developer.patch(`/api/cabinet/shops/${shop.id}`, {
      resultUrl: 'https://books.example.ru/robokassa/result',
      resultMethod: 'GET',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      resultUrl: 'https://books.example.ru/robokassa/result',
      resultMethod: 'GET',
    });
    const reveal = await developer.post(`/api/cabinet/shops/${shop.id}/passwords/reveal`, {
      password: GOOD_PASSWORD,
    });
    expect(reveal.statusCode).toBe(403);
    expect(reveal.json().error.code).toBe('forbidden');
    expect(reveal.body).not.toMatch(/password1/);
  });

  it('an accountant reads shops', async () => {
    const { browser: admin } = await registerMerchant(context);
    const shop = await createShopVia(admin);
    const { browser: accountant } = await addEmployee(context, admin, 'accountant');
    const list = await accountant.get('/api/cabinet/shops');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: shop.id })]);
    expect((await accountant.get(`/api/cabinet/shops/${shop.id}`)).statusCode).toBe(200);
    expect((await accountant.patch(`/api/cabinet/shops/${shop.id}`, { name: 'x' })).statusCode).toBe(403);
  });

  it('a changed role applies to the next request of a signed-in employee', async () => {
    const { browser: admin } = await registerMerchant(context);
    const shop = await createShopVia(admin);
    const developer = await addEmployee(context, admin, 'developer');
    expect((await developer.browser.patch(`/api/cabinet/shops/${shop.id}`, { name: 'One' })).statusCode).toBe(
      200,
    );
    const demoted = await admin.patch(`/api/cabinet/employees/${developer.id}`, { role: 'viewer' });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect(demoted.json()).toMatchObject({ role: 'viewer', status: 'active' });
    expect((await developer.browser.patch(`/api/cabinet/shops/${shop.id}`, { name: 'Two' })).statusCode).toBe(
      403,
    );
    const entries = await auditEntries(context, 'employee.updated', { target: developer.id });
    expect(entries.map((entry) => entry.details)).toEqual([
      { from: { role: 'developer', status: 'active' }, to: { role: 'viewer', status: 'active' } },
    ]);
  });
});

/** Resolves once `count` sessions of this database are waiting for a row lock. */
async function waitForLockWaiters(count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const result = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(context.deps.db);
    if ((result.rows[0]?.n ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} sessions ever waited for a lock`);
}

describe('protecting the account', () => {
  it('an administrator cannot change their own role or disable themselves', async () => {
    const { browser: admin, me } = await registerMerchant(context);
    await addEmployee(context, admin, 'administrator');
    for (const change of [{ role: 'viewer' }, { status: 'disabled' }]) {
      const response = await admin.patch(`/api/cabinet/employees/${me.user.id}`, change);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('cannot_change_self');
    }
    expect(await userRow(me.user.id)).toMatchObject({ role: 'administrator', status: 'active' });
  });

  it('the last active administrator cannot be demoted or disabled', async () => {
    const { browser: admin, me } = await registerMerchant(context);
    const second = await addEmployee(context, admin, 'administrator');
    // The second administrator is demoted while a request of theirs has already passed the role check.
    expect((await admin.patch(`/api/cabinet/employees/${second.id}`, { role: 'viewer' })).statusCode).toBe(
      200,
    );
    const staleActor = { userId: second.id, accountId: me.account.id };
    const meta = { ip: '127.0.0.1', userAgent: undefined };
    for (const change of [{ role: 'viewer' }, { status: 'disabled' }]) {
      await expect(updateEmployee(context.deps, staleActor, me.user.id, change, meta)).rejects.toMatchObject({
        code: 'last_administrator',
        statusCode: 409,
      });
    }
    expect(await userRow(me.user.id)).toMatchObject({ role: 'administrator', status: 'active' });
  });

  it('two administrators demoting each other at once leave one administrator', async () => {
    const { browser: first, me } = await registerMerchant(context);
    const second = await addEmployee(context, first, 'administrator');
    let locked!: () => void;
    let release!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const holder = context.deps.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom('users')
        .select('id')
        .where('account_id', '=', me.account.id)
        .forUpdate()
        .execute();
      locked();
      await released;
    });
    await isLocked;
    const both = Promise.all([
      first.patch(`/api/cabinet/employees/${second.id}`, { role: 'viewer' }),
      second.browser.patch(`/api/cabinet/employees/${me.user.id}`, { role: 'viewer' }),
    ]);
    await waitForLockWaiters(2);
    release();
    await holder;
    const statuses = (await both).map((response) => [response.statusCode, response.json().error?.code]);
    expect(statuses.sort()).toEqual([
      [200, undefined],
      [409, 'last_administrator'],
    ]);
    const administrators = await context.deps.db
      .selectFrom('users')
      .select('id')
      .where('account_id', '=', me.account.id)
      .where('role', '=', 'administrator')
      .where('status', '=', 'active')
      .execute();
    expect(administrators).toHaveLength(1);
  });

  it('another account’s employee id answers 404', async () => {
    const { browser: admin } = await registerMerchant(context);
    const other = await registerMerchant(context);
    const response = await admin.patch(`/api/cabinet/employees/${other.me.user.id}`, { status: 'disabled' });
    expect(response.statusCode).toBe(404);
    expect(await userRow(other.me.user.id)).toMatchObject({ status: 'active' });
    expect((await other.browser.get('/api/cabinet/me')).statusCode).toBe(200);
  });

  it('disabling an employee ends their sessions and keeps them out; enabling lets them back', async () => {
    const { browser: admin, form } = await registerMerchant(context);
    const employee = await addEmployee(context, admin, 'developer');
    expect((await employee.browser.get('/api/cabinet/me')).statusCode).toBe(200);

    const disabled = await admin.patch(`/api/cabinet/employees/${employee.id}`, { status: 'disabled' });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    expect((await employee.browser.get('/api/cabinet/me')).statusCode).toBe(401);
    const open = await context.deps.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', employee.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(open).toHaveLength(0);

    const credentials = {
      accountLogin: form.accountLogin,
      userLogin: employee.login,
      password: GOOD_PASSWORD,
    };
    const refused = await signIn(credentials);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('user_disabled');
    expect(refused.cookies.some((cookie) => cookie.name === 'kopek_session')).toBe(false);
    // A wrong password still answers as a wrong password: the status is not told to a guesser.
    expect((await signIn({ ...credentials, password: 'wrong password' })).json().error.code).toBe(
      'invalid_credentials',
    );

    expect(
      (await admin.patch(`/api/cabinet/employees/${employee.id}`, { status: 'active' })).statusCode,
    ).toBe(200);
    expect((await signIn(credentials)).statusCode).toBe(200);
  });
});
