/**
 * Brute force against signatures and API keys: every endpoint that checks a shop's password or an API
 * key counts FAILED checks per client address (platform/http/credential-failures) and, past the limit,
 * answers in its own error shape without evaluating the signature. Successes never count, other addresses
 * are not affected, and the window slides.
 *
 * The limit is lowered to 5 per 10 minutes here (KOPEK_SIGNATURE_FAILURE_LIMIT) so each case is short.
 */
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex } from '../../src/modules/protocol/index.js';
import { CredentialFailureLimiter, failureSubjectOf } from '../../src/platform/http/credential-failures.js';
import { DEMO } from '../../src/seed.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { demoInitUrl, MerchantStub, prepareDemoShop } from '../support/payments.js';

const LIMIT = 5;
const WINDOW_MS = 600_000;

let context: TestContext;
let stub: MerchantStub;
let addresses = 0;

/** A fresh address per case, so each case counts only its own failures. */
function nextIp(): string {
  addresses += 1;
  return `203.0.113.${addresses}`;
}

beforeAll(async () => {
  context = await createTestContext({
    LOG_LEVEL: 'silent',
    KOPEK_SIGNATURE_FAILURE_LIMIT: String(LIMIT),
    KOPEK_SIGNATURE_FAILURE_WINDOW_SECONDS: String(WINDOW_MS / 1000),
  });
  stub = new MerchantStub();
  await stub.start();
  await prepareDemoShop(context, stub);
});
afterAll(async () => {
  await stub?.stop();
  await context?.close();
});

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function hmacToken(payload: unknown, key: string, alg: 'HS256' | 'MD5'): string {
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  const hash = alg === 'HS256' ? 'sha256' : 'md5';
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

interface EndpointCase {
  readonly name: string;
  /** A request whose signature or key is wrong. */
  send(ip: string, isSigned: boolean): Promise<LightMyRequestResponse>;
  /** What the endpoint answers a wrong signature with (below the limit). */
  isFailureAnswer(response: LightMyRequestResponse): boolean;
  /** What it answers an address over the limit with. */
  isLimitedAnswer(response: LightMyRequestResponse): boolean;
  /** What it answers a correct request with. */
  isSuccessAnswer(response: LightMyRequestResponse): boolean;
}

const opStateUrl = (signature: string) =>
  `/Merchant/WebService/Service.asmx/OpStateExt?MerchantLogin=demo&InvoiceID=987654&Signature=${signature}`;

const CASES: EndpointCase[] = [
  {
    name: 'Index.aspx (page error 29)',
    send: (ip, isSigned) =>
      context.app.inject({
        method: 'GET',
        url: demoInitUrl({ outSum: '10.00', ...(isSigned ? {} : { password: 'guess' }) }),
        remoteAddress: ip,
      }),
    isFailureAnswer: (response) => response.statusCode === 400 && response.body.includes('29'),
    isLimitedAnswer: (response) =>
      response.statusCode === 429 &&
      response.headers['content-type']?.toString().startsWith('text/html') === true &&
      response.body.includes('41'),
    isSuccessAnswer: (response) => response.statusCode === 303,
  },
  {
    name: 'Indexjson.aspx (errorCode 29)',
    send: (ip, isSigned) => {
      const query = new URL(
        demoInitUrl({ outSum: '10.00', ...(isSigned ? {} : { password: 'guess' }) }),
        'http://x',
      ).searchParams;
      return context.app.inject({
        method: 'POST',
        url: '/Merchant/Indexjson.aspx',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: query.toString(),
        remoteAddress: ip,
      });
    },
    isFailureAnswer: (response) => (response.json() as { errorCode?: number }).errorCode === 29,
    isLimitedAnswer: (response) => (response.json() as { errorCode?: number }).errorCode === 41,
    isSuccessAnswer: (response) => typeof (response.json() as { invoiceID?: string }).invoiceID === 'string',
  },
  {
    name: 'OpStateExt (Result 1)',
    send: (ip, isSigned) =>
      context.app.inject({
        method: 'GET',
        url: opStateUrl(isSigned ? hashHex('MD5', `demo:987654:${DEMO.shop.password2}`) : 'deadbeef'),
        remoteAddress: ip,
      }),
    isFailureAnswer: (response) => response.body.includes('<Code>1</Code>'),
    isLimitedAnswer: (response) => response.body.includes('<Code>1000</Code>'),
    // No payment 987654: a correct signature reaches the lookup and hears "not found" (3).
    isSuccessAnswer: (response) => response.body.includes('<Code>3</Code>'),
  },
  {
    name: 'Refund API (bad JWT)',
    send: (ip, isSigned) =>
      context.app.inject({
        method: 'POST',
        url: '/RefundService/Refund/Create',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(
          hmacToken({ OpKey: 'nope' }, isSigned ? DEMO.shop.password3 : 'guess', 'HS256'),
        ),
        remoteAddress: ip,
      }),
    isFailureAnswer: (response) => response.json<{ message?: string }>().message === 'OperationNotFound',
    isLimitedAnswer: (response) => response.json<{ message?: string }>().message === 'TooManyRequests',
    // No operation has OpKey "nope": even a well-signed token hears OperationNotFound, and counts (the
    // two cannot be told apart); the success case is the list call on the Invoice API instead.
    isSuccessAnswer: () => false,
  },
  {
    name: 'Invoice API (bad JWT)',
    send: (ip, isSigned) =>
      context.app.inject({
        method: 'POST',
        url: '/InvoiceServiceWebApi/api/GetInvoiceInformationList',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(
          hmacToken(
            {
              MerchantLogin: 'demo',
              CurrentPage: 1,
              PageSize: 10,
              InvoiceStatuses: ['Paid'],
              InvoiceTypes: ['OneTime'],
              DateFrom: '2026-01-01T00:00:00+03:00',
              DateTo: '2026-12-31T00:00:00+03:00',
            },
            `demo:${isSigned ? DEMO.shop.password1 : 'guess'}`,
            'MD5',
          ),
        ),
        remoteAddress: ip,
      }),
    isFailureAnswer: (response) =>
      response.json<{ message?: string }>().message?.startsWith('Invalid signature') === true,
    isLimitedAnswer: (response) =>
      response.json<{ message?: string }>().message?.startsWith('Too many requests') === true,
    isSuccessAnswer: (response) => response.json<{ isSuccess?: boolean }>().isSuccess === true,
  },
  {
    name: 'hold Confirm (bad signature)',
    send: (ip, isSigned) => {
      const base = `demo:10.00:987654:${isSigned ? DEMO.shop.password1 : 'guess'}`;
      return context.app.inject({
        method: 'POST',
        url: '/Merchant/Payment/Confirm',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          MerchantLogin: 'demo',
          InvoiceID: '987654',
          OutSum: '10.00',
          SignatureValue: hashHex('MD5', base),
        }).toString(),
        remoteAddress: ip,
      });
    },
    isFailureAnswer: (response) =>
      response.body.includes('false') && response.headers['retry-after'] === undefined,
    isLimitedAnswer: (response) =>
      response.body.includes('false') && response.headers['retry-after'] !== undefined,
    isSuccessAnswer: () => false,
  },
  {
    name: '/api/v1 (unknown API key)',
    send: (ip) =>
      context.app.inject({
        method: 'GET',
        url: '/api/v1/balance',
        headers: { authorization: `Bearer kpk_live_${'x'.repeat(40)}` },
        remoteAddress: ip,
      }),
    isFailureAnswer: (response) =>
      response.statusCode === 401 &&
      response.json<{ error: { code: string } }>().error.code === 'invalid_api_key',
    isLimitedAnswer: (response) =>
      response.statusCode === 429 &&
      response.json<{ error: { code: string } }>().error.code === 'rate_limited',
    isSuccessAnswer: () => false,
  },
];

