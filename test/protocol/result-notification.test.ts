import { describe, expect, it } from 'vitest';
import {
  buildFailRedirectFields,
  buildResultNotificationFields,
  buildSuccessRedirectFields,
  hashHex,
  isResultAcknowledged,
} from '../../src/modules/protocol/index.js';

const shp = [
  ['Shp_user', 'Вася Пупкин'],
  ['shp_a', 'x:y&z=1'],
] as const;

describe('buildResultNotificationFields', () => {
  const input = {
    outSum: '100.000000',
    invId: '450009',
    fee: '3.90',
    email: 'buyer@example.com',
    paymentMethod: 'BankCard',
    incCurrLabel: 'BankCardPSR',
    isTest: false,
    shp,
    password2: 'pass2',
    algorithm: 'MD5' as const,
  };
  const signature = hashHex(
    'MD5',
    '100.000000:450009:pass2:Shp_user=Вася Пупкин:shp_a=x:y&z=1',
  ).toUpperCase();

  it('lists the fields in Robokassa’s order, signed with Password #2 in upper-case hex', () => {
    expect(buildResultNotificationFields(input)).toEqual([
      ['OutSum', '100.000000'],
      ['InvId', '450009'],
      ['Fee', '3.90'],
      ['EMail', 'buyer@example.com'],
      ['SignatureValue', signature],
      ['PaymentMethod', 'BankCard'],
      ['IncCurrLabel', 'BankCardPSR'],
      ['Shp_user', 'Вася Пупкин'],
      ['shp_a', 'x:y&z=1'],
    ]);
  });

  it('leaves EMail out when unknown', () => {
    const names = buildResultNotificationFields({ ...input, email: undefined }).map(([name]) => name);
    expect(names).toEqual([
      'OutSum',
      'InvId',
      'Fee',
      'SignatureValue',
      'PaymentMethod',
      'IncCurrLabel',
      'Shp_user',
      'shp_a',
    ]);
  });

  it('in test mode: no EMail, IsTest=1 before the Shp parameters', () => {
    const fields = buildResultNotificationFields({ ...input, isTest: true });
    expect(fields.map(([name]) => name)).toEqual([
      'OutSum',
      'InvId',
      'Fee',
      'SignatureValue',
      'PaymentMethod',
      'IncCurrLabel',
      'IsTest',
      'Shp_user',
      'shp_a',
    ]);
    expect(fields).toContainEqual(['IsTest', '1']);
  });

  it('matches the V8 vector', () => {
    const fields = buildResultNotificationFields({
      ...input,
      outSum: '10',
      invId: '1',
      password2: 'password#2',
      shp: [],
    });
    expect(fields).toContainEqual(['SignatureValue', 'F38A17BC0DB36343789587E4E5ABF33C']);
  });
});

describe('Success and Fail redirects', () => {
  const input = { outSum: '99.90', invId: '1001', culture: 'en' as const, isTest: false, shp };

  it('Success: OutSum, InvId, SignatureValue (Password #1), Culture, Shp', () => {
    const signature = hashHex('SHA256', '99.90:1001:pass1:Shp_user=Вася Пупкин:shp_a=x:y&z=1').toUpperCase();
    expect(buildSuccessRedirectFields({ ...input, password1: 'pass1', algorithm: 'SHA256' })).toEqual([
      ['OutSum', '99.90'],
      ['InvId', '1001'],
      ['SignatureValue', signature],
      ['Culture', 'en'],
      ['Shp_user', 'Вася Пупкин'],
      ['shp_a', 'x:y&z=1'],
    ]);
  });

  it('Success in test mode carries IsTest=1', () => {
    const fields = buildSuccessRedirectFields({
      ...input,
      isTest: true,
      shp: [],
      password1: 'p',
      algorithm: 'MD5',
    });
    expect(fields.map(([name]) => name)).toEqual(['OutSum', 'InvId', 'SignatureValue', 'Culture', 'IsTest']);
  });

  it('Fail: no signature', () => {
    expect(buildFailRedirectFields({ ...input, culture: 'ru', isTest: true })).toEqual([
      ['OutSum', '99.90'],
      ['InvId', '1001'],
      ['Culture', 'ru'],
      ['IsTest', '1'],
      ['Shp_user', 'Вася Пупкин'],
      ['shp_a', 'x:y&z=1'],
    ]);
  });
});

describe('isResultAcknowledged', () => {
  it.each([
    ['OK5', true],
    ['OK5\n', true],
    ['  OK5\r\n', true],
    ['\uFEFFOK5', true],
    ['ok5', false],
    ['Ok5', false],
    ['OK 5', false],
    ['OK55', false],
    ['OK', false],
    ['OK5 thanks', false],
    ['<html>OK5</html>', false],
    ['', false],
  ])('%j → %s', (body, expected) => {
    expect(isResultAcknowledged(body, '5')).toBe(expected);
  });
});
