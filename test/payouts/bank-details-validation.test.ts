/**
 * Bank details validation: known real numbers, tables of wrong ones, and property tests. The generators
 * compute check digits with their own code (not the module's), from the published algorithms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isCorrespondentAccountOfBik,
  isInn,
  isKpp,
  isSettlementAccountOfBik,
  maskAccount,
  validateBankDetails,
} from '../../src/modules/payouts/index.js';

const SBERBANK_BIK = '044525225';
const SBERBANK_CORRESPONDENT = '30101810400000000225';

/** The 23-digit CB check: weights 7,1,3 repeated; sum mod 10 must be 0. */
function keySum(digits: string): number {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) sum += Number(digits[index]) * [7, 1, 3][index % 3]!;
  return sum;
}

/** Puts the control key (the account's 9th digit) that makes the account fit the 3-digit prefix. */
function withControlKey(prefix: string, account: string): string {
  for (let key = 0; key <= 9; key += 1) {
    const candidate = `${account.slice(0, 8)}${key}${account.slice(9)}`;
    if (keySum(prefix + candidate) % 10 === 0) return candidate;
  }
  throw new Error('no key fits');
}

const settlementAccountFor = (bik: string, account: string) => withControlKey(bik.slice(6), account);

function innDigit(digits: string, weights: number[]): { digit: number; remainder: number } {
  const sum = weights.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  return { digit: (sum % 11) % 10, remainder: sum % 11 };
}
const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function inn10(body: string) {
  const check = innDigit(body, W10);
  return { inn: `${body}${check.digit}`, remainder: check.remainder };
}
function inn12(body: string) {
  const first = innDigit(body, W11);
  const eleven = `${body}${first.digit}`;
  return { inn: `${eleven}${innDigit(eleven, W12).digit}`, remainder: first.remainder };
}

const digits = (length: number) =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length })
    .map((list) => list.join(''));

/** The same string with one digit changed (never to itself). */
function changeDigit(text: string, index: number, delta: number): string {
  const position = index % text.length;
  const changed = (Number(text[position]) + delta) % 10;
  return `${text.slice(0, position)}${changed}${text.slice(position + 1)}`;
}
const change = fc.record({ index: fc.nat(), delta: fc.integer({ min: 1, max: 9 }) });

const validInput = {
  bik: SBERBANK_BIK,
  settlementAccount: settlementAccountFor(SBERBANK_BIK, '40702810000000001234'),
  correspondentAccount: SBERBANK_CORRESPONDENT,
  inn: '7707083893',
  kpp: '773601001',
  recipientName: 'ООО «Книжная лавка»',
};

