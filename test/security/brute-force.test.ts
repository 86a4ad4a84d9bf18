/**
 * Brute force against the cabinet's credentials: a user is locked after repeated wrong passwords or
 * second-factor codes (even the right password is then refused), sign-ins, registrations and link
 * requests are limited per IP (counted in PostgreSQL), and a limited IP does not block anyone else.
 *
 * Wrong signatures on the Robokassa-compatible endpoints and unknown API keys: signature-brute-force.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/modules/accounts/totp.js';
import { REGISTRATION_RATE_LIMIT } from '../../src/modules/accounts/registration.service.js';
import {
  FAILURES_BEFORE_LOCK,
  LOCK_DURATION_MS,
  SIGN_IN_RATE_LIMIT,
} from '../../src/modules/accounts/session.service.js';
import { TestBrowser } from '../support/client.js';
import { GOOD_PASSWORD, registerMerchant, registrationForm } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let addresses = 0;

/** A browser with an address of its own, so each test counts only its own attempts. */
function browserAt(ip?: string): TestBrowser {
  addresses += 1;
  return new TestBrowser(context.app, ip ?? `192.0.2.${addresses}`);
}

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
});
afterAll(() => context?.close());

function codeOf(response: { json(): unknown }): string | undefined {
  return (response.json() as { error?: { code?: string } }).error?.code;
}

describe('brute force against sign-in', () => {
  // Fails if: a wrong password can be tried more than FAILURES_BEFORE_LOCK times before the user is
  // locked, the right password gets through during the lock, or the lock never ends.
  it('locks a user after repeated wrong passwords, refuses even the right one, and unlocks after the lock time', async () => {
    const { form } = await registerMerchant(context);
    const attacker = browserAt();
    for (let attempt = 1; attempt <= FAILURES_BEFORE_LOCK; attempt += 1) {
      const response = await attacker.post('/api/cabinet/sessions', {
        email: form.email,
        password: `guess-${attempt}`,
      });
      expect(response.statusCode, `attempt ${attempt}`).toBe(401);
    }
    const locked = await browserAt().post('/api/cabinet/sessions', {
      email: form.email,
      password: GOOD_PASSWORD,
    });
    expect(locked.statusCode, locked.body).toBe(423);
    expect(codeOf(locked)).toBe('user_locked');
    // The lock holds by account login + personal login too.
    const byLogin = await browserAt().post('/api/cabinet/sessions', {
      accountLogin: form.accountLogin,
      userLogin: form.adminLogin,
      password: GOOD_PASSWORD,
    });
    expect(byLogin.statusCode).toBe(423);
    context.clock.advanceMs(LOCK_DURATION_MS + 1_000);
    const after = await browserAt().post('/api/cabinet/sessions', {
      email: form.email,
      password: GOOD_PASSWORD,
    });
    expect(after.statusCode, after.body).toBe(200);
  });

  // Fails if: wrong second-factor codes can be tried without limit once the password is known.
  it('locks a user after repeated wrong second-factor codes', async () => {
    const { browser, form } = await registerMerchant(context);
    const setup = (await browser.post('/api/cabinet/me/totp/setup')).json() as { secret: string };
    const enabled = await browser.post('/api/cabinet/me/totp/enable', {
      code: generateTotp(setup.secret, context.clock.now()),
    });
    expect(enabled.statusCode, enabled.body).toBe(200);
    const now = context.clock.now().getTime();
    const valid = new Set(
      [-30_000, 0, 30_000].map((shift) => generateTotp(setup.secret, new Date(now + shift))),
    );
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555', '666666'].filter(
      (code) => !valid.has(code),
    );
    const attacker = browserAt();
    for (const code of wrong.slice(0, FAILURES_BEFORE_LOCK)) {
      const response = await attacker.post('/api/cabinet/sessions', {
        email: form.email,
        password: GOOD_PASSWORD,
        totpCode: code,
      });
      expect(response.statusCode, response.body).toBe(401);
    }
    const locked = await attacker.post('/api/cabinet/sessions', {
      email: form.email,
      password: GOOD_PASSWORD,
      totpCode: generateTotp(setup.secret, context.clock.now()),
    });
    expect(locked.statusCode, locked.body).toBe(423);
  });

  // Fails if: one address can try more than SIGN_IN_RATE_LIMIT sign-ins in the window (spread over many
  // accounts, so no lock would stop it), or the limit of one address blocks another.
  it('limits sign-in attempts per IP address, without blocking other addresses', async () => {
    const ip = '198.51.100.7';
    for (let attempt = 1; attempt <= SIGN_IN_RATE_LIMIT.limit; attempt += 1) {
      const response = await browserAt(ip).post('/api/cabinet/sessions', {
        email: `nobody${attempt}@example.ru`,
        password: 'guess',
      });
      expect(response.statusCode, `attempt ${attempt}`).toBe(401);
    }
    const limited = await browserAt(ip).post('/api/cabinet/sessions', {
      email: 'nobody@example.ru',
      password: 'guess',
    });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const elsewhere = await browserAt().post('/api/cabinet/sessions', {
      email: 'nobody@example.ru',
      password: 'guess',
    });
    expect(elsewhere.statusCode).toBe(401);
    context.clock.advanceMs(SIGN_IN_RATE_LIMIT.windowMs);
    const later = await browserAt(ip).post('/api/cabinet/sessions', {
      email: 'nobody@example.ru',
      password: 'guess',
    });
    expect(later.statusCode).toBe(401);
  });
});

describe('brute force against registration and e-mailed links', () => {
  // Fails if: one address can register more than REGISTRATION_RATE_LIMIT accounts in the window.
  it('limits registrations per IP address', async () => {
    const ip = '198.51.100.8';
    for (let attempt = 1; attempt <= REGISTRATION_RATE_LIMIT.limit; attempt += 1) {
      const response = await browserAt(ip).post('/api/cabinet/registrations', registrationForm());
      expect(response.statusCode, response.body).toBe(201);
    }
    const limited = await browserAt(ip).post('/api/cabinet/registrations', registrationForm());
    expect(limited.statusCode).toBe(429);
    expect(await browserAt().post('/api/cabinet/registrations', registrationForm())).toHaveProperty(
      'statusCode',
      201,
    );
  });

  // Fails if: reset or confirmation links can be requested without limit from one address (mail bombing,
  // and probing which addresses have accounts).
  it('limits password-reset and confirmation-link requests per IP address', async () => {
    for (const path of ['/api/cabinet/password-resets', '/api/cabinet/registrations/resend']) {
      const ip = path.includes('reset') ? '198.51.100.9' : '198.51.100.10';
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 11; attempt += 1) {
        statuses.push((await browserAt(ip).post(path, { email: `someone${attempt}@example.ru` })).statusCode);
      }
      expect(statuses.slice(0, 10), path).toEqual(Array(10).fill(202));
      expect(statuses[10], path).toBe(429);
    }
  });
});