describe('failed signatures and API keys are limited per address', () => {
  // Fails if: an endpoint lets an address try more than LIMIT wrong signatures in the window, answers the
  // refusal in another endpoint's shape or without Retry-After, lets the limit of one address block
  // another, or keeps refusing after the failures have left the window.
  it.each(CASES)(
    '$name: LIMIT failures, then refused with Retry-After; others unaffected',
    async (endpoint) => {
      const ip = nextIp();
      for (let attempt = 1; attempt <= LIMIT; attempt += 1) {
        const response = await endpoint.send(ip, false);
        expect(endpoint.isFailureAnswer(response), `attempt ${attempt}: ${response.body.slice(0, 300)}`).toBe(
          true,
        );
      }
      // Even a correctly signed request is refused now, before its signature is looked at.
      const limited = await endpoint.send(ip, true);
      expect(endpoint.isLimitedAnswer(limited), limited.body.slice(0, 300)).toBe(true);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);

      const other = await endpoint.send(nextIp(), false);
      expect(endpoint.isFailureAnswer(other), other.body.slice(0, 300)).toBe(true);

      context.clock.advanceMs(WINDOW_MS);
      const later = await endpoint.send(ip, false);
      expect(endpoint.isFailureAnswer(later), later.body.slice(0, 300)).toBe(true);
    },
  );

  // Fails if: successful requests count towards the limit, so a busy merchant would lock itself out.
  it('does not count successes: many correct requests and LIMIT - 1 failures leave an address working', async () => {
    const ip = nextIp();
    for (const endpoint of CASES.filter(
      (item) => item.name.startsWith('Index.aspx') || item.name.startsWith('Invoice'),
    )) {
      for (let index = 0; index < LIMIT * 3; index += 1) {
        const response = await endpoint.send(ip, true);
        expect(endpoint.isSuccessAnswer(response), `${endpoint.name}: ${response.body.slice(0, 300)}`).toBe(
          true,
        );
      }
    }
    const index = CASES[0];
    if (!index) throw new Error('no cases');
    for (let attempt = 1; attempt < LIMIT; attempt += 1) {
      expect(index.isFailureAnswer(await index.send(ip, false))).toBe(true);
    }
    expect(index.isSuccessAnswer(await index.send(ip, true))).toBe(true);
  });

  // Fails if: each endpoint counts on its own, so an attacker could spread guesses over them.
  it('counts failures on all endpoints together', async () => {
    const ip = nextIp();
    for (const endpoint of CASES.slice(0, LIMIT)) {
      expect(endpoint.isFailureAnswer(await endpoint.send(ip, false)), endpoint.name).toBe(true);
    }
    const last = CASES.at(-1);
    if (!last) throw new Error('no cases');
    expect(last.isLimitedAnswer(await last.send(ip, false))).toBe(true);
  });

  // Fails if: the window is fixed (all failures forgotten at a boundary) instead of sliding.
  it('slides: failures leave the window one by one, by their age', async () => {
    const ip = nextIp();
    const index = CASES[0];
    if (!index) throw new Error('no cases');
    for (let attempt = 1; attempt <= 3; attempt += 1) await index.send(ip, false);
    context.clock.advanceMs(WINDOW_MS / 2);
    for (let attempt = 1; attempt <= 2; attempt += 1) await index.send(ip, false);
    expect(index.isLimitedAnswer(await index.send(ip, true))).toBe(true);
    // The first three leave the window after WINDOW_MS (plus at most one tenth of it, the bucket).
    context.clock.advanceMs(WINDOW_MS / 2 + WINDOW_MS / 10);
    expect(index.isSuccessAnswer(await index.send(ip, true))).toBe(true);
    // The last two are still inside: three more failures fill it again.
    for (let attempt = 1; attempt <= 3; attempt += 1) await index.send(ip, false);
    expect(index.isLimitedAnswer(await index.send(ip, true))).toBe(true);
  });
});

