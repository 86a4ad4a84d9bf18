/**
 * Russian bank details, checked the way the Central Bank and the tax service define them. Pure functions:
 * no database, no clock. Each check answers a field problem (stable code, ru/en text) or nothing.
 *
 * - BIK: 9 digits.
 * - Settlement account: 20 digits whose control key fits the BIK: the last 3 digits of the BIK followed
 *   by the 20 digits, multiplied digit by digit by the weights 7,1,3 repeated, sum to a multiple of 10.
 * - Correspondent account: 20 digits, the same check with '0' and the BIK's 5th and 6th digits in front
 *   (the Central Bank's rule for accounts opened at its settlement centres).
 * - INN: 10 digits (a legal entity, one check digit) or 12 (an individual or sole proprietor, two check
 *   digits), with the tax service's weights; each check digit is (weighted sum mod 11) mod 10.
 * - KPP: 9 characters, 4 digits, 2 digits or capital Latin letters, 3 digits; required with a 10-digit
 *   INN (legal entities have one), absent or empty for a 12-digit one.
 */
import type { FieldProblem } from '../../platform/http/errors.js';

export interface BankDetailsInput {
  readonly bik: string;
  readonly settlementAccount: string;
  readonly correspondentAccount: string;
  readonly inn: string;
  readonly kpp?: string | null | undefined;
  readonly recipientName: string;
}

export interface BankDetails {
  readonly bik: string;
  readonly settlementAccount: string;
  readonly correspondentAccount: string;
  readonly inn: string;
  readonly kpp: string | null;
  readonly recipientName: string;
}

export const RECIPIENT_NAME_MAX_LENGTH = 160;

const problem = (code: string, ru: string, en: string, values?: Record<string, string | number>) =>
  ({ code, text: { ru, en }, ...(values ? { values } : {}) }) satisfies FieldProblem;

export const bankDetailsProblems = {
  required: problem('required', 'Заполните поле.', 'This field is required.'),
  bikFormat: problem('invalid_format', 'БИК: ровно 9 цифр.', 'BIK: exactly 9 digits.'),
  accountFormat: problem(
    'invalid_format',
    'Номер счёта: ровно 20 цифр.',
    'Account number: exactly 20 digits.',
  ),
  settlementChecksum: problem(
    'checksum_mismatch',
    'Номер счёта не сходится с БИК: проверьте обе цифры.',
    'The account number does not match the BIK: check both.',
  ),
  correspondentChecksum: problem(
    'checksum_mismatch',
    'Корреспондентский счёт не сходится с БИК.',
    'The correspondent account does not match the BIK.',
  ),
  innFormat: problem(
    'invalid_format',
    'ИНН: 10 цифр для организации или 12 для ИП и физического лица.',
    'INN: 10 digits for a legal entity, 12 for an individual.',
  ),
  innChecksum: problem(
    'checksum_mismatch',
    'ИНН с ошибкой: контрольное число не сходится.',
    'The INN check digit is wrong.',
  ),
  kppFormat: problem(
    'invalid_format',
    'КПП: 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры.',
    'KPP: 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits.',
  ),
  kppRequired: problem(
    'required',
    'У организации (ИНН из 10 цифр) укажите КПП.',
    'A legal entity (10-digit INN) needs a KPP.',
  ),
  kppNotApplicable: problem(
    'not_applicable',
    'У ИП и физических лиц (ИНН из 12 цифр) КПП нет.',
    'Individuals (12-digit INN) have no KPP.',
  ),
  nameTooLong: problem('too_long', 'Не длиннее {max} символов.', 'At most {max} characters.', {
    max: RECIPIENT_NAME_MAX_LENGTH,
  }),
} as const;

const digitsOf = (text: string) => [...text].map(Number);

/** The Central Bank's key check over the 23-digit string (3 digits from the BIK + the account). */
export function hasValidAccountKey(prefix3: string, account20: string): boolean {
  const weights = [7, 1, 3];
  const sum = digitsOf(prefix3 + account20).reduce(
    (total, digit, index) => total + digit * (weights[index % 3] ?? 0),
    0,
  );
  return sum % 10 === 0;
}

export function isBik(text: string): boolean {
  return /^\d{9}$/.test(text);
}

export function isAccountNumber(text: string): boolean {
  return /^\d{20}$/.test(text);
}

export function isSettlementAccountOfBik(account: string, bik: string): boolean {
  return isBik(bik) && isAccountNumber(account) && hasValidAccountKey(bik.slice(6, 9), account);
}

