/** The tariff form's parsing, the terms as people read them, what counts as an increase, and the earliest date. */
import { describe, expect, it } from 'vitest';
import { earliestIncreaseDate } from '../../src/modules/tariffs/tariff-admin.service.js';
import {
  describeTerms,
  parseAmountToMinor,
  parsePercentToBasisPoints,
  raisesFee,
} from '../../src/modules/tariffs/tariff-terms.js';

const terms = (percentBasisPoints: number, fixedMinor = 0n, minimumMinor = 0n) => ({
  percentBasisPoints,
  fixedMinor,
  minimumMinor,
});

describe('tariff terms', () => {
  it('parses percents to basis points and refuses what is not one', () => {
    expect(parsePercentToBasisPoints('2.9')).toBe(290);
    expect(parsePercentToBasisPoints('2,95')).toBe(295);
    expect(parsePercentToBasisPoints('100')).toBe(10_000);
    expect(parsePercentToBasisPoints('0')).toBe(0);
    for (const bad of ['100.01', '2.955', '-1', '', 'abc', '1e2'])
      expect(parsePercentToBasisPoints(bad)).toBeUndefined();
  });

  it('parses amounts exactly', () => {
    expect(parseAmountToMinor('10,5')).toBe(1050n);
    expect(parseAmountToMinor('0')).toBe(0n);
    expect(parseAmountToMinor('1.234')).toBeUndefined();
  });

  it('describes terms in both languages', () => {
    expect(describeTerms(terms(290, 1000n, 500n), 'RUB', 'ru')).toBe('2,9% + 10,00 ₽, не меньше 5,00 ₽');
    expect(describeTerms(terms(250), 'KZT', 'en')).toBe('2.5%');
  });

  it('counts any higher part as an increase', () => {
    expect(raisesFee(terms(290), terms(250))).toBe(false);
    expect(raisesFee(terms(290), terms(290))).toBe(false);
    expect(raisesFee(terms(290), terms(250, 1n))).toBe(true);
    expect(raisesFee(terms(290, 100n), terms(290, 0n, 1n))).toBe(true);
    expect(raisesFee(terms(290), terms(291))).toBe(true);
  });

  it('names the first Moscow date at least 14 days away', () => {
    // 09:00 UTC is 12:00 in Moscow: 14 days later is 16 March 12:00, so 17 March 00:00 is the first start.
    expect(earliestIncreaseDate(new Date('2026-03-02T09:00:00Z'))).toBe('2026-03-17');
    // Exactly at Moscow midnight (21:00 UTC the day before), 14 days later is itself a start.
    expect(earliestIncreaseDate(new Date('2026-03-01T21:00:00Z'))).toBe('2026-03-16');
  });
});
