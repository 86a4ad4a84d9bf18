import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import {
  auditEntries,
  countRows,
  GOOD_PASSWORD,
  registerMerchant,
  registrationForm,
  signInBrowser,
} from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

function signIn(browser: TestBrowser, credentials: Record<string, unknown>) {
  return browser.post('/api/cabinet/sessions', credentials);
}

async function userRow(userId: string) {
  return context.deps.db
    .selectFrom('users')
    .select(['failed_sign_ins', 'locked_until', 'password_hash'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** The raw session token a browser holds, to replay it after the browser has dropped the cookie. */
function sessionCookieHeader(browser: TestBrowser): string {
  const token = browser.cookie('kopek_session');
  expect(token).toBeDefined();
  return `kopek_session=${token}`;
}

function meWithCookie(cookie: string) {
  return context.app.inject({ method: 'GET', url: '/api/cabinet/me', headers: { cookie } });
}

describe('sign-in', () => {
  it('signs in by e-mail, ignoring case, and returns the profile', async () => {
    const { form, me } = await registerMerchant(context);
    const browser = new TestBrowser(context.app);
    const response = await signIn(browser, { email: form.email.toUpperCase(), password: GOOD_PASSWORD });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      user: { id: me.user.id, login: 'admin', role: 'administrator', totpEnabled: false },
      account: { login: form.accountLogin, status: 'active' },
      permissions: expect.arrayContaining(['shops.create', 'employees.manage']),
    });
    expect((await browser.get('/api/cabinet/me')).json().user.id).toBe(me.user.id);
    expect(await auditEntries(context, 'user.signed_in', { actorUserId: me.user.id })).toHaveLength(1);
  });

  it('signs in by account login and user login, ignoring case', async () => {
    const { form, me } = await registerMerchant(context);
    const browser = new TestBrowser(context.app);
    const response = await signIn(browser, {
      accountLogin: form.accountLogin.toUpperCase(),
      userLogin: 'ADMIN',
      password: GOOD_PASSWORD,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user.id).toBe(me.user.id);
  });

  it('answers a wrong password and an unknown user with the same 401, creating no session', async () => {
    const { form, me } = await registerMerchant(context);
    const sessionsBefore = await countRows(context, 'sessions');
    const browser = new TestBrowser(context.app);
    const wrongPassword = await signIn(browser, { email: form.email, password: 'not the password' });
    const unknownEmail = await signIn(browser, { email: 'nobody@example.ru', password: GOOD_PASSWORD });
    const unknownLogin = await signIn(browser, {
      accountLogin: form.accountLogin,
      userLogin: 'nobody',
      password: GOOD_PASSWORD,
    });
    for (const response of [wrongPassword, unknownEmail, unknownLogin]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(wrongPassword.json());
    }
    expect(wrongPassword.json().error.code).toBe('invalid_credentials');
    expect(browser.cookie('kopek_session')).toBeUndefined();
    expect(await countRows(context, 'sessions')).toBe(sessionsBefore);
    expect((await userRow(me.user.id)).failed_sign_ins).toBe(1);
  });

  it('locks the user after 5 failures in a row, even for the right password, for 15 minutes', async () => {
    const { form, me } = await registerMerchant(context);
    const browser = new TestBrowser(context.app);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const failed = await signIn(browser, { email: form.email, password: `wrong password ${attempt}` });
      expect(failed.statusCode).toBe(401);
      expect(failed.json().error.code).toBe('invalid_credentials');
    }
    const lockedAt = context.clock.now();
    const locked = await signIn(browser, { email: form.email, password: GOOD_PASSWORD });
    expect(locked.statusCode).toBe(423);
    const expectedRetryAt = new Date(lockedAt.getTime() + 15 * MINUTE).toISOString();
    expect(locked.json().error).toMatchObject({ code: 'user_locked', retryAt: expectedRetryAt });
    expect(browser.cookie('kopek_session')).toBeUndefined();
    expect((await userRow(me.user.id)).locked_until?.toISOString()).toBe(expectedRetryAt);
    const lockEntries = await auditEntries(context, 'user.locked', { actorUserId: me.user.id });
    expect(lockEntries).toHaveLength(1);
    expect(lockEntries[0]?.details).toMatchObject({ failures: 5 });

    context.clock.advanceMs(14 * MINUTE);
    expect((await signIn(browser, { email: form.email, password: GOOD_PASSWORD })).statusCode).toBe(423);

    context.clock.advanceMs(MINUTE + 1000);
    const unlocked = await signIn(browser, { email: form.email, password: GOOD_PASSWORD });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(await userRow(me.user.id)).toMatchObject({ failed_sign_ins: 0, locked_until: null });
  });

  it('does not lock the user when a success comes between the failures', async () => {
    const { form, me } = await registerMerchant(context);
    const browser = new TestBrowser(context.app);
    for (const password of ['wrong 1', 'wrong 2', 'wrong 3', 'wrong 4', GOOD_PASSWORD, 'wrong 5']) {
      await signIn(browser, { email: form.email, password });
    }
    expect((await userRow(me.user.id)).failed_sign_ins).toBe(1);
    expect((await signIn(browser, { email: form.email, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it('refuses to sign in before the e-mail is confirmed', async () => {
    const form = registrationForm();
    const browser = new TestBrowser(context.app);
    expect((await browser.post('/api/cabinet/registrations', form)).statusCode).toBe(201);
    // No password was ever set, so the answer is indistinguishable from a wrong one.
    const response = await signIn(browser, { email: form.email, password: GOOD_PASSWORD });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_credentials');
  });
});

describe('sessions', () => {
  it('sets the session cookie HttpOnly and SameSite=Lax, and rotates the CSRF token', async () => {
    const { form } = await registerMerchant(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/api/cabinet/csrf');
    const csrfBefore = browser.cookie('kopek_csrf');
    const response = await signIn(browser, { email: form.email, password: GOOD_PASSWORD });
    const session = response.cookies.find((cookie) => cookie.name === 'kopek_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const rawHeader = [response.headers['set-cookie']]
      .flat()
      .find((line) => line?.startsWith('kopek_session='));
    expect(rawHeader).toMatch(/; HttpOnly/);
    expect(rawHeader).toMatch(/; SameSite=Lax/);
    const csrf = response.cookies.find((cookie) => cookie.name === 'kopek_csrf');
    expect(csrf?.httpOnly).toBeFalsy();
    expect(csrf?.value).not.toBe(csrfBefore);
  });

  it('signing out ends the session on the server, not only in the browser', async () => {
    const { browser, me } = await registerMerchant(context);
    const cookie = sessionCookieHeader(browser);
    const signedOut = await browser.delete('/api/cabinet/sessions/current');
    expect(signedOut.statusCode).toBe(204);
    expect(browser.cookie('kopek_session')).toBeUndefined();
    expect((await browser.get('/api/cabinet/me')).statusCode).toBe(401);
    const replayed = await meWithCookie(cookie);
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.code).toBe('unauthenticated');
    const sessions = await context.deps.db
      .selectFrom('sessions')
      .select('revoked_at')
      .where('user_id', '=', me.user.id)
      .execute();
    expect(sessions.every((session) => session.revoked_at !== null)).toBe(true);
    expect(await auditEntries(context, 'user.signed_out', { actorUserId: me.user.id })).toHaveLength(1);
  });

  it('"sign out everywhere" also ends the sessions of other browsers', async () => {
    const { browser, form, me } = await registerMerchant(context);
    const other = await signInBrowser(context, form.email);
    expect((await other.get('/api/cabinet/me')).statusCode).toBe(200);
    expect((await browser.post('/api/cabinet/sessions/revoke-all')).statusCode).toBe(204);
    expect((await other.get('/api/cabinet/me')).statusCode).toBe(401);
    expect((await browser.get('/api/cabinet/me')).statusCode).toBe(401);
    expect(
      await auditEntries(context, 'user.signed_out_everywhere', { actorUserId: me.user.id }),
    ).toHaveLength(1);
    expect((await signInBrowser(context, form.email).then((b) => b.get('/api/cabinet/me'))).statusCode).toBe(
      200,
    );
  });

  it('expires a session left idle for 12 hours', async () => {
    const { browser } = await registerMerchant(context);
    context.clock.advanceMs(12 * HOUR + 1000);
    const response = await browser.get('/api/cabinet/me');
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
  });

  it('keeps a session in use alive past 12 hours', async () => {
    const { browser } = await registerMerchant(context);
    for (let step = 0; step < 3; step += 1) {
      context.clock.advanceMs(11 * HOUR);
      expect((await browser.get('/api/cabinet/me')).statusCode).toBe(200);
    }
  });

  it('ends even an active session 30 days after sign-in', async () => {
    const { browser } = await registerMerchant(context);
    let elapsed = 0;
    while (elapsed + 11 * HOUR < 30 * 24 * HOUR) {
      context.clock.advanceMs(11 * HOUR);
      elapsed += 11 * HOUR;
      expect((await browser.get('/api/cabinet/me')).statusCode).toBe(200);
    }
    context.clock.advanceMs(11 * HOUR);
    expect((await browser.get('/api/cabinet/me')).statusCode).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request without the X-CSRF-Token header and creates nothing', async () => {
    const { browser } = await registerMerchant(context);
    const shopsBefore = await countRows(context, 'shops');
    const cookie = `kopek_session=${browser.cookie('kopek_session')}; kopek_csrf=${browser.cookie('kopek_csrf')}`;
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/cabinet/shops',
      headers: { cookie },
      payload: { name: 'Shop', siteUrl: 'https://shop.example.ru', merchantLogin: 'csrf-shop' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('csrf_failed');
    expect(await countRows(context, 'shops')).toBe(shopsBefore);
  });

  it('refuses a header that does not match the cookie', async () => {
    const accountsBefore = await countRows(context, 'accounts');
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/cabinet/registrations',
      headers: { cookie: 'kopek_csrf=aaaaaaaaaaaaaaaaaaaaaaaa', 'x-csrf-token': 'bbbbbbbbbbbbbbbbbbbbbbbb' },
      payload: registrationForm(),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('csrf_failed');
    expect(await countRows(context, 'accounts')).toBe(accountsBefore);
  });
});

describe('password reset', () => {
  it('mails a one-hour link that sets a new password and ends every other session', async () => {
    const { browser: first, form, me } = await registerMerchant(context);
    const second = await signInBrowser(context, form.email);
    const stranger = new TestBrowser(context.app);
    const requested = await stranger.post('/api/cabinet/password-resets', {
      email: form.email.toUpperCase(),
    });
    expect(requested.statusCode).toBe(202);
    await context.deliverMail();
    const mail = context.mail.sent.at(-1);
    expect(mail).toMatchObject({ to: form.email, subject: 'Kopek: восстановление пароля' });
    expect(mail?.text).toContain('1 час');
    const token = context.mail.lastLinkTo(form.email);
    expect((await stranger.get(`/api/cabinet/email-links/${token}`)).json()).toMatchObject({
      purpose: 'reset_password',
      email: form.email,
    });

    const newPassword = 'brand new secret 42';
    const completed = await stranger.post(`/api/cabinet/email-links/${token}/complete`, {
      password: newPassword,
    });
    expect(completed.statusCode, completed.body).toBe(200);
    expect(completed.json().user.id).toBe(me.user.id);
    expect((await stranger.get('/api/cabinet/me')).statusCode).toBe(200);
    expect((await first.get('/api/cabinet/me')).statusCode).toBe(401);
    expect((await second.get('/api/cabinet/me')).statusCode).toBe(401);

    const old = await signIn(new TestBrowser(context.app), { email: form.email, password: GOOD_PASSWORD });
    expect(old.statusCode).toBe(401);
    expect(
      (await signIn(new TestBrowser(context.app), { email: form.email, password: newPassword })).statusCode,
    ).toBe(200);
    expect(await auditEntries(context, 'user.reset_password', { actorUserId: me.user.id })).toHaveLength(1);
    const reused = await stranger.post(`/api/cabinet/email-links/${token}/complete`, {
      password: 'another one 77',
    });
    expect(reused.statusCode).toBe(410);
    expect(reused.json().error.code).toBe('link_used');
  });

  it('expires the reset link after an hour, leaving the password unchanged', async () => {
    const { form, me } = await registerMerchant(context);
    const browser = new TestBrowser(context.app);
    await browser.post('/api/cabinet/password-resets', { email: form.email });
    await context.deliverMail();
    const token = context.mail.lastLinkTo(form.email);
    const hashBefore = (await userRow(me.user.id)).password_hash;
    context.clock.advanceMs(61 * MINUTE);
    const described = await browser.get(`/api/cabinet/email-links/${token}`);
    expect(described.statusCode).toBe(410);
    expect(described.json().error.code).toBe('link_expired');
    const completed = await browser.post(`/api/cabinet/email-links/${token}/complete`, {
      password: 'brand new secret 42',
    });
    expect(completed.statusCode).toBe(410);
    expect((await userRow(me.user.id)).password_hash).toBe(hashBefore);
  });

  it('answers 202 for an unknown address and sends nothing', async () => {
    const mailBefore = await countRows(context, 'mail_messages');
    const linksBefore = await countRows(context, 'email_links');
    const sentBefore = context.mail.sent.length;
    const response = await new TestBrowser(context.app).post('/api/cabinet/password-resets', {
      email: 'nobody-here@example.ru',
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ ok: true });
    await context.deliverMail();
    expect(context.mail.sent.length).toBe(sentBefore);
    expect(await countRows(context, 'mail_messages')).toBe(mailBefore);
    expect(await countRows(context, 'email_links')).toBe(linksBefore);
  });
});

describe('password change', () => {
  it('refuses a wrong current password on that field and keeps the old password', async () => {
    const { browser, form, me } = await registerMerchant(context);
    const hashBefore = (await userRow(me.user.id)).password_hash;
    const response = await browser.post('/api/cabinet/me/password', {
      currentPassword: 'not my password',
      newPassword: 'brand new secret 42',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'validation_failed',
      fields: { currentPassword: { code: 'wrong_password' } },
    });
    expect((await userRow(me.user.id)).password_hash).toBe(hashBefore);
    expect(
      (await signIn(new TestBrowser(context.app), { email: form.email, password: GOOD_PASSWORD })).statusCode,
    ).toBe(200);
  });

  it('changes the password when the current one is right', async () => {
    const { browser, form, me } = await registerMerchant(context);
    const response = await browser.post('/api/cabinet/me/password', {
      currentPassword: GOOD_PASSWORD,
      newPassword: 'brand new secret 42',
    });
    expect(response.statusCode, response.body).toBe(204);
    const old = await signIn(new TestBrowser(context.app), { email: form.email, password: GOOD_PASSWORD });
    expect(old.statusCode).toBe(401);
    const fresh = await signIn(new TestBrowser(context.app), {
      email: form.email,
      password: 'brand new secret 42',
    });
    expect(fresh.statusCode).toBe(200);
    expect(await auditEntries(context, 'user.password_changed', { actorUserId: me.user.id })).toHaveLength(1);
  });

  it('ends the other sessions when the password changes, keeping this one', async () => {
    const { browser, form } = await registerMerchant(context);
    const elsewhere = new TestBrowser(context.app);
    expect((await signIn(elsewhere, { email: form.email, password: GOOD_PASSWORD })).statusCode).toBe(200);
    const response = await browser.post('/api/cabinet/me/password', {
      currentPassword: GOOD_PASSWORD,
      newPassword: 'brand new secret 43',
    });
    expect(response.statusCode).toBe(204);
    expect((await browser.get('/api/cabinet/me')).statusCode).toBe(200);
    expect((await elsewhere.get('/api/cabinet/me')).statusCode).toBe(401);
  });

  it('checks the new password like any other', async () => {
    const { browser } = await registerMerchant(context);
    const response = await browser.post('/api/cabinet/me/password', {
      currentPassword: GOOD_PASSWORD,
      newPassword: 'short1',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields.newPassword.code).toBe('password_too_short');
  });
});
