/**
 * Card input as a buyer types it on the checkout page: number, expiry and CVC. Pure functions: checks the
 * Luhn digit, detects the payment system, and answers either a clean card or one problem per field, each
 * with a stable code and a text in every language. Never throws, whatever the input.
 */
import type { FieldProblem } from '../../platform/http/errors.js';
import type { LocalizedText } from '../../platform/i18n.js';
import { maskPan } from '../vault/index.js';

export const CARD_BRANDS = ['mir', 'visa', 'mastercard', 'maestro', 'unionpay', 'jcb', 'amex'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export const CARD_BRAND_NAMES: Readonly<Record<CardBrand, LocalizedText>> = {
  mir: { ru: 'Мир', en: 'Mir' },
  visa: { ru: 'Visa', en: 'Visa' },
  mastercard: { ru: 'Mastercard', en: 'Mastercard' },
  maestro: { ru: 'Maestro', en: 'Maestro' },
  unionpay: { ru: 'UnionPay', en: 'UnionPay' },
  jcb: { ru: 'JCB', en: 'JCB' },
  amex: { ru: 'American Express', en: 'American Express' },
};

export const CARD_NUMBER_MIN_DIGITS = 12;
export const CARD_NUMBER_MAX_DIGITS = 19;
/** A card further ahead than this is a typo, not a card. */
export const EXPIRY_MAX_YEARS_AHEAD = 20;

export type CardField = 'cardNumber' | 'expiry' | 'cvc';

export interface CardInput {
  readonly cardNumber: string;
  /** 'MM/YY'; also 'MM / YY', 'MMYY', 'MM/YYYY' (and a one-digit month before a slash). */
  readonly expiry: string;
  readonly cvc: string;
}

export interface ValidCard {
  readonly pan: string;
  readonly brand: CardBrand;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly cvc: string;
}

export type CardValidationResult =
  | { readonly ok: true; readonly card: ValidCard }
  | { readonly ok: false; readonly fields: Partial<Record<CardField, FieldProblem>> };

function problem(code: string, ru: string, en: string): FieldProblem {
  return { code, text: { ru, en } };
}

/** Every problem validateCardInput can report, by its stable code. */
export const CARD_PROBLEMS = {
  cardNumberRequired: problem('card_number_required', 'Введите номер карты.', 'Enter the card number.'),
  cardNumberNotDigits: problem(
    'card_number_not_digits',
    'В номере карты могут быть только цифры.',
    'A card number contains digits only.',
  ),
  cardNumberLength: problem(
    'card_number_length',
    'В номере карты от 12 до 19 цифр.',
    'A card number has 12 to 19 digits.',
  ),
  cardNumberInvalid: problem(
    'card_number_invalid',
    'Проверьте номер карты: в нём ошибка.',
    'Check the card number: it has a mistake.',
  ),
  cardBrandUnsupported: problem(
    'card_brand_unsupported',
    'Карты этой платёжной системы не принимаются. Оплатите картой Мир, Visa, Mastercard, Maestro, UnionPay, JCB или American Express.',
    'Cards of this payment system are not accepted. Pay with a Mir, Visa, Mastercard, Maestro, UnionPay, JCB or American Express card.',
  ),
  expiryRequired: problem('expiry_required', 'Введите срок действия карты.', 'Enter the card’s expiry date.'),
  expiryFormat: problem(
    'expiry_format',
    'Введите срок действия в формате ММ/ГГ, например 08/29.',
    'Enter the expiry date as MM/YY, for example 08/29.',
  ),
  expiryMonthInvalid: problem(
    'expiry_month_invalid',
    'Месяц — число от 01 до 12.',
    'The month must be from 01 to 12.',
  ),
  expiryPast: problem('expiry_past', 'Срок действия карты истёк.', 'The card has expired.'),
  expiryTooFar: problem(
    'expiry_too_far',
    'Проверьте срок действия: он больше чем через 20 лет.',
    'Check the expiry date: it is more than 20 years ahead.',
  ),
  cvcRequired: problem(
    'cvc_required',
    'Введите CVC/CVV-код с обратной стороны карты.',
    'Enter the CVC/CVV code from the back of the card.',
  ),
  cvcInvalid: problem(
    'cvc_invalid',
    'CVC/CVV-код — три цифры с обратной стороны карты.',
    'The CVC/CVV code is the three digits on the back of the card.',
  ),
  cvcInvalidAmex: problem(
    'cvc_invalid',
    'Код карты American Express — четыре цифры на её лицевой стороне.',
    'The code of an American Express card is the four digits on its front.',
  ),
} as const satisfies Record<string, FieldProblem>;

/** Spaces (any white space) and dashes are how people group card digits; nothing else is removed. */
function stripCardNumber(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/** The Luhn (mod 10) check over a string of ASCII digits; false for anything else, including ''. */
export function luhnIsValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    const digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    const weighted = index % 2 === 1 ? digit * 2 : digit;
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return sum % 10 === 0;
}

interface BrandRange {
  readonly brand: CardBrand;
  readonly length: number;
  readonly from: number;
  readonly to: number;
}

/*
 * Prefix ranges (inclusive), checked in this order: the first match wins, so UnionPay's 62 comes before
 * Maestro's 56-69, which therefore means "56-69 except 62".
 */
const BRAND_RANGES: readonly BrandRange[] = [
  { brand: 'mir', length: 4, from: 2200, to: 2204 },
  { brand: 'mastercard', length: 2, from: 51, to: 55 },
  { brand: 'mastercard', length: 4, from: 2221, to: 2720 },
  { brand: 'visa', length: 1, from: 4, to: 4 },
  { brand: 'amex', length: 2, from: 34, to: 34 },
  { brand: 'amex', length: 2, from: 37, to: 37 },
  { brand: 'jcb', length: 4, from: 3528, to: 3589 },
  { brand: 'unionpay', length: 2, from: 62, to: 62 },
  { brand: 'maestro', length: 2, from: 50, to: 50 },
  { brand: 'maestro', length: 2, from: 56, to: 69 },
];

/**
 * The payment system by the number's prefix, or null when unknown. Spaces and dashes are ignored; a
 * partial number is enough once it has as many digits as the range needs (so it also serves as-you-type).
 */
export function detectCardBrand(cardNumber: string): CardBrand | null {
  const digits = stripCardNumber(cardNumber);
  if (!/^\d+$/.test(digits)) return null;
  const found = BRAND_RANGES.find((range) => {
    if (digits.length < range.length) return false;
    const prefix = Number(digits.slice(0, range.length));
    return prefix >= range.from && prefix <= range.to;
  });
  return found?.brand ?? null;
}

/** '4111 1111-1111 1111' -> '411111******1111'; null when the input is not a 12-19 digit number. */
export function formatCardMask(cardNumber: string): string | null {
  const digits = stripCardNumber(cardNumber);
  return /^\d{12,19}$/.test(digits) ? maskPan(digits) : null;
}

function checkCardNumber(digits: string): FieldProblem | undefined {
  if (digits === '') return CARD_PROBLEMS.cardNumberRequired;
  if (!/^\d+$/.test(digits)) return CARD_PROBLEMS.cardNumberNotDigits;
  if (digits.length < CARD_NUMBER_MIN_DIGITS || digits.length > CARD_NUMBER_MAX_DIGITS) {
    return CARD_PROBLEMS.cardNumberLength;
  }
  // Luhn before the brand: a typo can change the prefix too, and "it has a mistake" is the useful answer.
  if (!luhnIsValid(digits)) return CARD_PROBLEMS.cardNumberInvalid;
  if (detectCardBrand(digits) === null) return CARD_PROBLEMS.cardBrandUnsupported;
  return undefined;
}

const EXPIRY_PATTERNS = [/^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/, /^(\d{2})(\d{2})$/];

type ExpiryCheck =
  | { readonly month: number; readonly year: number; readonly problem?: undefined }
  | { readonly problem: FieldProblem };

/** A card is valid through the last day of its month; year and month are compared in UTC. */
function checkExpiry(text: string, now: Date): ExpiryCheck {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: CARD_PROBLEMS.expiryRequired };
  const match = EXPIRY_PATTERNS.map((pattern) => pattern.exec(trimmed)).find((result) => result !== null);
  const monthText = match?.[1];
  const yearText = match?.[2];
  if (monthText === undefined || yearText === undefined) return { problem: CARD_PROBLEMS.expiryFormat };
  const month = Number(monthText);
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  if (month < 1 || month > 12) return { problem: CARD_PROBLEMS.expiryMonthInvalid };
  const monthIndex = year * 12 + (month - 1);
  const currentMonthIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (monthIndex < currentMonthIndex) return { problem: CARD_PROBLEMS.expiryPast };
  if (monthIndex > currentMonthIndex + EXPIRY_MAX_YEARS_AHEAD * 12) {
    return { problem: CARD_PROBLEMS.expiryTooFar };
  }
  return { month, year };
}