describe('known numbers', () => {
  it('accepts published real details', () => {
    expect(isCorrespondentAccountOfBik(SBERBANK_CORRESPONDENT, SBERBANK_BIK)).toBe(true);
    expect(isInn('7707083893')).toBe(true);
    expect(isInn('500100732259')).toBe(true);
    expect(isKpp('773601001')).toBe(true);
    expect(isKpp('7736AB001')).toBe(true);
    expect(validateBankDetails(validInput)).toMatchObject({ ok: true });
  });

  it('normalises spaces and an empty KPP of an individual', () => {
    const checked = validateBankDetails({
      ...validInput,
      settlementAccount: ` ${validInput.settlementAccount.replace(/(\d{5})/g, '$1 ')} `,
      inn: '500100732259',
      kpp: ' ',
      recipientName: '  ИП   Иванов  И. И. ',
    });
    expect(checked).toEqual({
      ok: true,
      details: { ...validInput, inn: '500100732259', kpp: null, recipientName: 'ИП Иванов И. И.' },
    });
  });

  it.each([
    ['bik', { bik: '04452522' }, 'invalid_format'],
    ['bik', { bik: '' }, 'required'],
    ['settlementAccount', { settlementAccount: '4070281000000000123' }, 'invalid_format'],
    [
      'settlementAccount',
      { settlementAccount: changeDigit(validInput.settlementAccount, 19, 1) },
      'checksum_mismatch',
    ],
    ['correspondentAccount', { correspondentAccount: '30101810400000000226' }, 'checksum_mismatch'],
    ['correspondentAccount', { correspondentAccount: '' }, 'required'],
    ['inn', { inn: '770708389' }, 'invalid_format'],
    ['inn', { inn: '7707083894' }, 'checksum_mismatch'],
    ['inn', { inn: '500100732258', kpp: '' }, 'checksum_mismatch'],
    ['kpp', { kpp: '' }, 'required'],
    ['kpp', { kpp: '7736ab001' }, 'invalid_format'],
    ['kpp', { kpp: '77360100' }, 'invalid_format'],
    ['kpp', { inn: '500100732259', kpp: '773601001' }, 'not_applicable'],
    ['recipientName', { recipientName: '   ' }, 'required'],
    ['recipientName', { recipientName: 'x'.repeat(161) }, 'too_long'],
  ] as const)('%s: %j → %s', (field, change, code) => {
    const checked = validateBankDetails({ ...validInput, ...change });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.problems)).toEqual([field]);
    expect(checked.problems[field]?.code).toBe(code);
    expect(checked.problems[field]?.text.ru).not.toBe('');
    expect(checked.problems[field]?.text.en).not.toBe('');
  });

  it('reports only the BIK when the BIK is malformed, not the accounts it cannot check', () => {
    const checked = validateBankDetails({ ...validInput, bik: 'abc' });
    expect(checked.ok ? [] : Object.keys(checked.problems)).toEqual(['bik']);
  });

  it('masks accounts for statements', () => {
    expect(maskAccount('40702810000000001234')).toBe('40702***********1234');
  });
});

describe('properties', () => {
  it('a settlement account built with the CB key always passes; one changed digit always fails', () => {
    fc.assert(
      fc.property(digits(9), digits(20), change, (bik, raw, mutation) => {
        const account = settlementAccountFor(bik, raw);
        expect(isSettlementAccountOfBik(account, bik)).toBe(true);
        expect(isSettlementAccountOfBik(changeDigit(account, mutation.index, mutation.delta), bik)).toBe(
          false,
        );
      }),
    );
  });

  it('a correspondent account built on 0 + BIK digits 5-6 passes; one changed digit fails', () => {
    fc.assert(
      fc.property(digits(9), digits(20), change, (bik, raw, mutation) => {
        const account = withControlKey(`0${bik.slice(4, 6)}`, raw);
        expect(isCorrespondentAccountOfBik(account, bik)).toBe(true);
        expect(isCorrespondentAccountOfBik(changeDigit(account, mutation.index, mutation.delta), bik)).toBe(
          false,
        );
      }),
    );
  });

  it('INNs built with the official weights pass; a changed check digit always fails', () => {
    fc.assert(
      fc.property(digits(9), digits(10), fc.integer({ min: 1, max: 9 }), (body10, body12, delta) => {
        for (const { inn } of [inn10(body10), inn12(body12)]) {
          expect(isInn(inn)).toBe(true);
          expect(isInn(changeDigit(inn, inn.length - 1, delta))).toBe(false);
        }
      }),
    );
  });

  // (Σ mod 11) mod 10 maps remainders 0 and 10 to the same digit, so a changed digit is caught for sure
  // only when the first check's remainder is 1-9: then any other remainder gives another digit.
  it('one changed digit of an INN fails whenever its first check remainder is 1-9', () => {
    fc.assert(
      fc.property(fc.boolean(), digits(9), digits(10), change, (isTen, body10, body12, mutation) => {
        const { inn, remainder } = isTen ? inn10(body10) : inn12(body12);
        fc.pre(remainder >= 1 && remainder <= 9);
        expect(isInn(changeDigit(inn, mutation.index, mutation.delta))).toBe(false);
      }),
    );
  });
});
