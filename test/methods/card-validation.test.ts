import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARD_PROBLEMS,
  detectCardBrand,
  formatCardMask,
  luhnIsValid,
  validateCardInput,
  type CardBrand,
  type CardInput,
} from '../../src/modules/methods/index.js';

/** The Luhn check digit for a payload, computed the textbook way (independently of luhnIsValid). */
function checkDigitFor(payload: string): string {
  let sum = 0;
  [...payload].reverse().forEach((character, index) => {
    const digit = Number(character);
    const doubled = index % 2 === 0 ? digit * 2 : digit;
    sum += Math.floor(doubled / 10) + (doubled % 10);
  });
  return String((10 - (sum % 10)) % 10);
}

/** A Luhn-valid number of `length` digits starting with `prefix`. */
function cardNumber(prefix: string, length = 16): string {
  const payload = prefix.padEnd(length - 1, '0');
  return payload + checkDigitFor(payload);
}

const NOW = new Date('2026-03-15T12:00:00Z');
const GOOD: CardInput = { cardNumber: '4111 1111 1111 1111', expiry: '12/28', cvc: '123' };

function fieldsOf(input: Partial<CardInput>, now = NOW) {
  const result = validateCardInput({ ...GOOD, ...input }, now);
  return result.ok ? {} : result.fields;
}

function codesOf(input: Partial<CardInput>, now = NOW) {
  return Object.fromEntries(
    Object.entries(fieldsOf(input, now)).map(([field, problem]) => [field, problem.code]),
  );
}

describe('luhnIsValid', () => {
  it.each([
    ['4111111111111111', true],
    ['5555555555554444', true],
    ['2200000000000004', true],
    ['378282246310005', true],
    ['6200000000000005', true],
    ['3530111333300000', true],
    ['0', true],
    ['4111111111111112', false],
    ['5555555555554440', false],
    ['2200000000000005', false],
    ['', false],
    ['4111 1111 1111 1111', false],
    ['4111-1111-1111-1111', false],
    ['４１１１', false],
    ['abc', false],
  ])('%j -> %s', (digits, expected) => {
    expect(luhnIsValid(digits)).toBe(expected);
  });

  it('accepts any digit string ending in its correct check digit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{0,30}$/), (payload) => {
        expect(luhnIsValid(payload + checkDigitFor(payload))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects the number once any one digit is changed', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{1,25}$/),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (payload, position, shift) => {
          const valid = payload + checkDigitFor(payload);
          const index = position % valid.length;
          const changed = String((Number(valid[index]) + shift) % 10);
          const broken = valid.slice(0, index) + changed + valid.slice(index + 1);
          expect(luhnIsValid(broken)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('detectCardBrand', () => {
  it.each<[string, CardBrand | null]>([
    ['2200', 'mir'],
    ['2204', 'mir'],
    ['2205', null],
    ['2220', null],
    ['2221', 'mastercard'],
    ['2720', 'mastercard'],
    ['2721', null],
    ['51', 'mastercard'],
    ['55', 'mastercard'],
    ['4', 'visa'],
    ['34', 'amex'],
    ['37', 'amex'],
    ['35', null],
    ['3527', null],
    ['3528', 'jcb'],
    ['3589', 'jcb'],
    ['3590', null],
    ['62', 'unionpay'],
    ['50', 'maestro'],
    ['56', 'maestro'],
    ['6011', 'maestro'],
    ['6759', 'maestro'],
    ['69', 'maestro'],
    ['30', null],
    ['36', null],
    ['1', null],
    ['7', null],
    ['9', null],
    ['0', null],
  ])('a number starting %s is %s', (prefix, brand) => {
    expect(detectCardBrand(cardNumber(prefix))).toBe(brand);
  });

  it('ignores spaces and dashes and detects partial numbers once the prefix is complete', () => {
    expect(detectCardBrand('4111 1111-1111 1111')).toBe('visa');
    expect(detectCardBrand('4')).toBe('visa');
    expect(detectCardBrand('22')).toBeNull();
    expect(detectCardBrand('2200')).toBe('mir');
    expect(detectCardBrand('')).toBeNull();
    expect(detectCardBrand('41a1')).toBeNull();
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (value) => void detectCardBrand(value)));
  });
});

describe('formatCardMask', () => {
  it('keeps the first 6 and last 4 digits', () => {
    expect(formatCardMask('4111 1111 1111 1111')).toBe('411111******1111');
    expect(formatCardMask('4111-1111-1111-1111')).toBe('411111******1111');
    expect(formatCardMask('378282246310005')).toBe('378282*****0005');
    expect(formatCardMask('123456789012')).toBe('123456**9012');
    expect(formatCardMask('1234567890123456789')).toBe('123456*********6789');
  });

  it('answers null for anything that is not a 12-19 digit number', () => {
    expect(formatCardMask('12345678901')).toBeNull();
    expect(formatCardMask('12345678901234567890')).toBeNull();
    expect(formatCardMask('4111x11111111111')).toBeNull();
    expect(formatCardMask('')).toBeNull();
  });

  it('never reveals more than the first 6 and last 4 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12,19}$/), (digits) => {
        const mask = formatCardMask(digits);
        expect(mask).toHaveLength(digits.length);
        expect(mask).toBe(`${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`);
      }),
    );
  });
});

