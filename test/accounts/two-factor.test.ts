import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/modules/accounts/totp.js';
import { TestBrowser } from '../support/client.js';
import { auditEntries, GOOD_PASSWORD, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

/** A well-formed code that is not valid now (nor in the neighbouring 30-second steps). */
function wrongCode(secret: string): string {
  const now = context.clock.now().getTime();
  const valid = [-30_000, 0, 30_000].map((shift) => generateTotp(secret, new Date(now + shift)));
  let candidate = Number(valid[1]);
  do candidate = (candidate + 1) % 1_000_000;
  while (valid.includes(String(candidate).padStart(6, '0')));
  return String(candidate).padStart(6, '0');
}

async function totpState(userId: string) {
  const user = await context.deps.db
    .selectFrom('users')
    .select(['totp_enabled_at', 'totp_secret_sealed'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const codes = await context.deps.db
    .selectFrom('recovery_codes')
    .select(['code_hash', 'used_at'])
    .where('user_id', '=', userId)
    .execute();
  return { ...user, codes };
}

/** Registers a merchant and turns two-factor on; returns the secret and recovery codes. */
async function merchantWithTotp() {
  const merchant = await registerMerchant(context);
  const setup = await merchant.browser.post('/api/cabinet/me/totp/setup');
  const { secret } = setup.json() as { secret: string };
  const enabled = await merchant.browser.post('/api/cabinet/me/totp/enable', {
    code: generateTotp(secret, context.clock.now()),
  });
  expect(enabled.statusCode, enabled.body).toBe(200);
  // The next code comes from a later 30-second step than the one spent on enabling.
  context.clock.advanceMs(30_000);
  return { ...merchant, secret, recoveryCodes: enabled.json().recoveryCodes as string[] };
}

function signIn(credentials: Record<string, unknown>) {
  return new TestBrowser(context.app).post('/api/cabinet/sessions', credentials);
}

describe('two-factor setup', () => {
  it('starts with a secret, an otpauth URI and a QR code, sealing the secret at rest', async () => {
    const { browser, form, me } = await registerMerchant(context);
    const response = await browser.post('/api/cabinet/me/totp/setup');
    expect(response.statusCode, response.body).toBe(200);
    const { secret, otpauthUri, qrSvg } = response.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri).toContain('issuer=Kopek');
    expect(decodeURIComponent(otpauthUri)).toContain(form.email);
    expect(qrSvg.startsWith('<svg')).toBe(true);
    const state = await totpState(me.user.id);
    expect(state.totp_enabled_at).toBeNull();
    expect(state.totp_secret_sealed).toMatch(/^v1\./);
    expect(state.totp_secret_sealed).not.toContain(secret);
    // Not on yet: signing in still needs no code.
    expect((await signIn({ email: form.email, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it('refuses to enable with a wrong code, on the code field, and stays off', async () => {
    const { browser, me } = await registerMerchant(context);
    const { secret } = (await browser.post('/api/cabinet/me/totp/setup')).json();
    for (const code of [wrongCode(secret), 'abcdef', '']) {
      const response = await browser.post('/api/cabinet/me/totp/enable', { code });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.fields.code.code).toBe('totp_invalid');
    }
    const state = await totpState(me.user.id);
    expect(state.totp_enabled_at).toBeNull();
    expect(state.codes).toHaveLength(0);
    expect((await browser.get('/api/cabinet/me')).json().user.totpEnabled).toBe(false);
  });

  it('refuses to enable before setup', async () => {
    const { browser } = await registerMerchant(context);
    const response = await browser.post('/api/cabinet/me/totp/enable', { code: '123456' });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('totp_not_set_up');
  });

  it('enables with the right code and hands out 10 distinct recovery codes, stored hashed', async () => {
    const { browser, me, recoveryCodes } = await merchantWithTotp();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const state = await totpState(me.user.id);
    expect(state.totp_enabled_at).not.toBeNull();
    expect(state.codes).toHaveLength(10);
    for (const code of recoveryCodes) {
      expect(state.codes.some((row) => row.code_hash.includes(code))).toBe(false);
    }
    expect((await browser.get('/api/cabinet/me')).json().user.totpEnabled).toBe(true);
    expect(await auditEntries(context, 'user.totp_enabled', { actorUserId: me.user.id })).toHaveLength(1);
    const again = await browser.post('/api/cabinet/me/totp/setup');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('totp_already_enabled');
  });
});

describe('signing in with two-factor on', () => {
  it('asks for the code when it is missing, refuses a wrong one and accepts the right one', async () => {
    const { form, secret } = await merchantWithTotp();
    const credentials = { email: form.email, password: GOOD_PASSWORD };

    const missing = await signIn(credentials);
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.code).toBe('totp_required');
    expect(missing.cookies.some((cookie) => cookie.name === 'kopek_session')).toBe(false);

    const wrong = await signIn({ ...credentials, totpCode: wrongCode(secret) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('totp_invalid');
    expect(wrong.cookies.some((cookie) => cookie.name === 'kopek_session')).toBe(false);

    const right = await signIn({ ...credentials, totpCode: generateTotp(secret, context.clock.now()) });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.cookies.some((cookie) => cookie.name === 'kopek_session')).toBe(true);
  });

  // RFC 6238 §5.2: a verifier must not accept the same one-time password twice. See the report.
  it('refuses a TOTP code that has already been used to sign in', async () => {
    const { form, secret } = await merchantWithTotp();
    const code = generateTotp(secret, context.clock.now());
    expect((await signIn({ email: form.email, password: GOOD_PASSWORD, totpCode: code })).statusCode).toBe(
      200,
    );
    context.clock.advanceMs(5_000);
    const replayed = await signIn({ email: form.email, password: GOOD_PASSWORD, totpCode: code });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.code).toBe('totp_invalid');
  });

  it('does not reveal whether the password was right when the code is missing but the password wrong', async () => {
    const { form } = await merchantWithTotp();
    const response = await signIn({ email: form.email, password: 'wrong password' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_credentials');
  });

  it('accepts a recovery code once, and not twice', async () => {
    const { form, me, recoveryCodes } = await merchantWithTotp();
    const code = recoveryCodes[3] ?? '';
    const first = await signIn({ email: form.email, password: GOOD_PASSWORD, totpCode: code });
    expect(first.statusCode, first.body).toBe(200);
    const used = (await totpState(me.user.id)).codes.filter((row) => row.used_at !== null);
    expect(used).toHaveLength(1);

    const second = await signIn({ email: form.email, password: GOOD_PASSWORD, totpCode: code });
    expect(second.statusCode).toBe(401);
    expect(second.json().error.code).toBe('totp_invalid');

    const another = await signIn({
      email: form.email,
      password: GOOD_PASSWORD,
      totpCode: (recoveryCodes[4] ?? '').toUpperCase(),
    });
    expect(another.statusCode, another.body).toBe(200);
  });

  it('counts wrong codes towards the lock', async () => {
    const { form, me, secret } = await merchantWithTotp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await signIn({ email: form.email, password: GOOD_PASSWORD, totpCode: wrongCode(secret) });
    }
    const locked = await signIn({
      email: form.email,
      password: GOOD_PASSWORD,
      totpCode: generateTotp(secret, context.clock.now()),
    });
    expect(locked.statusCode).toBe(423);
    expect(await auditEntries(context, 'user.locked', { actorUserId: me.user.id })).toHaveLength(1);
  });
});

describe('turning two-factor off', () => {
  it('needs the own password', async () => {
    const { browser, me } = await merchantWithTotp();
    const response = await browser.post('/api/cabinet/me/totp/disable', { password: 'not my password' });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields.password.code).toBe('wrong_password');
    expect((await totpState(me.user.id)).totp_enabled_at).not.toBeNull();
  });

  it('turns it off with the password: the secret and recovery codes are gone and no code is asked', async () => {
    const { browser, form, me } = await merchantWithTotp();
    const response = await browser.post('/api/cabinet/me/totp/disable', { password: GOOD_PASSWORD });
    expect(response.statusCode, response.body).toBe(204);
    expect(await totpState(me.user.id)).toEqual({
      totp_enabled_at: null,
      totp_secret_sealed: null,
      codes: [],
    });
    expect(await auditEntries(context, 'user.totp_disabled', { actorUserId: me.user.id })).toHaveLength(1);
    expect((await signIn({ email: form.email, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });
});
