/**
 * Property-based fuzzing of the Robokassa-compatible surfaces: the payment request (/Merchant/Index.aspx
 * and its aliases, GET and POST), Indexjson.aspx, the XML web service (every method, GET and POST), the
 * hold requests, the Refund API, the Invoice API, and the buyer's pages. Every request is hostile:
 * unknown and repeated parameters, prototype-pollution names, control and astral characters, numbers out
 * of every range, broken percent-encoding, wrong content types, oversized values. For each one:
 * - never a 5xx;
 * - the answer has the surface's own format (Robokassa's error page, the web service's XML, Robokassa's
 *   JSON), or the platform's JSON error when Fastify refuses the body before any handler runs;
 * - a refused request changes nothing: payments, refunds, ledger, jobs, notifications and the other
 *   guarded tables are exactly as before (row counts and a digest of every payment and refund row);
 * - no shop password ever appears in an answer, and Object.prototype stays clean.
 * Correctly signed requests with hostile signed values are generated too, so the fuzz reaches the code
 * behind the signature check; when such a request is accepted, only the expected rows may appear.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashHex, signInitRequest } from '../../src/modules/protocol/index.js';
import { DEMO } from '../../src/seed.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  cardForm,
  MerchantStub,
  prepareDemoShop,
  startDemoPayment,
  submitCard,
} from '../support/payments.js';
import {
  brokenPieces,
  describeRequest,
  encodeFields,
  expectJsonError,
  expectNo5xx,
  expectNoSecrets,
  expectPrototypeClean,
  expectRobokassaErrorPage,
  expectServiceXml,
  fuzzParameters,
  fuzzTimeoutMs,
  hostileFields,
  hostileJsonText,
  hostileString,
  isBodyParserRefusal,
  percentEncode,
  randomCase,
  safeJson,
  StateGuard,
  withoutKnownNul,
  withoutKnownNulJson,
} from './security-support.js';

const SHOP_SECRETS = [
  DEMO.shop.password1,
  DEMO.shop.password2,
  DEMO.shop.password3,
  DEMO.shop.testPassword1,
  DEMO.shop.testPassword2,
];

const INIT_NAMES = [
  'MerchantLogin',
  'MrchLogin',
  'OutSum',
  'InvId',
  'InvoiceID',
  'Description',
  'Desc',
  'SignatureValue',
  'IncCurrLabel',
  'PaymentMethods',
  'Culture',
  'Encoding',
  'Email',
  'ExpirationDate',
  'OutSumCurrency',
  'UserIp',
  'IsTest',
  'Receipt',
  'Recurring',
  'IsWithoutFreeSale',
  'StepByStep',
  'ResultUrl2',
  'SuccessUrl2',
  'SuccessUrl2Method',
  'FailUrl2',
  'FailUrl2Method',
  'Token',
  'Shp_item',
  'shp_order',
];
const INIT_PATHS = [
  '/Merchant/Index.aspx',
  '/merchant/index.aspx',
  '/Merchant/Payment/Index',
  '/merchant/payment/index',
];
const WEB_SERVICE_METHODS = [
  'OpStateExt',
  'OpState',
  'GetCurrencies',
  'GetPaymentMethods',
  'GetRates',
  'CalcOutSumm',
];
const WEB_SERVICE_PREFIXES = [
  '/Merchant/WebService/Service.asmx',
  '/merchant/webservice/service.asmx',
  '/WebService/Service.asmx',
];
const WEB_SERVICE_NAMES = [
  'MerchantLogin',
  'InvoiceID',
  'Signature',
  'OutSum',
  'IncSum',
  'IncCurrLabel',
  'Language',
];

/** Content types a client may send by mistake or on purpose; the first two are the surfaces' own. */
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=windows-1251',
  'application/json',
  'text/plain',
  'text/xml',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/x-www-form-urlencoded; charset=utf-8; charset=utf-16',
  '',
];

const stub = new MerchantStub();
let context: TestContext;
let paid: { id: string; opKey: string; invId: string };
let openPaymentId: string;

beforeAll(async () => {
  await stub.start();
  // Fuzzing sends thousands of wrong signatures from one address: the limit on them (tested in
  // signature-brute-force.test.ts) is raised so the fuzz keeps reaching the handlers.
  context = await createTestContext({ LOG_LEVEL: 'silent', KOPEK_SIGNATURE_FAILURE_LIMIT: '100000' });
  await prepareDemoShop(context, stub);
  const paidId = await startDemoPayment(context.app, { invId: '7001', outSum: '100000.00' });
  const card = await submitCard(context.app, paidId, cardForm('4111 1111 1111 1111'));
  expect(card.statusCode).toBe(303);
  const row = await context.deps.db
    .selectFrom('payments')
    .select(['status', 'op_key'])
    .where('id', '=', paidId)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('paid');
  paid = { id: paidId, opKey: row.op_key ?? '', invId: '7001' };
  openPaymentId = await startDemoPayment(context.app, { invId: '7002' });
});
afterAll(async () => {
  await context?.close();
  await stub.stop();
});

