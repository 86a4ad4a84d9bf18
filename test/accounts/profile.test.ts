import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

describe('profile', () => {
  it('keeps the chosen language, and later e-mails use it', async () => {
    const { browser, form } = await registerMerchant(context, { language: 'ru' });
    const changed = await browser.patch('/api/cabinet/me', { language: 'en' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.language).toBe('en');
    await new TestBrowser(context.app).post('/api/cabinet/password-resets', { email: form.email });
    await context.deliverMail();
    expect(context.mail.sent.at(-1)).toMatchObject({ to: form.email, subject: 'Kopek: reset your password' });
  });

  it('refuses a language it does not have, changing nothing', async () => {
    const { browser, me } = await registerMerchant(context);
    const response = await browser.patch('/api/cabinet/me', { language: 'de' });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields.language.code).toBe('invalid');
    const user = await context.deps.db
      .selectFrom('users')
      .select('language')
      .where('id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(user.language).toBe('ru');
  });

  it('needs a session', async () => {
    const response = await new TestBrowser(context.app).patch('/api/cabinet/me', { language: 'en' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
  });
});
