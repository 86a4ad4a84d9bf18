import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import { GOOD_PASSWORD, registerMerchant, registrationForm } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
  await context.deps.db
    .insertInto('promo_codes')
    .values([
      {
        code: 'WELCOME',
        description: 'test',
        fee_discount_percent: 10,
        discount_days: 30,
        valid_until: null,
        created_at: new Date(),
      },
      {
        code: 'OLD',
        description: 'test',
        fee_discount_percent: 10,
        discount_days: 30,
        valid_until: new Date('2025-01-01'),
        created_at: new Date(),
      },
    ])
    .execute();
});
afterAll(async () => context?.close());

async function countRows() {
  const count = async (table: 'accounts' | 'users' | 'email_links' | 'mail_messages') =>
    Number(
      (
        await context.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    accounts: await count('accounts'),
    users: await count('users'),
    links: await count('email_links'),
    mail: await count('mail_messages'),
  };
}

describe('registration', () => {
  it('creates an account awaiting confirmation and mails a link in the form language', async () => {
    const browser = new TestBrowser(context.app);
    const form = registrationForm({ language: 'en', promoCode: 'welcome' });
    const response = await browser.post('/api/cabinet/registrations', form);
    expect(response.statusCode, response.body).toBe(201);
    const account = await context.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', response.json().accountId)
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({
      status: 'awaiting_confirmation',
      promo_code: 'WELCOME',
      language: 'en',
      country: 'RU',
    });
    await context.deliverMail();
    const mail = context.mail.sent.find((item) => item.to === form.email);
    expect(mail?.subject).toBe('Kopek: confirm your e-mail');
    expect(mail?.text).toContain('http://kopek.test/links/');
  });

  it('reports every invalid field at once, in Russian by default, and creates nothing', async () => {
    const before = await countRows();
    const browser = new TestBrowser(context.app);
    const response = await browser.post('/api/cabinet/registrations', {
      country: 'US',
      currency: 'GBP',
      documentFlow: 'fax',
      legalForm: 'llc',
      accountLogin: 'Ab',
      adminLogin: 'admin!',
      email: 'not-an-email',
      promoCode: 'NOPE',
      requirementsAccepted: false,
    });
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/Проверьте поля/);
    expect(Object.keys(body.error.fields).sort()).toEqual(
      [
        'accountLogin',
        'adminLogin',
        'country',
        'currency',
        'documentFlow',
        'email',
        'legalForm',
        'requirementsAccepted',
      ].sort(),
    );
    expect(body.error.fields.accountLogin.code).toBe('invalid_login');
    expect(await countRows()).toEqual(before);
  });

  it('answers in English when asked', async () => {
    const browser = new TestBrowser(context.app);
    const response = await browser.post('/api/cabinet/registrations', registrationForm({ email: 'bad' }), {
      cookie: '',
    });
    expect(response.statusCode).toBe(403); // no CSRF cookie in that request: refused before anything else
    const english = await browser.post('/api/cabinet/registrations', registrationForm({ email: 'bad' }), {
      'accept-language': 'en-US,en;q=0.9',
    });
    expect(english.json().error.fields.email.message).toBe('Enter an address like name@example.com.');
  });

  it('rejects unknown and expired promo codes on that field', async () => {
    const browser = new TestBrowser(context.app);
    const unknown = await browser.post('/api/cabinet/registrations', registrationForm({ promoCode: 'NOPE' }));
    expect(unknown.json().error.fields).toEqual({
      promoCode: expect.objectContaining({ code: 'promo_unknown' }),
    });
    const expired = await browser.post('/api/cabinet/registrations', registrationForm({ promoCode: 'old' }));
    expect(expired.json().error.fields).toEqual({
      promoCode: expect.objectContaining({ code: 'promo_expired' }),
    });
  });

  it('refuses a duplicate account login ignoring case, and a duplicate e-mail', async () => {
    const browser = new TestBrowser(context.app);
    const first = registrationForm();
    expect((await browser.post('/api/cabinet/registrations', first)).statusCode).toBe(201);
    const upperLogin = await browser.post(
      '/api/cabinet/registrations',
      registrationForm({ accountLogin: first.accountLogin.toUpperCase() }),
    );
    expect(upperLogin.json().error.fields.accountLogin.code).toBe('login_taken');
    const sameEmail = await browser.post(
      '/api/cabinet/registrations',
      registrationForm({ email: first.email.toUpperCase() }),
    );
    expect(sameEmail.json().error.fields.email.code).toBe('email_taken');
  });

  it('confirms through the link, sets the password and signs in; the link then works no more', async () => {
    const { browser, form } = await registerMerchant(context);
    const me = await browser.get('/api/cabinet/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { login: 'admin', role: 'administrator' },
      account: { status: 'active', login: form.accountLogin },
    });
    const token = context.mail.lastLinkTo(form.email);
    const again = await new TestBrowser(context.app).get(`/api/cabinet/email-links/${token}`);
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('link_used');
  });

  it('rejects weak passwords on the link page without using the link', async () => {
    const browser = new TestBrowser(context.app);
    const form = registrationForm();
    await browser.post('/api/cabinet/registrations', form);
    await context.deliverMail();
    const token = context.mail.lastLinkTo(form.email);
    for (const [password, code] of [
      ['short1', 'password_too_short'],
      [`x${form.accountLogin}x`, 'password_contains_login'],
      ['qwertyuiop', 'password_too_common'],
    ]) {
      const response = await browser.post(`/api/cabinet/email-links/${token}/complete`, { password });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.fields.password.code).toBe(code);
    }
    expect((await browser.get(`/api/cabinet/email-links/${token}`)).json()).toMatchObject({
      purpose: 'confirm_registration',
    });
  });

  it('expires a link after 24 hours and resends a fresh one, retiring the old', async () => {
    const browser = new TestBrowser(context.app);
    const form = registrationForm();
    await browser.post('/api/cabinet/registrations', form);
    await context.deliverMail();
    const first = context.mail.lastLinkTo(form.email);
    context.clock.advanceMs(24 * 3_600_000 + 1000);
    const expired = await browser.get(`/api/cabinet/email-links/${first}`);
    expect(expired.json().error.code).toBe('link_expired');
    expect((await browser.post('/api/cabinet/registrations/resend', { email: form.email })).statusCode).toBe(
      202,
    );
    await context.deliverMail();
    const second = context.mail.lastLinkTo(form.email);
    expect(second).not.toBe(first);
    const completed = await browser.post(`/api/cabinet/email-links/${second}/complete`, {
      password: GOOD_PASSWORD,
    });
    expect(completed.statusCode).toBe(200);
  });

  it('answers 202 to a resend for an unknown address and sends nothing', async () => {
    const before = context.mail.sent.length;
    const response = await new TestBrowser(context.app).post('/api/cabinet/registrations/resend', {
      email: 'nobody@example.ru',
    });
    expect(response.statusCode).toBe(202);
    await context.deliverMail();
    expect(context.mail.sent.length).toBe(before);
  });

  it('answers 404 for a made-up link', async () => {
    const response = await new TestBrowser(context.app).get('/api/cabinet/email-links/made-up-token');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('link_not_found');
  });

  it('rate-limits registration per IP', async () => {
    const browser = new TestBrowser(context.app, '198.51.100.77');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      statuses.push(
        (await browser.post('/api/cabinet/registrations', registrationForm({ email: 'bad' }))).statusCode,
      );
    }
    expect(statuses.slice(0, 10).every((status) => status === 422)).toBe(true);
    const limited = await browser.post('/api/cabinet/registrations', registrationForm());
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