describe('validateCardInput: a good card', () => {
  it('answers the clean card', () => {
    expect(validateCardInput(GOOD, NOW)).toEqual({
      ok: true,
      card: { pan: '4111111111111111', brand: 'visa', expiryMonth: 12, expiryYear: 2028, cvc: '123' },
    });
  });

  it.each([
    ['5555 5555 5555 4444', 'mastercard', '123'],
    ['2200 0000 0000 0004', 'mir', '123'],
    ['3782 822463 10005', 'amex', '1234'],
    ['3530 1113 3330 0000', 'jcb', '123'],
    ['6200 0000 0000 0005', 'unionpay', '123'],
    ['6759 6498 2643 8453', 'maestro', '123'],
  ])('%s is %s', (number, brand, cvc) => {
    const result = validateCardInput({ ...GOOD, cardNumber: number, cvc }, NOW);
    expect(result).toMatchObject({ ok: true, card: { brand, pan: number.replace(/ /g, ''), cvc } });
  });

  it('strips spaces and dashes anywhere in the number, and white space around the CVC', () => {
    for (const number of [
      '4111-1111-1111-1111',
      ' 4111 1111 1111 1111 ',
      '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
      '4111\u00a01111\t1111-1111',
    ]) {
      expect(validateCardInput({ ...GOOD, cardNumber: number, cvc: ' 123 ' }, NOW)).toMatchObject({
        ok: true,
        card: { pan: '4111111111111111', cvc: '123' },
      });
    }
  });

  it('gives the same answer whatever spaces and dashes the buyer added', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('4111111111111111', '5555555555554444', '2200000000000004', '378282246310005'),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(' ', '-', '  ', ' - '))),
        (number, insertions) => {
          let typed = number;
          for (const [position, separator] of insertions) {
            const index = position % (typed.length + 1);
            typed = typed.slice(0, index) + separator + typed.slice(index);
          }
          const cvc = number.startsWith('37') ? '1234' : '123';
          expect(validateCardInput({ ...GOOD, cardNumber: typed, cvc }, NOW)).toEqual(
            validateCardInput({ ...GOOD, cardNumber: number, cvc }, NOW),
          );
        },
      ),
    );
  });
});

describe('validateCardInput: the card number', () => {
  it.each([
    ['', 'card_number_required'],
    ['  - ', 'card_number_required'],
    ['4111 1111 1111 111O', 'card_number_not_digits'],
    ['4111.1111.1111.1111', 'card_number_not_digits'],
    ['４１１１１１１１１１１１１１１１', 'card_number_not_digits'],
    [cardNumber('4', 11), 'card_number_length'],
    [cardNumber('4', 20), 'card_number_length'],
    ['4111 1111 1111 1112', 'card_number_invalid'],
    [cardNumber('30', 14), 'card_brand_unsupported'],
    [cardNumber('9', 16), 'card_brand_unsupported'],
    [cardNumber('2205', 16), 'card_brand_unsupported'],
  ])('%j -> %s', (number, code) => {
    expect(codesOf({ cardNumber: number })).toEqual({ cardNumber: code });
  });

  it('accepts 12 to 19 digits', () => {
    for (const length of [12, 13, 15, 16, 18, 19]) {
      expect(validateCardInput({ ...GOOD, cardNumber: cardNumber('4', length) }, NOW).ok).toBe(true);
    }
  });

  it('says the number has a mistake in both languages', () => {
    expect(fieldsOf({ cardNumber: '4111111111111112' }).cardNumber).toEqual({
      code: 'card_number_invalid',
      text: { ru: 'Проверьте номер карты: в нём ошибка.', en: 'Check the card number: it has a mistake.' },
    });
  });
});

