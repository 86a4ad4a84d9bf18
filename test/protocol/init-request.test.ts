import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseInitRequest,
  PAYMENT_PAGE_ERRORS,
  protocolError,
  type InitRequest,
  type RequestFields,
} from '../../src/modules/protocol/index.js';

const valid = {
  MerchantLogin: 'shop',
  OutSum: '100.50',
  InvId: '42',
  Description: 'Order 42',
  SignatureValue: 'abc',
};

function parsed(fields: RequestFields): InitRequest {
  const result = parseInitRequest(fields);
  if (!result.ok) throw new Error(`unexpected rejection ${JSON.stringify(result.error)}`);
  return result.request;
}

function rejection(fields: RequestFields): { code: number; field: string | undefined } {
  const result = parseInitRequest(fields);
  if (result.ok) throw new Error('unexpectedly accepted');
  return { code: result.error.code, field: result.error.field };
}

describe('parseInitRequest: a valid request', () => {
  it('reads every parameter', () => {
    const request = parsed({
      ...valid,
      IncCurrLabel: 'BankCard',
      PaymentMethods: ['BankCard', 'SBP', 'BankCard'],
      Culture: 'ru',
      Encoding: 'utf-8',
      Email: 'buyer@example.com',
      ExpirationDate: '2029-01-16T12:00',
      OutSumCurrency: 'usd',
      UserIp: '10.0.0.1',
      IsTest: '1',
      Receipt: '%7B%7D',
      StepByStep: 'true',
      ResultUrl2: 'https://shop.example/result',
      SuccessUrl2: 'https://shop.example/ok',
      SuccessUrl2Method: 'post',
      FailUrl2: 'https://shop.example/fail',
      FailUrl2Method: 'GET',
      Token: 'op-key',
      IsWithoutFreeSale: 'true',
      Shp_b: '2',
      Shp_a: 'a b',
    });
    expect(request).toEqual({
      merchantLogin: 'shop',
      outSumText: '100.50',
      outSumMinor: 10_050n,
      invIdText: '42',
      invId: 42n,
      description: 'Order 42',
      signatureValue: 'abc',
      incCurrLabel: 'BankCard',
      paymentMethods: ['BankCard', 'SBP'],
      culture: 'ru',
      encoding: 'utf-8',
      email: 'buyer@example.com',
      expirationDate: new Date('2029-01-16T09:00:00Z'),
      outSumCurrency: 'USD',
      userIp: '10.0.0.1',
      isTest: true,
      receipt: '%7B%7D',
      isRecurring: false,
      isWithoutFreeSale: true,
      stepByStep: 'true',
      resultUrl2: 'https://shop.example/result',
      successUrl2: 'https://shop.example/ok',
      successUrl2Method: 'POST',
      failUrl2: 'https://shop.example/fail',
      failUrl2Method: 'GET',
      token: 'op-key',
      shp: [
        ['Shp_b', '2'],
        ['Shp_a', 'a b'],
      ],
      signatureParams: {
        merchantLogin: 'shop',
        outSum: '100.50',
        invId: '42',
        outSumCurrency: 'usd',
        userIp: '10.0.0.1',
        receipt: '%7B%7D',
        stepByStep: 'true',
        resultUrl2: 'https://shop.example/result',
        successUrl2: 'https://shop.example/ok',
        successUrl2Method: 'post',
        failUrl2: 'https://shop.example/fail',
        failUrl2Method: 'GET',
        token: 'op-key',
        shp: [
          ['Shp_b', '2'],
          ['Shp_a', 'a b'],
        ],
      },
    });
  });

  it('defaults what was not sent', () => {
    const request = parsed({ MerchantLogin: 'shop', OutSum: '1', SignatureValue: 'x' });
    expect(request).toMatchObject({
      invIdText: '',
      invId: null,
      description: '',
      paymentMethods: [],
      isTest: false,
      isRecurring: false,
      isWithoutFreeSale: false,
      shp: [],
    });
    expect(request.culture).toBeUndefined();
    expect(request.signatureParams).toMatchObject({ invId: '', shp: [] });
  });

  it('keeps OutSum exactly as sent for the signature', () => {
    expect(parsed({ ...valid, OutSum: '100.000000' })).toMatchObject({
      outSumText: '100.000000',
      outSumMinor: 10_000n,
    });
    expect(parsed({ ...valid, OutSum: '007.5' })).toMatchObject({ outSumText: '007.5', outSumMinor: 750n });
  });

  it.each([
    ['', null],
    ['0', null],
    ['000', null],
    ['1', 1n],
    ['0042', 42n],
    ['2147483648', 2_147_483_648n],
    ['9223372036854775807', 9_223_372_036_854_775_807n],
  ])('InvId %j reads as %s and is signed as sent', (text, invId) => {
    const request = parsed({ ...valid, InvId: text });
    expect(request.invId).toBe(invId);
    expect(request.invIdText).toBe(text);
    expect(request.signatureParams.invId).toBe(text);
  });

  it.each([
    ['ru', 'ru'],
    ['RU', 'ru'],
    ['en', 'en'],
    ['de', 'en'],
    ['ru-RU', 'en'],
  ])('Culture %j reads as %j', (culture, expected) => {
    expect(parsed({ ...valid, Culture: culture }).culture).toBe(expected);
  });

  it.each([
    ['1', true],
    ['true', true],
    ['0', false],
    ['', false],
    ['false', false],
  ])('IsTest %j is %s', (isTest, expected) => {
    expect(parsed({ ...valid, IsTest: isTest }).isTest).toBe(expected);
  });

  it('allows Recurring=true on its own', () => {
    expect(parsed({ ...valid, Recurring: 'true' }).isRecurring).toBe(true);
    expect(parsed({ ...valid, Recurring: 'TRUE' }).isRecurring).toBe(true);
  });

  it('reads ExpirationDate in the docs’ forms', () => {
    const read = (text: string) => parsed({ ...valid, ExpirationDate: text }).expirationDate?.toISOString();
    expect(read('2010-02-11T16:07:11.6973153+03:00')).toBe('2010-02-11T13:07:11.697Z');
    expect(read('2029-01-16T12:00')).toBe('2029-01-16T09:00:00.000Z');
    expect(read('2029-01-16T12:00:00Z')).toBe('2029-01-16T12:00:00.000Z');
    expect(read('2029-01-16T12:00:00-0530')).toBe('2029-01-16T17:30:00.000Z');
    // An unencoded '+' in a GET link arrives as a space.
    expect(read('2029-01-16T12:00:00 05:00')).toBe('2029-01-16T07:00:00.000Z');
    expect(read('2024-02-29')).toBe('2024-02-28T21:00:00.000Z');
  });

  it('treats empty optional values as absent, also for the signature', () => {
    const request = parsed({ ...valid, Receipt: '', UserIp: '', IncCurrLabel: '', Email: '' });
    expect(request.receipt).toBeUndefined();
    expect(request.signatureParams.receipt).toBeUndefined();
    expect(request.signatureParams.userIp).toBeUndefined();
    expect(request.incCurrLabel).toBeUndefined();
  });

  it('decodes a URL that arrived still encoded, but signs it as received', () => {
    const request = parsed({
      ...valid,
      SuccessUrl2: 'https%3A%2F%2Fshop.example%2Fok',
      SuccessUrl2Method: 'GET',
    });
    expect(request.successUrl2).toBe('https://shop.example/ok');
    expect(request.signatureParams.successUrl2).toBe('https%3A%2F%2Fshop.example%2Fok');
  });
});