/*
 * The CVC length follows the brand the number shows, even a mistyped number: American Express has 4 digits,
 * the others 3. With no brand at all the number is already reported, so 3 or 4 digits pass here.
 */
function checkCvc(cvc: string, brand: CardBrand | null): FieldProblem | undefined {
  if (cvc === '') return CARD_PROBLEMS.cvcRequired;
  if (brand === 'amex') return /^\d{4}$/.test(cvc) ? undefined : CARD_PROBLEMS.cvcInvalidAmex;
  if (brand === null) return /^\d{3,4}$/.test(cvc) ? undefined : CARD_PROBLEMS.cvcInvalid;
  return /^\d{3}$/.test(cvc) ? undefined : CARD_PROBLEMS.cvcInvalid;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Checks all three fields at once, so the buyer sees every problem in one go. */
export function validateCardInput(input: CardInput, now: Date): CardValidationResult {
  const digits = stripCardNumber(asText(input.cardNumber));
  const cvc = asText(input.cvc).trim();
  const brand = detectCardBrand(digits);
  const numberProblem = checkCardNumber(digits);
  const expiry = checkExpiry(asText(input.expiry), now);
  const cvcProblem = checkCvc(cvc, brand);
  if (numberProblem || expiry.problem || cvcProblem || brand === null) {
    const fields: Partial<Record<CardField, FieldProblem>> = {};
    if (numberProblem) fields.cardNumber = numberProblem;
    if (expiry.problem) fields.expiry = expiry.problem;
    if (cvcProblem) fields.cvc = cvcProblem;
    return { ok: false, fields };
  }
  return {
    ok: true,
    card: { pan: digits, brand, expiryMonth: expiry.month, expiryYear: expiry.year, cvc },
  };
}