export function isCorrespondentAccountOfBik(account: string, bik: string): boolean {
  return isBik(bik) && isAccountNumber(account) && hasValidAccountKey(`0${bik.slice(4, 6)}`, account);
}

/** (Σ digit × weight mod 11) mod 10: the tax service's check digit over the first weights.length digits. */
export function innCheckDigit(digits: readonly number[], weights: readonly number[]): number {
  const sum = weights.reduce((total, weight, index) => total + weight * (digits[index] ?? 0), 0);
  return (sum % 11) % 10;
}

export const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
export const INN12_WEIGHTS_11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
export const INN12_WEIGHTS_12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

export function isInn(text: string): boolean {
  if (!/^(\d{10}|\d{12})$/.test(text)) return false;
  const digits = digitsOf(text);
  if (digits.length === 10) return innCheckDigit(digits, INN10_WEIGHTS) === digits[9];
  return (
    innCheckDigit(digits, INN12_WEIGHTS_11) === digits[10] &&
    innCheckDigit(digits, INN12_WEIGHTS_12) === digits[11]
  );
}

export function isKpp(text: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(text);
}

function checkInn(inn: string): FieldProblem | undefined {
  if (inn === '') return bankDetailsProblems.required;
  if (!/^(\d{10}|\d{12})$/.test(inn)) return bankDetailsProblems.innFormat;
  return isInn(inn) ? undefined : bankDetailsProblems.innChecksum;
}

function checkKpp(kpp: string, inn: string): FieldProblem | undefined {
  if (/^\d{12}$/.test(inn)) return kpp === '' ? undefined : bankDetailsProblems.kppNotApplicable;
  if (kpp === '') return /^\d{10}$/.test(inn) ? bankDetailsProblems.kppRequired : undefined;
  return isKpp(kpp) ? undefined : bankDetailsProblems.kppFormat;
}

function checkAccount(
  account: string,
  bik: string,
  matches: (account: string, bik: string) => boolean,
  mismatch: FieldProblem,
): FieldProblem | undefined {
  if (account === '') return bankDetailsProblems.required;
  if (!isAccountNumber(account)) return bankDetailsProblems.accountFormat;
  // Without a valid BIK the key cannot be checked; the BIK's own problem says what to fix.
  if (!isBik(bik)) return undefined;
  return matches(account, bik) ? undefined : mismatch;
}

/**
 * Trims the fields (and drops the spaces people paste inside numbers), then checks every one. Answers the
 * normalised details, or every field's problem at once.
 */
export function validateBankDetails(
  input: BankDetailsInput,
): { ok: true; details: BankDetails } | { ok: false; problems: Record<string, FieldProblem> } {
  const compact = (text: string) => text.replace(/\s+/g, '');
  const details: BankDetails = {
    bik: compact(input.bik),
    settlementAccount: compact(input.settlementAccount),
    correspondentAccount: compact(input.correspondentAccount),
    inn: compact(input.inn),
    kpp:
      input.kpp === undefined || input.kpp === null || compact(input.kpp) === '' ? null : compact(input.kpp),
    recipientName: input.recipientName.trim().replace(/\s+/g, ' '),
  };
  const problems: Record<string, FieldProblem | undefined> = {
    bik:
      details.bik === ''
        ? bankDetailsProblems.required
        : isBik(details.bik)
          ? undefined
          : bankDetailsProblems.bikFormat,
    settlementAccount: checkAccount(
      details.settlementAccount,
      details.bik,
      isSettlementAccountOfBik,
      bankDetailsProblems.settlementChecksum,
    ),
    correspondentAccount: checkAccount(
      details.correspondentAccount,
      details.bik,
      isCorrespondentAccountOfBik,
      bankDetailsProblems.correspondentChecksum,
    ),
    inn: checkInn(details.inn),
    kpp: checkKpp(details.kpp ?? '', details.inn),
    recipientName:
      details.recipientName === ''
        ? bankDetailsProblems.required
        : details.recipientName.length > RECIPIENT_NAME_MAX_LENGTH
          ? bankDetailsProblems.nameTooLong
          : undefined,
  };
  const found = Object.entries(problems).filter(
    (entry): entry is [string, FieldProblem] => entry[1] !== undefined,
  );
  return found.length > 0 ? { ok: false, problems: Object.fromEntries(found) } : { ok: true, details };
}

/** For statements and lists: the first 5 and last 4 digits of an account, the rest hidden. */
export function maskAccount(account: string): string {
  if (account.length <= 9) return account;
  return `${account.slice(0, 5)}${'*'.repeat(account.length - 9)}${account.slice(-4)}`;
}
