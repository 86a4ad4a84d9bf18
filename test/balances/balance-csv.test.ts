/** The CSV building blocks: RFC 4180 quoting, formula-looking text, Moscow time, transfer kind names. */
import { describe, expect, it } from 'vitest';
import { transferKindName } from '../../src/modules/balances/balance.csv.js';
import { csvField, formatMoscowTime } from '../../src/platform/csv.js';

describe('CSV fields', () => {
  it.each([
    ['plain', 'plain'],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['', ''],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes times in Moscow time, which spreadsheets read as dates', () => {
    expect(formatMoscowTime(new Date('2026-03-06T21:30:05.999Z'))).toBe('2026-03-07 00:30:05');
  });

  it('names known transfer kinds in both languages and shows unknown ones by their code', () => {
    expect(transferKindName('settlement', 'ru')).toBe('Зачисление в доступные к выплате');
    expect(transferKindName('payment', 'en')).toBe('Payment');
    expect(transferKindName('payout', 'ru')).toBe('Выплата');
    expect(transferKindName('payout', 'en')).toBe('Payout');
    expect(transferKindName('hold', 'ru')).toBe('hold');
  });
});
