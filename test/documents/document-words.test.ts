/** Amounts in words and amount formatting for the closing documents. */
import { describe, expect, it } from 'vitest';
import {
  formatRubles,
  integerInWords,
  pluralForm,
  rublesInWords,
} from '../../src/modules/documents/document.words.js';

describe('amounts in words', () => {
  it('writes the act example exactly', () => {
    expect(rublesInWords(149000n)).toBe('Одна тысяча четыреста девяносто рублей 00 копеек');
  });

  it.each([
    [0n, 'ноль'],
    [1n, 'один'],
    [2n, 'два'],
    [11n, 'одиннадцать'],
    [21n, 'двадцать один'],
    [112n, 'сто двенадцать'],
    [1000n, 'одна тысяча'],
    [2000n, 'две тысячи'],
    [5000n, 'пять тысяч'],
    [11000n, 'одиннадцать тысяч'],
    [21001n, 'двадцать одна тысяча один'],
    [1000000n, 'один миллион'],
    [2_345_678n, 'два миллиона триста сорок пять тысяч шестьсот семьдесят восемь'],
    [1_000_001_000n, 'один миллиард одна тысяча'],
  ])('%s → %s', (value, words) => {
    expect(integerInWords(value)).toBe(words);
  });

  it('agrees rubles and kopecks with their count', () => {
    expect(rublesInWords(101n)).toBe('Один рубль 01 копейка');
    expect(rublesInWords(222n)).toBe('Два рубля 22 копейки');
    expect(rublesInWords(1111n)).toBe('Одиннадцать рублей 11 копеек');
    expect(rublesInWords(0n)).toBe('Ноль рублей 00 копеек');
    expect(pluralForm(114n, ['a', 'b', 'c'])).toBe('c');
  });

  it('refuses negative amounts', () => {
    expect(() => rublesInWords(-1n)).toThrow(RangeError);
  });
});

describe('amount formatting', () => {
  it('uses non-breaking spaces and a decimal comma', () => {
    expect(formatRubles(149000n)).toBe('1\u00a0490,00\u00a0₽');
    expect(formatRubles(123456789n)).toBe('1\u00a0234\u00a0567,89\u00a0₽');
    expect(formatRubles(5n)).toBe('0,05\u00a0₽');
    expect(formatRubles(-150n)).toBe('−1,50\u00a0₽');
  });
});