/** Up to `most` of the named fields, each with its own generator: real requests send few of them. */
function someOf(
  fields: Record<string, fc.Arbitrary<string>>,
  most: number,
): fc.Arbitrary<Record<string, string>> {
  return fc
    .uniqueArray(fc.constantFrom(...Object.keys(fields)), { maxLength: most })
    .chain((names) =>
      fc.record(Object.fromEntries(names.map((name) => [name, fields[name] as fc.Arbitrary<string>]))),
    );
}

/** The text the server sees after percent-decoding (a lone surrogate arrives as U+FFFD). */
function asReceived(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

type Entries = [string, string | string[]][];

interface BodyRequest {
  readonly transport: 'get' | 'post';
  readonly contentType: string;
  readonly broken: string[];
  readonly jsonText?: string | undefined;
}

const bodyRequest: fc.Arbitrary<BodyRequest> = fc.record({
  transport: fc.constantFrom('get' as const, 'post' as const),
  contentType: fc.constantFrom(...CONTENT_TYPES),
  broken: brokenPieces,
  jsonText: fc.option(hostileJsonText, { nil: undefined }),
});

/** The request for these fields: a query string, or a body in the given content type. */
function buildRequest(
  path: string,
  entries: Entries,
  shape: BodyRequest,
): InjectOptions & { url: string; method: string } {
  const encoded = encodeFields(entries, shape.broken);
  if (shape.transport === 'get') return { method: 'GET', url: `${path}?${encoded}` };
  const isJson = shape.contentType.startsWith('application/json');
  const payload = isJson
    ? (shape.jsonText ?? withoutKnownNulJson(JSON.stringify(Object.fromEntries(entries))))
    : shape.contentType.includes('x-www-form-urlencoded')
      ? encoded
      : (shape.jsonText ?? encoded);
  return {
    method: 'POST',
    url: path,
    headers: shape.contentType ? { 'content-type': shape.contentType } : {},
    payload,
  };
}

/** Whether the surface may answer with the platform's JSON refusal: only for bodies it does not parse. */
function mayBeRefusedByParser(request: InjectOptions): boolean {
  const contentType = String((request.headers as Record<string, string> | undefined)?.['content-type'] ?? '');
  return request.method === 'POST' && !/^application\/x-www-form-urlencoded(;|$)/.test(contentType);
}

async function send(request: InjectOptions & { url: string; method: string }) {
  const response = await context.app.inject(request);
  const what = describeRequest(request);
  expectNo5xx(response, what);
  expectNoSecrets(response.body, SHOP_SECRETS, what);
  expectPrototypeClean();
  return { response, what };
}

describe('the payment request (Index.aspx and its aliases)', () => {
  // Fails if: a parameter combination throws (5xx), an answer is not Robokassa's error page, or a refused
  // request writes a payment, a job or anything else guarded. Without a valid signature nothing may start.
  it(
    'refuses hostile unsigned requests with the error page and stores nothing',
    async () => {
      const guard = await StateGuard.start(context);
      const arbitrary = fc.record({
        path: fc.constantFrom(...INIT_PATHS),
        entries: hostileFields(INIT_NAMES),
        withDemoLogin: fc.boolean(),
        shape: bodyRequest,
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ path, entries, withDemoLogin, shape }) => {
          const fields: Entries = withDemoLogin ? [['MerchantLogin', 'demo'], ...entries] : entries;
          const request = buildRequest(path, fields, shape);
          const { response, what } = await send(request);
          if (mayBeRefusedByParser(request) && isBodyParserRefusal(response)) expectJsonError(response, what);
          else expectRobokassaErrorPage(response, what);
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  const signedValue = fc.oneof(hostileString, fc.constantFrom('100.00', '1', '10.5')).map(asReceived);
  const optionalSigned = someOf(
    {
      outSumCurrency: fc
        .oneof(fc.constantFrom('USD', 'EUR', 'KZT', 'RUB', 'usd'), hostileString)
        .map(asReceived),
      userIp: fc
        .oneof(fc.constantFrom('127.0.0.1', '::1', '10.0.0.1', '999.1.1.1'), hostileString)
        .map(asReceived),
      receipt: fc
        .oneof(
          hostileJsonText,
          hostileString,
          fc.constant('{"items":[{"name":"x","quantity":1,"sum":100,"tax":"none"}]}'),
        )
        .map((text) => asReceived(withoutKnownNul(text))),
      stepByStep: fc.oneof(fc.constantFrom('true', 'false', 'TRUE'), hostileString).map(asReceived),
      resultUrl2: fc
        .oneof(fc.constantFrom('https://shop.example.ru/r', 'javascript:alert(1)'), hostileString)
        .map(asReceived),
      successUrl2: fc.oneof(fc.constant('http://127.0.0.1/s'), hostileString).map(asReceived),
      successUrl2Method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT'), hostileString).map(asReceived),
      failUrl2: fc.oneof(fc.constant('https://shop.example.ru/f'), hostileString).map(asReceived),
      failUrl2Method: fc.oneof(fc.constantFrom('GET', 'POST'), hostileString).map(asReceived),
      token: hostileString.map(asReceived),
    },
    2,
  );
  const unsigned = someOf(
    {
      Description: hostileString,
      Email: fc.oneof(fc.constant('buyer@example.ru'), hostileString),
      Culture: fc.oneof(fc.constantFrom('ru', 'en', 'EN', 'de'), hostileString),
      ExpirationDate: fc.oneof(
        fc.constantFrom(
          '2026-03-02T12:00:00+03:00',
          '2000-01-01T00:00:00Z',
          '9999-12-31T23:59:59+14:00',
          '2026-02-30',
        ),
        hostileString,
      ),
      IncCurrLabel: fc.oneof(fc.constantFrom('BankCard', 'SBP', 'Qiwi'), hostileString),
      PaymentMethods: hostileString,
      Encoding: fc.oneof(fc.constantFrom('utf-8', 'windows-1251', 'koi8-r'), hostileString),
      IsWithoutFreeSale: fc.oneof(fc.constantFrom('true', 'false'), hostileString),
      Recurring: fc.oneof(fc.constantFrom('true', 'false'), hostileString),
    },
    3,
  );
  const signedInit = fc.record({
    outSum: signedValue,
    invId: fc.oneof(
      fc.constant(''),
      fc.integer({ min: 10_000, max: 2_000_000_000 }).map(String),
      signedValue,
    ),
    isTest: fc.boolean(),
    optional: optionalSigned,
    shp: fc.uniqueArray(
      fc.tuple(
        fc.constantFrom('Shp_item', 'shp_Order', 'SHP_x', 'Shp_<b>', 'Shp_Ω'),
        hostileString.map(asReceived),
      ),
      { maxLength: 3, selector: ([name]) => name.toLowerCase() },
    ),
    unsigned,
    path: fc.constantFrom(...INIT_PATHS, '/Merchant/Indexjson.aspx'),
    transport: fc.constantFrom('get' as const, 'form' as const, 'json' as const),
  });

  type SignedInit = typeof signedInit extends fc.Arbitrary<infer T> ? T : never;

  /** A request signed exactly as Kopek checks it, with Password #1 (or test Password #1 for IsTest=1). */
  function signedFields(input: SignedInit): Entries {
    const { outSum, invId, isTest, optional, shp, unsigned: extra } = input;
    const password = isTest ? DEMO.shop.testPassword1 : DEMO.shop.password1;
    const signature = signInitRequest(
      'MD5',
      { merchantLogin: 'demo', outSum, invId, ...optional, shp },
      password,
    );
    const optionalNames: Record<string, string> = {
      outSumCurrency: 'OutSumCurrency',
      userIp: 'UserIp',
      receipt: 'Receipt',
      stepByStep: 'StepByStep',
      resultUrl2: 'ResultUrl2',
      successUrl2: 'SuccessUrl2',
      successUrl2Method: 'SuccessUrl2Method',
      failUrl2: 'FailUrl2',
      failUrl2Method: 'FailUrl2Method',
      token: 'Token',
    };
    return [
      ['MerchantLogin', 'demo'],
      ['OutSum', outSum],
      ...(invId === '' ? [] : [['InvId', invId] as [string, string]]),
      ...Object.entries(optional).map(
        ([name, value]) => [optionalNames[name] ?? name, value] as [string, string],
      ),
      ...shp,
      ...Object.entries(extra),
      ...(isTest ? [['IsTest', '1'] as [string, string]] : []),
      ['SignatureValue', signature],
    ];
  }

  // Fails if: a signed request with hostile values throws (5xx) or is answered in the wrong format; a
  // refused one stores anything; an accepted one stores more than its payment (a refund, a ledger transfer
  // or a notification before any money moved) or leads to a payment page that fails to render.
  it(
    'handles correctly signed requests with hostile signed values: a payment or the error page, nothing else',
    async () => {
      const guard = await StateGuard.start(context);
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(signedInit, async (input) => {
          const fields = signedFields(input);
          const isJsonPath = input.path === '/Merchant/Indexjson.aspx';
          const request: InjectOptions & { url: string; method: string } =
            input.transport === 'get' && !isJsonPath
              ? { method: 'GET', url: `${input.path}?${encodeFields(fields)}` }
              : input.transport === 'json'
                ? { method: 'POST', url: input.path, payload: Object.fromEntries(fields) }
                : {
                    method: 'POST',
                    url: input.path,
                    headers: { 'content-type': 'application/x-www-form-urlencoded' },
                    payload: encodeFields(fields),
                  };
          const { response, what } = await send(request);
          const started = isJsonPath
            ? expectIndexJsonAnswer(response, what)
            : response.statusCode === 303
              ? await expectPaymentPageRenders(response, what)
              : (expectRobokassaErrorPage(response, what), false);
          if (!started) return guard.expectUnchanged(what);
          accepted += 1;
          const changed = await guard.accept();
          expect(
            Object.keys(changed).filter((key) => !['payments', 'paymentsDigest', 'jobs'].includes(key)),
            what,
          ).toEqual([]);
        }),
        fuzzParameters(),
      );
      // The signing above must be right often enough for the fuzz to reach past the signature check.
      expect(accepted).toBeGreaterThan(0);
    },
    fuzzTimeoutMs(),
  );
});

/** Indexjson.aspx: `{ invoiceID }` when a payment starts, `{ errorCode, errorMessage }` otherwise. */
function expectIndexJsonAnswer(response: LightMyRequestResponse, what: string): boolean {
  expect(response.statusCode, what).toBe(200);
  expect(response.headers['content-type'], what).toMatch(/^application\/json/);
  const body = safeJson(response.body) as {
    invoiceID?: unknown;
    errorCode?: unknown;
    errorMessage?: unknown;
  };
  if (typeof body?.invoiceID === 'string') return true;
  expect(typeof body?.errorCode, `${what}: ${response.body}`).toBe('number');
  expect(typeof body?.errorMessage, what).toBe('string');
  return false;
}

/** A started payment redirects to its page, and the page renders whatever the request carried. */
async function expectPaymentPageRenders(response: LightMyRequestResponse, what: string): Promise<boolean> {
  const location = String(response.headers.location);
  expect(location, what).toMatch(/^\/Merchant\/Index\/pay_\w+$/);
  const page = await context.app.inject({ method: 'GET', url: location });
  expect(page.statusCode, `${what} → page ${page.statusCode}`).toBeLessThan(500);
  expect(page.headers['content-type'], what).toMatch(/^text\/html/);
  return true;
}

describe('Indexjson.aspx', () => {
  // Fails if: a hostile body throws, or the answer is not Robokassa's JSON, or anything is stored.
  it(
    'answers hostile requests with errorCode JSON and stores nothing',
    async () => {
      const guard = await StateGuard.start(context);
      const arbitrary = fc.record({
        path: fc.constantFrom('/Merchant/Indexjson.aspx', '/merchant/indexjson.aspx'),
        entries: hostileFields(INIT_NAMES),
        shape: bodyRequest.map((shape) => ({ ...shape, transport: 'post' as const })),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ path, entries, shape }) => {
          const request = buildRequest(path, [['MerchantLogin', 'demo'], ...entries], shape);
          const { response, what } = await send(request);
          if (mayBeRefusedByParser(request) && isBodyParserRefusal(response)) expectJsonError(response, what);
          else expect(expectIndexJsonAnswer(response, what), what).toBe(false);
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

/**
 * KNOWN FINDING (see the report): two handlers look a name from the path up in a plain object, so names
 * of Object.prototype's members reach its functions and the request is answered 500:
 * /checkout/assets/:file (`toString`, `constructor`, `__proto__`, `valueOf`...) and
 * Service.asmx/:method (lower-cased: `constructor`, `__proto__`). Such names are kept out until the
 * lookups use Object.hasOwn or a Map; `normalize` is the handler's own key transformation.
 */
function withoutKnownPrototypeNames(name: string, normalize = (text: string) => text): string {
  return normalize(name) in {} ? `x${name}` : name;
}

function expectPageRefusal(response: LightMyRequestResponse, what: string): void {
  expect(response.statusCode, what).toBe(400);
  expect(response.headers['content-type'], what).toMatch(/^text\/html/);
  expect(response.body, what).toContain('<!doctype html>');
}

function expectInvalidUrl(response: LightMyRequestResponse, what: string): void {
  expect(response.statusCode, what).toBe(400);
  expect((safeJson(response.body) as { error?: { code?: string } }).error?.code, what).toBe('invalid_url');
}

/** The highest InvId PostgreSQL's bigint holds. */
const MAX_INV_ID = 9_223_372_036_854_775_807n;

/**
 * KNOWN FINDING (see the report): OpStateExt signed over an all-digit InvoiceID above 2^63-1 answers 500
 * (payment.webservice.ts passes BigInt(InvoiceID) to a bigint column). Signed requests avoid such ids
 * until that is fixed; unsigned ones still send them.
 */
function withoutKnownInvoiceIdOverflow(invoiceId: string): string {
  return /^\d{1,19}$/.test(invoiceId) && BigInt(invoiceId) > MAX_INV_ID ? '1' : invoiceId;
}

describe('the XML web service (Service.asmx)', () => {
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...WEB_SERVICE_METHODS).chain(randomCase) },
    {
      weight: 1,
      arbitrary: hostileString.map((name) =>
        withoutKnownPrototypeNames(name.slice(0, 80), (text) => text.toLowerCase()),
      ),
    },
  );
  const arbitrary = fc.record({
    prefix: fc.constantFrom(...WEB_SERVICE_PREFIXES),
    method,
    entries: hostileFields(WEB_SERVICE_NAMES),
    login: fc.constantFrom('demo', 'DEMO', 'nobody'),
    invoiceId: fc.oneof(fc.constant('<paid>'), hostileString),
    signing: fc.constantFrom('none' as const, 'live' as const, 'test' as const),
    shape: bodyRequest,
  });

  // Fails if: any method throws on hostile fields (5xx), answers something other than well-formed XML
  // with a Result code (or 404 for an unknown method), or changes anything.
  it(
    'answers every method with well-formed XML, whatever the fields, and changes nothing',
    async () => {
      const guard = await StateGuard.start(context);
      await fc.assert(
        fc.asyncProperty(
          arbitrary,
          async ({ prefix, method: name, entries, login, invoiceId, signing, shape }) => {
            const fields: Entries = [['MerchantLogin', login], ...entries];
            if (signing !== 'none') {
              const id = withoutKnownInvoiceIdOverflow(
                asReceived(invoiceId === '<paid>' ? paid.invId : invoiceId),
              );
              const password = signing === 'live' ? DEMO.shop.password2 : DEMO.shop.testPassword2;
              fields.push(['InvoiceID', id], ['Signature', hashHex('MD5', `demo:${id}:${password}`)]);
            }
            const request = buildRequest(`${prefix}/${percentEncode(name)}`, fields, shape);
            const { response, what } = await send(request);
            const isKnown = WEB_SERVICE_METHODS.some((known) => known.toLowerCase() === name.toLowerCase());
            // A body Fastify could not parse is answered by the web service's format too (Result 1000).
            const isParserRefusal =
              mayBeRefusedByParser(request) && response.body.includes('<Code>1000</Code>');
            if (isKnown || isParserRefusal) expectServiceXml(response, what);
            else expect(response.statusCode, what).toBe(404);
            await guard.expectUnchanged(what);
          },
        ),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  // Fails if: a valid OpStateExt stops answering state 100/50 for the paid payment: the fuzz above would
  // then only ever see refusals and prove little.
  it('still answers the real state of a paid payment (the fuzz reaches past the signature)', async () => {
    const signature = hashHex('MD5', `demo:${paid.invId}:${DEMO.shop.password2}`);
    const response = await context.app.inject({
      method: 'GET',
      url: `/Merchant/WebService/Service.asmx/OpStateExt?MerchantLogin=demo&InvoiceID=${paid.invId}&Signature=${signature}`,
    });
    expectServiceXml(response, 'OpStateExt');
    expect(response.body).toMatch(/<Code>(50|100)<\/Code>/);
  });
});

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A JWT with any header and payload, signed with `key` (HS256/384/512) or left with a junk signature. */
function makeJwt(
  header: unknown,
  payload: unknown,
  key: string | undefined,
  algorithm: 'sha256' | 'sha384' | 'sha512',
): string {
  const json = (value: unknown) => withoutKnownNulJson(JSON.stringify(value) ?? 'null');
  const input = `${base64url(json(header))}.${base64url(json(payload))}`;
  const signature =
    key === undefined ? 'c2lnbmF0dXJl' : createHmac(algorithm, key).update(input).digest('base64url');
  return `${input}.${signature}`;
}

const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((value) => Number(value)),
  // JSON.parse makes "__proto__" an own key, as a hostile client's JSON does (a literal would not).
  fc.constantFrom(
    null,
    true,
    [],
    {},
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
    1e308,
    -0,
    0.001,
    100.005,
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

interface ForgedJwt {
  readonly alg: string;
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly isSigned: boolean;
  readonly payload: Record<string, unknown>;
  readonly extraHeader: Record<string, unknown>;
}

/** Up to `most` of the named JSON fields. */
function someJsonOf(
  fields: Record<string, fc.Arbitrary<unknown>>,
  most: number,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .uniqueArray(fc.constantFrom(...Object.keys(fields)), { maxLength: most })
    .chain((names) =>
      fc.record(Object.fromEntries(names.map((name) => [name, fields[name] as fc.Arbitrary<unknown>]))),
    );
}

const HASH_ALGORITHMS = { sha256: 'HS256', sha384: 'HS384', sha512: 'HS512' } as const;

const jwtBody: fc.Arbitrary<string | ForgedJwt> = fc.oneof(
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileJsonText },
  {
    // A valid token for one kopeck of the paid payment: the success path must be reached too.
    weight: 2,
    arbitrary: fc.constantFrom('sha256' as const, 'sha384' as const, 'sha512' as const).map((hash) => ({
      alg: HASH_ALGORITHMS[hash],
      hash,
      isSigned: true,
      payload: { OpKey: '<paid>', RefundSum: 0.01 },
      extraHeader: {},
    })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        // '<match>': the alg that names the HMAC actually used, so a signed token can be valid.
        alg: fc.oneof(
          { weight: 3, arbitrary: fc.constant('<match>') },
          { weight: 1, arbitrary: fc.constantFrom('HS256', 'none', 'None', 'RS256', 'MD5', '') },
          { weight: 1, arbitrary: hostileString },
        ),
        hash: fc.constantFrom('sha256' as const, 'sha384' as const, 'sha512' as const),
        isSigned: fc.boolean(),
        opKey: fc.oneof(
          { weight: 3, arbitrary: fc.constant('<paid>') },
          { weight: 1, arbitrary: hostileString },
        ),
        rest: someJsonOf(
          {
            RefundSum: fc.oneof(fc.constantFrom(0.01, '0.01', 0.02), hostileJsonValue),
            InvoiceItems: hostileJsonValue,
            MerchantLogin: fc.oneof(fc.constant('demo'), hostileString),
            OutSum: hostileJsonValue,
            InvoiceType: fc.oneof(fc.constantFrom('OneTime', 'Reusable'), hostileString),
            Description: hostileString,
            InvId: hostileJsonValue,
            EncodedId: hostileString,
          },
          2,
        ),
        extraHeader: fc.dictionary(
          fc.constantFrom('typ', 'kid', 'crit', '__proto__', 'jku'),
          hostileJsonValue,
          {
            maxKeys: 2,
          },
        ),
      })
      .map(({ alg, hash, isSigned, opKey, rest, extraHeader }) => ({
        alg: alg === '<match>' ? HASH_ALGORITHMS[hash] : alg,
        hash,
        isSigned,
        payload: { OpKey: opKey, ...rest },
        extraHeader,
      })),
  },
);

/** The token text: a hostile string as it is, or a JWT built (and maybe signed with `key`) from parts. */
function tokenText(input: string | ForgedJwt, key: string): string {
  if (typeof input === 'string') return input;
  const { alg, hash, isSigned, payload, extraHeader } = input;
  const withOpKey = payload.OpKey === '<paid>' ? { ...payload, OpKey: paid.opKey } : payload;
  return makeJwt({ ...extraHeader, alg, typ: 'JWT' }, withOpKey, isSigned ? key : undefined, hash);
}

const jwtTransport = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/jwt',
    'application/x-www-form-urlencoded',
    '',
    'text/xml',
  ),
  asJsonString: fc.boolean(),
  padding: fc.constantFrom('', ' ', '\n', '\u00a0'),
});

describe('the Refund API (RefundService)', () => {
  // Fails if: a hostile or forged token throws, the answer leaves Robokassa's JSON shape, or a refused
  // request moves money. A correctly signed token with a sane RefundSum may refund: then exactly one
  // refund and its ledger transfer appear.
  it(
    'answers Refund/Create with {success,message} JSON and refunds only on success',
    async () => {
      const guard = await StateGuard.start(context);
      let refunded = 0;
      const requestIds = new Set<string>();
      await fc.assert(
        fc.asyncProperty(jwtBody, jwtTransport, async (body, transport) => {
          const token = tokenText(body, DEMO.shop.password3);
          const text = transport.asJsonString
            ? JSON.stringify(token)
            : `${transport.padding}${token}${transport.padding}`;
          const request = {
            method: 'POST',
            url: '/RefundService/Refund/Create',
            headers: transport.contentType ? { 'content-type': transport.contentType } : {},
            payload: text,
          };
          const { response, what } = await send(request);
          if (isBodyParserRefusal(response)) {
            expectJsonError(response, what);
            return guard.expectUnchanged(what);
          }
          expect(response.statusCode, what).toBe(200);
          const answer = safeJson(response.body) as { success?: unknown; message?: unknown };
          expect(typeof answer?.success, `${what}: ${response.body}`).toBe('boolean');
          if (answer.success !== true) return guard.expectUnchanged(what);
          // The same signed token again is answered with its first refund and refunds nothing more.
          const requestId = String((answer as { requestId?: unknown }).requestId);
          if (requestIds.has(requestId)) return guard.expectUnchanged(what);
          requestIds.add(requestId);
          refunded += 1;
          const changed = await guard.accept();
          expect(changed.refunds?.[1], what).toBe(Number(changed.refunds?.[0]) + 1);
        }),
        fuzzParameters(),
      );
      // Valid tokens must be among the generated ones, or the fuzz never passes the signature check.
      expect(refunded).toBeGreaterThan(0);
    },
    fuzzTimeoutMs(),
  );

  // Fails if: GetState throws on a hostile or repeated id, or answers other than Robokassa's JSON.
  it(
    'answers Refund/GetState with JSON for any id and changes nothing',
    async () => {
      const guard = await StateGuard.start(context);
      const arbitrary = fc.record({
        entries: hostileFields(['id', 'Id', 'requestId']),
        id: fc.oneof(fc.uuid(), hostileString),
        broken: brokenPieces,
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ entries, id, broken }) => {
          const request = {
            method: 'GET',
            url: `/RefundService/Refund/GetState?${encodeFields([['id', id], ...entries], broken)}`,
          };
          const { response, what } = await send(request);
          expect(response.statusCode, what).toBe(200);
          expect(response.headers['content-type'], what).toMatch(/^application\/json/);
          const body = safeJson(response.body) as Record<string, unknown> | undefined;
          expect(
            typeof body?.message === 'string' || typeof body?.requestId === 'string',
            `${what}: ${response.body}`,
          ).toBe(true);
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('the Invoice API and the hold requests', () => {
  // Fails if: a hostile token throws, or the answer is not `{ isSuccess: false, ... }` JSON, or anything
  // is stored (no token here is signed with a password the shop has, so nothing may be created).
  it(
    'answers the Invoice API with {isSuccess:false} JSON to forged tokens and stores nothing',
    async () => {
      const guard = await StateGuard.start(context);
      const method = fc.constantFrom('CreateInvoice', 'DeactivateInvoice', 'GetInvoiceInformationList');
      await fc.assert(
        fc.asyncProperty(method, jwtBody, jwtTransport, async (name, body, transport) => {
          const token = tokenText(body, 'not-the-shop-password');
          const request = {
            method: 'POST',
            url: `/InvoiceServiceWebApi/api/${name}`,
            headers: transport.contentType ? { 'content-type': transport.contentType } : {},
            payload: transport.asJsonString ? JSON.stringify(token) : token,
          };
          const { response, what } = await send(request);
          if (isBodyParserRefusal(response)) expectJsonError(response, what);
          else {
            expect(response.statusCode, what).toBe(200);
            const answer = safeJson(response.body) as { isSuccess?: unknown };
            expect(answer?.isSuccess, `${what}: ${response.body}`).toBe(false);
          }
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  // Fails if: Confirm or Cancel throws on hostile fields, answers other than the SDK's JSON string, or
  // changes a payment while answering "success: false".
  it(
    'answers Payment/Confirm and Payment/Cancel with the SDK JSON string and changes nothing on failure',
    async () => {
      const guard = await StateGuard.start(context);
      const arbitrary = fc.record({
        path: fc.constantFrom(
          '/Merchant/Payment/Confirm',
          '/merchant/payment/cancel',
          '/Merchant/Payment/Cancel',
        ),
        entries: hostileFields([
          'MerchantLogin',
          'MrchLogin',
          'InvoiceID',
          'InvId',
          'OutSum',
          'Receipt',
          'SignatureValue',
        ]),
        isSigned: fc.boolean(),
        invoiceId: fc.oneof(fc.constant('7002'), hostileString.map(asReceived)),
        outSum: fc.oneof(fc.constant('100.00'), hostileString.map(asReceived)),
        // Both routes are POST only (a GET is the cabinet's catch-all).
        shape: bodyRequest.map((shape) => ({ ...shape, transport: 'post' as const })),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ path, entries, isSigned, invoiceId, outSum, shape }) => {
          const signed: Entries = isSigned
            ? [
                ['MerchantLogin', 'demo'],
                ['InvoiceID', invoiceId],
                ['OutSum', outSum],
                ['SignatureValue', hashHex('MD5', `demo:${outSum}:${invoiceId}:${DEMO.shop.password1}`)],
              ]
            : [];
          const request = buildRequest(path, [...signed, ...entries], shape);
          const { response, what } = await send(request);
          if (mayBeRefusedByParser(request) && isBodyParserRefusal(response)) expectJsonError(response, what);
          else {
            expect(response.statusCode, what).toBe(200);
            expect(['"success: true"', '"success: false"'], what).toContain(response.body);
          }
          // No payment here is a hold: a "success: true" would itself be a bug.
          expect(response.body, what).not.toBe('"success: true"');
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

/**
 * A path parameter within the router's maxParamLength (100 encoded characters). A longer one never
 * reaches a handler: a POST is refused 414, a GET falls through to the cabinet's catch-all page.
 */
function fitParameter(text: string): string {
  let fitted = text;
  while (percentEncode(fitted).length > 100) fitted = fitted.slice(0, Math.floor(fitted.length / 2));
  return fitted;
}

describe("the buyer's pages", () => {
  const cardFields = hostileFields([
    'cardNumber',
    'expiry',
    'cvc',
    'email',
    'submissionKey',
    'attemptId',
    'code',
  ]);
  const arbitrary = fc.record({
    target: fc.constantFrom('page', 'card', '3ds', 'return', 'invoice-get', 'invoice-post', 'asset'),
    useRealPayment: fc.boolean(),
    id: hostileString.map(fitParameter),
    entries: cardFields,
    shape: bodyRequest.map((shape) => ({ ...shape, transport: 'post' as const })),
  });

  // Fails if: a page throws on a hostile id or form, a page answer is not HTML under the checkout CSP
  // (a 404 for an id the router cannot take is the platform's JSON), or a refused card form stores a
  // card, an attempt or a payment change.
  it(
    'renders the payment, card, 3-D Secure, return and payment-link pages for hostile ids and forms',
    async () => {
      const guard = await StateGuard.start(context);
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ target, useRealPayment, id, entries, shape }) => {
          const paymentId = percentEncode(useRealPayment ? openPaymentId : id);
          const paths: Record<string, [string, string]> = {
            page: ['GET', `/Merchant/Index/${paymentId}`],
            card: ['POST', `/Merchant/Index/${paymentId}/card`],
            '3ds': ['POST', `/Merchant/Index/${paymentId}/3ds`],
            return: ['GET', `/Merchant/Index/${paymentId}/return`],
            'invoice-get': ['GET', `/merchant/Invoice/${percentEncode(id)}`],
            'invoice-post': ['POST', `/Merchant/Invoice/${percentEncode(id)}`],
            asset: ['GET', `/checkout/assets/${percentEncode(withoutKnownPrototypeNames(id))}`],
          };
          const [method, path] = paths[target] ?? ['GET', '/'];
          const request =
            method === 'GET'
              ? { method, url: `${path}?${encodeFields(entries)}` }
              : buildRequest(path, entries, shape);
          const { response, what } = await send(request);
          if (target === 'asset') expect([200, 404, 414], what).toContain(response.statusCode);
          else if (response.statusCode === 414) {
            // KNOWN FINDING (see the report): an id longer than the router's maxParamLength (100) is refused
            // by Fastify itself, in its own JSON shape (FST_ERR_MAX_PARAM_LENGTH), not a checkout page.
          } else if (response.headers['content-type']?.toString().startsWith('application/json')) {
            expect([400, 404, 413, 415], what).toContain(response.statusCode);
            expectJsonError(response, what);
          } else if (response.statusCode !== 303) {
            expect(response.headers['content-type'], what).toMatch(/^text\/html/);
            expect(String(response.headers['content-security-policy']), what).toContain("default-src 'none'");
          }
          if (response.statusCode === 303 && target === 'card') {
            // A hostile form that passes card validation is a real attempt (the sandbox declines it).
            await guard.accept();
            return;
          }
          await guard.expectUnchanged(what);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  /**
   * Broken percent-encoding in a path is refused by Fastify's router before routing (`frameworkErrors`):
   * the answer is the surface's own format, never Fastify's {statusCode, error, message} and never 5xx.
   */
  it('answers broken percent-encoding in any path in the surface format, never 5xx', async () => {
    const expectations: [string, (response: LightMyRequestResponse, what: string) => void][] = [
      ['/Merchant/Index/', (response, what) => expectPageRefusal(response, what)],
      ['/merchant/Invoice/', (response, what) => expectPageRefusal(response, what)],
      [
        '/Merchant/WebService/Service.asmx/',
        (response, what) => {
          expect(response.statusCode, what).toBe(200);
          expect(response.body, what).toContain('<Code>1000</Code>');
        },
      ],
      ['/api/v1/payments/', (response, what) => expectInvalidUrl(response, what)],
      ['/api/cabinet/shops/', (response, what) => expectInvalidUrl(response, what)],
      ['/checkout/assets/', (response, what) => expectInvalidUrl(response, what)],
    ];
    for (const [prefix, expectAnswer] of expectations) {
      for (const piece of ['%', '%Z', '%E0%A4', '%C3%28', '%FF%FE', '%%%']) {
        const response = await context.app.inject({ method: 'GET', url: `${prefix}${piece}` });
        expectNo5xx(response, `GET ${prefix}${piece}`);
        expectAnswer(response, `GET ${prefix}${piece}`);
      }
    }
  });
});