describe('parseInitRequest: names', () => {
  it('accepts the legacy names MrchLogin, InvoiceID / invoiceID and Desc', () => {
    const request = parsed({
      MrchLogin: 'shop',
      OutSum: '1',
      InvoiceID: '5',
      Desc: 'Old plugin',
      SignatureValue: 'x',
    });
    expect(request).toMatchObject({ merchantLogin: 'shop', invId: 5n, description: 'Old plugin' });
    expect(parsed({ ...valid, InvId: undefined, invoiceID: '6' }).invId).toBe(6n);
  });

  it('matches parameter names ignoring case', () => {
    const request = parsed({
      merchantlogin: 'shop',
      outsum: '2.00',
      INVID: '3',
      signaturevalue: 'x',
      culture: 'en',
    });
    expect(request).toMatchObject({ merchantLogin: 'shop', outSumMinor: 200n, invId: 3n, culture: 'en' });
  });

  it('takes Shp_, SHP_, shp_ and the legacy shp prefix, keeping names and order as received', () => {
    const request = parsed({
      ...valid,
      shp_c: '3',
      SHP_b: '2',
      Shp_a: '1',
      shpLegacy: 'old',
      sHp_mixed: 'm',
    });
    expect(request.shp).toEqual([
      ['shp_c', '3'],
      ['SHP_b', '2'],
      ['Shp_a', '1'],
      ['shpLegacy', 'old'],
      ['sHp_mixed', 'm'],
    ]);
  });

  it('keeps an empty Shp value (it is signed as `Shp_x=`)', () => {
    expect(parsed({ ...valid, Shp_x: '' }).shp).toEqual([['Shp_x', '']]);
  });

  it('ignores unknown parameters and a bare "shp"', () => {
    expect(parsed({ ...valid, Foo: 'bar', shp: 'x', constructor: 'x', __proto__: 'y' }).shp).toEqual([]);
  });

  it('counts a repeated parameter once when the values agree', () => {
    expect(parsed({ ...valid, MrchLogin: 'shop', Shp_a: ['1', '1'] })).toMatchObject({
      merchantLogin: 'shop',
      shp: [['Shp_a', '1']],
    });
  });

  it.each([
    [{ ...valid, MrchLogin: 'other' }, 26, 'MerchantLogin'],
    [{ ...valid, outsum: '100.51' }, 31, 'OutSum'],
    [{ ...valid, InvId: ['1', '2'] }, 30, 'InvId'],
    [{ ...valid, Shp_a: ['1', '2'] }, 30, 'Shp_a'],
    [{ ...valid, SignatureValue: ['a', 'b'] }, 29, 'SignatureValue'],
  ])('refuses a parameter repeated with different values (%#)', (fields, code, field) => {
    expect(rejection(fields)).toEqual({ code, field });
  });
});