describe('the limiter on several nodes', () => {
  // Fails if: nodes count separately (the count is not in PostgreSQL), so N nodes would give N times the
  // attempts; a node that has not seen the failures learns the verdict at the next failure it sees.
  it('shares the count through PostgreSQL: another node refuses at its first failure past the limit', async () => {
    const rule = { limit: LIMIT, windowMs: WINDOW_MS };
    const first = new CredentialFailureLimiter(context.deps.db, context.clock, rule);
    const second = new CredentialFailureLimiter(context.deps.db, context.clock, rule);
    const ip = nextIp();
    for (let attempt = 1; attempt <= LIMIT; attempt += 1) {
      expect((await first.recordFailure(ip)).isRefused).toBe(false);
    }
    expect(first.check(ip).isRefused).toBe(true);
    expect(second.check(ip).isRefused).toBe(false);
    expect((await second.recordFailure(ip)).isRefused).toBe(true);
    expect(second.check(ip).isRefused).toBe(true);
  });

  it('keys IPv6 addresses by their /64 prefix and IPv4-mapped addresses as IPv4', () => {
    expect(failureSubjectOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(failureSubjectOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(failureSubjectOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(failureSubjectOf('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(failureSubjectOf('198.51.100.4')).toBe('198.51.100.4');
  });
});
