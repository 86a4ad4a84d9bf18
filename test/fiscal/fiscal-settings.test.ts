/**
 * A shop's fiscal settings through the cabinet API on real PostgreSQL: defaults, field-level validation
 * (INN check digits, e-mail, tax system, group code, URL), the password sealed and never shown, kept
 * when left out, audit with field names only, roles, and account scoping (another account's shop: 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFiscalSettings, fiscalSecretBox } from '../../src/modules/fiscal/index.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { SHOP_INN } from './helpers.js';

let context: TestContext;
let admin: TestBrowser;
let shopId: string;
let developer: TestBrowser;
let viewer: TestBrowser;
let stranger: TestBrowser;

const VALID = {
  provider: 'atol',
  baseUrl: 'https://testonline.atol.ru/possystem/v5',
  login: 'shop-login',
  password: 'secret-password-1',
  groupCode: 'group-code_1',
  companyInn: SHOP_INN,
  paymentAddress: 'https://books.example.ru',
  sno: 'usn_income',
  companyEmail: 'shop@example.ru',
};

const url = (shop: string) => `/api/cabinet/shops/${shop}/fiscal-settings`;

beforeAll(async () => {
  context = await createTestContext();
  admin = (await registerMerchant(context)).browser;
  shopId = (await createShopVia(admin)).id;
  developer = (await addEmployee(context, admin, 'developer')).browser;
  viewer = (await addEmployee(context, admin, 'viewer')).browser;
  stranger = (await registerMerchant(context)).browser;
}, 60_000);

afterAll(async () => {
  await context?.close();
});

describe('fiscal settings', () => {
  it('start as none, with ATOL production as the address and the sandbox suggested outside production', async () => {
    const response = await admin.get(url(shopId));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      shopId,
      provider: 'none',
      baseUrl: 'https://online.atol.ru/possystem/v5/',
      login: null,
      hasPassword: false,
      updatedAt: null,
      sandbox: {
        baseUrl: 'http://kopek.test/atol-sandbox/possystem/v5/',
        login: 'v5-online-atol-ru',
        groupCode: 'v5-online-atol-ru_5179',
        companyInn: '5544332219',
      },
    });
  });

  const invalid: { name: string; body: Record<string, unknown>; field: string; code: string }[] = [
    {
      name: 'an INN with a wrong check digit',
      body: { companyInn: '7707083894' },
      field: 'companyInn',
      code: 'checksum_mismatch',
    },
    {
      name: 'an INN of 11 digits',
      body: { companyInn: '77070838931' },
      field: 'companyInn',
      code: 'invalid_format',
    },
    {
      name: 'an e-mail without @',
      body: { companyEmail: 'shop.example.ru' },
      field: 'companyEmail',
      code: 'invalid_email',
    },
    { name: 'an unknown tax system', body: { sno: 'usn' }, field: 'sno', code: 'invalid_choice' },
    {
      name: 'a group code with a slash',
      body: { groupCode: 'a/b' },
      field: 'groupCode',
      code: 'invalid_format',
    },
    { name: 'a login with a space', body: { login: 'a b' }, field: 'login', code: 'invalid_format' },
    {
      name: 'an ftp address',
      body: { baseUrl: 'ftp://online.atol.ru/' },
      field: 'baseUrl',
      code: 'invalid_url',
    },
    {
      name: 'no password the first time',
      body: { password: undefined },
      field: 'password',
      code: 'required',
    },
    { name: 'an empty group code', body: { groupCode: '' }, field: 'groupCode', code: 'required' },
    {
      name: 'an unknown provider',
      body: { provider: 'cloudkassir' },
      field: 'provider',
      code: 'invalid_choice',
    },
  ];
  for (const testCase of invalid) {
    it(`refuse ${testCase.name} with a field problem`, async () => {
      const response = await admin.request('PUT', url(shopId), { ...VALID, ...testCase.body });
      expect(response.statusCode, response.body).toBe(422);
      const body = response.json() as {
        error: { code: string; fields: Record<string, { code: string; message: string }> };
      };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.fields[testCase.field]?.code).toBe(testCase.code);
      expect(body.error.fields[testCase.field]?.message).toMatch(/[а-я]/);
    });
  }

  it('answer field problems in English when asked', async () => {
    const response = await admin.request(
      'PUT',
      url(shopId),
      { ...VALID, companyInn: '7707083894' },
      { 'accept-language': 'en' },
    );
    expect(
      (response.json() as { error: { fields: Record<string, { message: string }> } }).error.fields.companyInn
        ?.message,
    ).toBe('The INN check digit is wrong.');
  });

  it('are saved with the password sealed, never shown, and audited by field names only', async () => {
    const response = await admin.request('PUT', url(shopId), VALID);
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json() as Record<string, unknown>;
    expect(view).toMatchObject({
      provider: 'atol',
      baseUrl: 'https://testonline.atol.ru/possystem/v5/',
      login: 'shop-login',
      hasPassword: true,
      companyInn: SHOP_INN,
      sno: 'usn_income',
    });
    expect(JSON.stringify(view)).not.toContain(VALID.password);
    const row = await context.deps.db
      .withTables<{ fiscal_settings: { shop_id: string; password_sealed: string } }>()
      .selectFrom('fiscal_settings')
      .select('password_sealed')
      .where('shop_id', '=', shopId)
      .executeTakeFirstOrThrow();
    expect(row.password_sealed).not.toContain(VALID.password);
    expect(fiscalSecretBox(context.deps.config.masterKey).decrypt(row.password_sealed)).toBe(VALID.password);
    const [entry] = await auditEntries(context, 'fiscal_settings.updated', { target: shopId });
    expect(entry?.details).toEqual({
      fields: [
        'provider',
        'baseUrl',
        'login',
        'groupCode',
        'companyInn',
        'paymentAddress',
        'sno',
        'companyEmail',
        'password',
      ],
    });
    expect(JSON.stringify(entry?.details)).not.toContain('shop-login');
  });

  it('keep the password when it is left out, and audit only what changed', async () => {
    const { password: _password, ...withoutPassword } = VALID;
    const response = await developer.request('PUT', url(shopId), { ...withoutPassword, sno: 'osn' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ hasPassword: true, sno: 'osn' });
    const entries = await auditEntries(context, 'fiscal_settings.updated', { target: shopId });
    expect(entries.at(-1)?.details).toEqual({ fields: ['sno'] });
  });

  it('switch to none and keep the ATOL fields for a switch back', async () => {
    const response = await admin.request('PUT', url(shopId), { provider: 'none' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ provider: 'none', login: 'shop-login', hasPassword: true });
    const back = await admin.request('PUT', url(shopId), { provider: 'atol' });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ provider: 'atol', groupCode: 'group-code_1' });
  });

  it('may be read by a viewer but changed only with shops.write', async () => {
    expect((await viewer.get(url(shopId))).statusCode).toBe(200);
    const refused = await viewer.request('PUT', url(shopId), VALID);
    expect(refused.statusCode).toBe(403);
  });

  it("answer 404 for another account's shop, to read or to change", async () => {
    const read = await stranger.get(url(shopId));
    expect(read.statusCode).toBe(404);
    expect((read.json() as { error: { code: string } }).error.code).toBe('shop_not_found');
    const change = await stranger.request('PUT', url(shopId), VALID);
    expect(change.statusCode).toBe(404);
    const own = await admin.get(url(shopId));
    expect((own.json() as { login: string }).login).toBe('shop-login');
  });
});

describe('checkFiscalSettings in production', () => {
  const stored = {
    baseUrl: 'https://online.atol.ru/possystem/v5/',
    login: null,
    hasPassword: false,
    groupCode: null,
    companyInn: null,
    paymentAddress: null,
    sno: null,
    companyEmail: null,
  };
  const cases = [
    { baseUrl: 'http://online.atol.ru/possystem/v5/', code: 'https_required' },
    { baseUrl: 'https://127.0.0.1/possystem/v5/', code: 'private_address' },
    { baseUrl: 'https://10.1.2.3/possystem/v5/', code: 'private_address' },
    { baseUrl: 'https://user:pass@online.atol.ru/', code: 'invalid_url' },
  ];
  for (const testCase of cases) {
    it(`refuses ${testCase.baseUrl}`, () => {
      const checked = checkFiscalSettings({ ...VALID, baseUrl: testCase.baseUrl }, stored, true);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.problems.baseUrl?.code).toBe(testCase.code);
    });
  }

  it('accepts ATOL and normalises the address with a trailing slash, dropping the query', () => {
    const checked = checkFiscalSettings(
      { ...VALID, baseUrl: 'https://online.atol.ru/possystem/v5?x=1' },
      stored,
      true,
    );
    expect(checked.ok && checked.settings.baseUrl).toBe('https://online.atol.ru/possystem/v5/');
  });
});