describe('parseInitRequest: refusals with Robokassa’s codes', () => {
  it.each([
    [{ ...valid, MerchantLogin: undefined }, 26, 'MerchantLogin'],
    [{ ...valid, MerchantLogin: '' }, 26, 'MerchantLogin'],
    [{ ...valid, OutSum: undefined }, 31, 'OutSum'],
    [{ ...valid, OutSum: '' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '0' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '0.00' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '1,50' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '1.005' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '1e3' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '-1' }, 31, 'OutSum'],
    [{ ...valid, OutSum: ' 1' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '.5' }, 31, 'OutSum'],
    [{ ...valid, OutSum: '1234567890123456' }, 31, 'OutSum'],
    [{ ...valid, InvId: '-1' }, 30, 'InvId'],
    [{ ...valid, InvId: '1.0' }, 30, 'InvId'],
    [{ ...valid, InvId: 'abc' }, 30, 'InvId'],
    [{ ...valid, InvId: '9223372036854775808' }, 30, 'InvId'],
    [{ ...valid, InvId: '1'.repeat(400) }, 30, 'InvId'],
    [{ ...valid, Description: 'x'.repeat(101) }, 30, 'Description'],
    [{ ...valid, ExpirationDate: 'tomorrow' }, 30, 'ExpirationDate'],
    [{ ...valid, ExpirationDate: '2029-02-30T12:00' }, 30, 'ExpirationDate'],
    [{ ...valid, ExpirationDate: '2029-01-16T25:00' }, 30, 'ExpirationDate'],
    [{ ...valid, OutSumCurrency: 'RUB' }, 30, 'OutSumCurrency'],
    [{ ...valid, SuccessUrl2: 'https://x/', SuccessUrl2Method: 'PUT' }, 30, 'SuccessUrl2Method'],
    [{ ...valid, FailUrl2: 'https://x/', FailUrl2Method: 'get ' }, 30, 'FailUrl2Method'],
    [{ ...valid, ResultUrl2: 'javascript:alert(1)' }, 30, 'ResultUrl2'],
    [{ ...valid, SuccessUrl2: '/relative' }, 30, 'SuccessUrl2'],
    [{ ...valid, IsTest: 'yes' }, 30, 'IsTest'],
    [{ ...valid, UserIp: '{"items":[]}' }, 30, 'UserIp'],
    [{ ...valid, UserIp: '127.0.0' }, 30, 'UserIp'],
    [{ ...valid, Recurring: 'true', IncCurrLabel: 'BankCard' }, 35, 'IncCurrLabel'],
    [{ ...valid, Recurring: 'true', ExpirationDate: '2029-01-16T12:00' }, 35, 'ExpirationDate'],
    [{ ...valid, Recurring: '1' }, 35, 'Recurring'],
    [{ ...valid, StepByStep: 'false' }, 65, 'StepByStep'],
    [{ ...valid, StepByStep: '1' }, 65, 'StepByStep'],
    [{ ...valid, SignatureValue: undefined }, 29, 'SignatureValue'],
    [{ ...valid, SignatureValue: '' }, 29, 'SignatureValue'],
  ])('%j → %i', (fields, code, field) => {
    expect(rejection(fields)).toEqual({ code, field });
  });

  it('counts Description in characters, not bytes or UTF-16 units', () => {
    expect(parsed({ ...valid, Description: 'Ж'.repeat(100) }).description).toHaveLength(100);
    expect(parsed({ ...valid, Description: '😀'.repeat(100) }).description).toHaveLength(200);
  });

  it('says which field is wrong in both languages', () => {
    const result = parseInitRequest({ ...valid, Description: 'x'.repeat(101) });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 30,
        field: 'Description',
        detail: { ru: 'Description длиннее 100 символов.', en: 'Description is longer than 100 characters.' },
      },
    });
  });
});