describe('validateCardInput: the expiry', () => {
  it.each([
    ['03/26', 3, 2026],
    ['3/26', 3, 2026],
    ['03 / 26', 3, 2026],
    [' 03/26 ', 3, 2026],
    ['0326', 3, 2026],
    ['03/2026', 3, 2026],
    ['12/29', 12, 2029],
    ['01/2030', 1, 2030],
    ['03/46', 3, 2046],
  ])('%j is %i/%i', (expiry, expiryMonth, expiryYear) => {
    expect(validateCardInput({ ...GOOD, expiry }, NOW)).toMatchObject({
      ok: true,
      card: { expiryMonth, expiryYear },
    });
  });

  it.each([
    ['', 'expiry_required'],
    ['   ', 'expiry_required'],
    ['abc', 'expiry_format'],
    ['03-27', 'expiry_format'],
    ['03/7', 'expiry_format'],
    ['031/27', 'expiry_format'],
    ['03/027', 'expiry_format'],
    ['032027', 'expiry_format'],
    ['03/27/01', 'expiry_format'],
    ['00/27', 'expiry_month_invalid'],
    ['13/27', 'expiry_month_invalid'],
    ['1327', 'expiry_month_invalid'],
    ['02/26', 'expiry_past'],
    ['12/25', 'expiry_past'],
    ['03/1999', 'expiry_past'],
    ['04/46', 'expiry_too_far'],
    ['01/2099', 'expiry_too_far'],
  ])('%j -> %s', (expiry, code) => {
    expect(codesOf({ expiry })).toEqual({ expiry: code });
  });

  it('keeps a card valid through the last day of its month, in UTC', () => {
    expect(codesOf({ expiry: '03/26' }, new Date('2026-03-31T23:59:59.999Z'))).toEqual({});
    // 01:00 on 1 April in Moscow, still March in UTC: the card is still valid.
    expect(codesOf({ expiry: '03/26' }, new Date('2026-03-31T22:00:00Z'))).toEqual({});
    expect(codesOf({ expiry: '03/26' }, new Date('2026-04-01T00:00:00Z'))).toEqual({ expiry: 'expiry_past' });
  });

  it('allows 20 years ahead and not a month more', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(codesOf({ expiry: '12/46' }, now)).toEqual({});
    expect(codesOf({ expiry: '01/47' }, now)).toEqual({ expiry: 'expiry_too_far' });
  });

  it('reads a two-digit year in the 2000s', () => {
    expect(validateCardInput({ ...GOOD, expiry: '01/99' }, NOW)).toMatchObject({ ok: false });
    expect(validateCardInput({ ...GOOD, expiry: '01/30' }, NOW)).toMatchObject({
      card: { expiryYear: 2030 },
    });
  });
});

describe('validateCardInput: the CVC', () => {
  it.each([
    ['4111111111111111', '', 'cvc_required'],
    ['4111111111111111', '  ', 'cvc_required'],
    ['4111111111111111', '12', 'cvc_invalid'],
    ['4111111111111111', '1234', 'cvc_invalid'],
    ['4111111111111111', '12a', 'cvc_invalid'],
    ['4111111111111111', '1 23', 'cvc_invalid'],
    ['378282246310005', '123', 'cvc_invalid'],
    ['378282246310005', '12345', 'cvc_invalid'],
  ])('card %s with CVC %j -> %s', (number, cvc, code) => {
    expect(codesOf({ cardNumber: number, cvc })).toEqual({ cvc: code });
  });

  it('explains that American Express has four digits', () => {
    expect(fieldsOf({ cardNumber: '378282246310005', cvc: '123' }).cvc?.text.en).toMatch(/four digits/);
    expect(fieldsOf({ cardNumber: '4111111111111111', cvc: '12' }).cvc?.text.en).toMatch(/three digits/);
  });

  it('follows the brand the number shows even when the number has a mistake', () => {
    expect(codesOf({ cardNumber: '378282246310006', cvc: '1234' })).toEqual({
      cardNumber: 'card_number_invalid',
    });
    expect(codesOf({ cardNumber: '378282246310006', cvc: '123' })).toEqual({
      cardNumber: 'card_number_invalid',
      cvc: 'cvc_invalid',
    });
  });
});

describe('validateCardInput: everything at once', () => {
  it('reports every field’s problem in one answer', () => {
    expect(codesOf({ cardNumber: '4111111111111112', expiry: '02/26', cvc: '1' })).toEqual({
      cardNumber: 'card_number_invalid',
      expiry: 'expiry_past',
      cvc: 'cvc_invalid',
    });
  });

  it('has a stable code and a text in both languages for every problem', () => {
    for (const problem of Object.values(CARD_PROBLEMS)) {
      expect(problem.code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
      expect(problem.text.ru.trim()).not.toBe('');
      expect(problem.text.en.trim()).not.toBe('');
      expect(problem.text.ru).not.toBe(problem.text.en);
    }
    expect(CARD_PROBLEMS.expiryPast.text.ru).toBe('Срок действия карты истёк.');
  });

  it('never throws on arbitrary strings and answers either a clean card or problems', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.stringMatching(/^[\d /-]{0,24}$/),
    );
    fc.assert(
      fc.property(text, text, text, fc.date({ noInvalidDate: true }), (number, expiry, cvc, now) => {
        const result = validateCardInput({ cardNumber: number, expiry, cvc }, now);
        if (result.ok) {
          expect(result.card.pan).toMatch(/^\d{12,19}$/);
          expect(luhnIsValid(result.card.pan)).toBe(true);
          expect(result.card.brand).toBe(detectCardBrand(result.card.pan));
          expect(result.card.expiryMonth).toBeGreaterThanOrEqual(1);
          expect(result.card.expiryMonth).toBeLessThanOrEqual(12);
        } else {
          expect(Object.keys(result.fields).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('does not throw when a caller passes something that is not a string', () => {
    const input = { cardNumber: undefined, expiry: null, cvc: 123 } as unknown as CardInput;
    expect(codesOf(input)).toEqual({
      cardNumber: 'card_number_required',
      expiry: 'expiry_required',
      cvc: 'cvc_required',
    });
  });
});