describe('protocol errors', () => {
  it('has a buyer-facing title in both languages for every payment-page code', () => {
    const codes = [
      20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 40, 41, 43, 51, 52, 53, 64, 65,
      500,
    ];
    for (const code of codes) {
      expect(PAYMENT_PAGE_ERRORS[code]?.ru).toMatch(/\S/);
      expect(PAYMENT_PAGE_ERRORS[code]?.en).toMatch(/\S/);
    }
    expect(
      Object.keys(PAYMENT_PAGE_ERRORS)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(codes);
  });

  it('falls back to the code’s title, and unknown codes read as internal errors', () => {
    expect(protocolError(26)).toEqual({ code: 26, detail: PAYMENT_PAGE_ERRORS[26] });
    expect(protocolError(29, 'SignatureValue')).toEqual({
      code: 29,
      field: 'SignatureValue',
      detail: PAYMENT_PAGE_ERRORS[29],
    });
    expect(protocolError(999).detail).toEqual(PAYMENT_PAGE_ERRORS[500]);
  });
});

describe('parseInitRequest properties', () => {
  const knownName = fc
    .constantFrom(
      'MerchantLogin',
      'OutSum',
      'InvId',
      'InvoiceID',
      'Description',
      'SignatureValue',
      'Culture',
      'IsTest',
      'ExpirationDate',
      'OutSumCurrency',
      'Recurring',
      'StepByStep',
      'SuccessUrl2',
      'SuccessUrl2Method',
      'Shp_a',
      'shpB',
      'PaymentMethods',
      '__proto__',
      'constructor',
      'toString',
    )
    .chain((name) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase()));
  const anyValue = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));

  it('never throws on arbitrary records', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), knownName), anyValue), (fields) => {
        const result = parseInitRequest(fields);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('reads OutSum as its exact decimal value or refuses it with 31', () => {
    const outSum = fc.oneof(
      fc
        .tuple(fc.stringMatching(/^\d{1,16}$/), fc.option(fc.stringMatching(/^\d{0,8}$/), { nil: undefined }))
        .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`)),
      fc.string(),
    );
    fc.assert(
      fc.property(outSum, (text) => {
        const result = parseInitRequest({ ...valid, OutSum: text });
        const match = /^(\d{1,15})(?:\.(\d{1,12}))?$/.exec(text);
        const fraction = match?.[2] ?? '';
        const isExact = match !== null && /^0*$/.test(fraction.slice(2));
        const expected = isExact
          ? BigInt(match[1] ?? '') * 100n + BigInt(fraction.slice(0, 2).padEnd(2, '0'))
          : undefined;
        if (expected !== undefined && expected > 0n) {
          expect(result).toMatchObject({ ok: true, request: { outSumMinor: expected, outSumText: text } });
        } else {
          expect(result).toMatchObject({ ok: false, error: { code: 31, field: 'OutSum' } });
        }
      }),
      { numRuns: 1000 },
    );
  });
});
