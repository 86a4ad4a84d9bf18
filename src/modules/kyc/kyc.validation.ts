/**
 * The KYC questionnaire's fields by legal form, and their checks. Pure functions: no database, no clock.
 * INN, KPP and bank details reuse the payouts module's checks; OGRN and OGRNIP are checked here:
 * - OGRN (legal entity): 13 digits; the last = (the first 12 as a number mod 11) mod 10.
 * - OGRNIP (sole proprietor): 15 digits; the last = (the first 14 as a number mod 13) mod 10.
 * A legal entity has a 10-digit INN, a sole proprietor and a self-employed individual a 12-digit one.
 */
import type { FieldProblem } from '../../platform/http/errors.js';
import type { AccountsTable } from '../../schema.js';
import { isInn, isKpp, validateBankDetails } from '../payouts/index.js';

export type LegalForm = AccountsTable['legal_form'];

const BANK_FIELDS = ['bik', 'settlementAccount', 'correspondentAccount'] as const;
const COMMON_FIELDS = ['contactPhone', ...BANK_FIELDS] as const;

/** The fields each legal form fills in, in the order the form shows them. */
export const KYC_FIELDS: Record<LegalForm, readonly string[]> = {
  legal_entity: [
    'companyName',
    'inn',
    'kpp',
    'ogrn',
    'legalAddress',
    'postalAddress',
    'directorName',
    ...COMMON_FIELDS,
  ],
  sole_proprietor: ['fullName', 'inn', 'ogrnip', 'postalAddress', ...COMMON_FIELDS],
  individual: ['fullName', 'inn', ...COMMON_FIELDS],
};

export const KYC_FIELD_MAX_LENGTH = 300;
export type KycFields = Record<string, string>;

const problem = (code: string, ru: string, en: string, values?: Record<string, string | number>) =>
  ({ code, text: { ru, en }, ...(values ? { values } : {}) }) satisfies FieldProblem;

export const kycProblems = {
  required: problem('required', 'Заполните поле.', 'This field is required.'),
  tooLong: problem('too_long', 'Не длиннее {max} символов.', 'At most {max} characters.', {
    max: KYC_FIELD_MAX_LENGTH,
  }),
  inn10Length: problem(
    'wrong_length',
    'ИНН организации: ровно 10 цифр.',
    'A legal entity’s INN: exactly 10 digits.',
  ),
  inn12Length: problem(
    'wrong_length',
    'ИНН ИП или физического лица: ровно 12 цифр.',
    'An individual’s INN: exactly 12 digits.',
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
  ogrnLength: problem('wrong_length', 'ОГРН: ровно 13 цифр.', 'OGRN: exactly 13 digits.'),
  ogrnChecksum: problem(
    'checksum_mismatch',
    'ОГРН с ошибкой: контрольная цифра не сходится.',
    'The OGRN check digit is wrong.',
  ),
  ogrnipLength: problem('wrong_length', 'ОГРНИП: ровно 15 цифр.', 'OGRNIP: exactly 15 digits.'),
  ogrnipChecksum: problem(
    'checksum_mismatch',
    'ОГРНИП с ошибкой: контрольная цифра не сходится.',
    'The OGRNIP check digit is wrong.',
  ),
  phoneFormat: problem(
    'invalid_format',
    'Телефон: от 10 до 15 цифр, можно с «+» в начале.',
    'Phone: 10 to 15 digits, optionally starting with "+".',
  ),
  unknownField: problem('unknown_field', 'Такого поля в анкете нет.', 'The questionnaire has no such field.'),
} as const;

/** The control digit of a registration number: (the number without its last digit mod m) mod 10. */
function registrationCheckDigit(body: string, modulus: bigint): number {
  return Number((BigInt(body) % modulus) % 10n);
}

export function isOgrn(text: string): boolean {
  return /^\d{13}$/.test(text) && registrationCheckDigit(text.slice(0, 12), 11n) === Number(text[12]);
}

export function isOgrnip(text: string): boolean {
  return /^\d{15}$/.test(text) && registrationCheckDigit(text.slice(0, 14), 13n) === Number(text[14]);
}

/** Numbers are compacted (people paste them with spaces); text fields trimmed, inner spaces collapsed. */
const NUMERIC_FIELDS = new Set(['inn', 'kpp', 'ogrn', 'ogrnip', 'contactPhone', ...BANK_FIELDS]);

export function normalizeKycFields(legalForm: LegalForm, input: Record<string, unknown>): KycFields {
  const fields: KycFields = {};
  for (const name of KYC_FIELDS[legalForm]) {
    const raw = typeof input[name] === 'string' ? input[name] : '';
    fields[name] = NUMERIC_FIELDS.has(name) ? raw.replace(/[\s()-]+/g, '') : raw.trim().replace(/\s+/g, ' ');
  }
  return fields;
}

function checkInn(inn: string, digits: 10 | 12): FieldProblem | undefined {
  if (inn === '') return kycProblems.required;
  if (!new RegExp(`^\\d{${digits}}$`).test(inn)) {
    return digits === 10 ? kycProblems.inn10Length : kycProblems.inn12Length;
  }
  return isInn(inn) ? undefined : kycProblems.innChecksum;
}

function checkNumber(
  text: string,
  length: number,
  isValid: (text: string) => boolean,
  problems: { length: FieldProblem; checksum: FieldProblem },
): FieldProblem | undefined {
  if (text === '') return kycProblems.required;
  if (!new RegExp(`^\\d{${length}}$`).test(text)) return problems.length;
  return isValid(text) ? undefined : problems.checksum;
}

function checkField(legalForm: LegalForm, name: string, fields: KycFields): FieldProblem | undefined {
  const value = fields[name] ?? '';
  switch (name) {
    case 'inn':
      return checkInn(value, legalForm === 'legal_entity' ? 10 : 12);
    case 'kpp':
      if (value === '') return kycProblems.required;
      return isKpp(value) ? undefined : kycProblems.kppFormat;
    case 'ogrn':
      return checkNumber(value, 13, isOgrn, {
        length: kycProblems.ogrnLength,
        checksum: kycProblems.ogrnChecksum,
      });
    case 'ogrnip':
      return checkNumber(value, 15, isOgrnip, {
        length: kycProblems.ogrnipLength,
        checksum: kycProblems.ogrnipChecksum,
      });
    case 'contactPhone':
      if (value === '') return kycProblems.required;
      return /^\+?\d{10,15}$/.test(value) ? undefined : kycProblems.phoneFormat;
    default:
      if (value === '') return kycProblems.required;
      return value.length > KYC_FIELD_MAX_LENGTH ? kycProblems.tooLong : undefined;
  }
}

/** The bank details' own problems (BIK, accounts), checked by the payouts module's rules. */
function bankProblems(legalForm: LegalForm, fields: KycFields): Record<string, FieldProblem> {
  const result = validateBankDetails({
    bik: fields.bik ?? '',
    settlementAccount: fields.settlementAccount ?? '',
    correspondentAccount: fields.correspondentAccount ?? '',
    inn: fields.inn ?? '',
    kpp: legalForm === 'legal_entity' ? (fields.kpp ?? '') : null,
    recipientName: fields.companyName ?? fields.fullName ?? '',
  });
  if (result.ok) return {};
  return Object.fromEntries(
    BANK_FIELDS.flatMap((name) => (result.problems[name] ? [[name, result.problems[name]]] : [])),
  );
}

/** Every problem of a questionnaire about to be submitted, by field; empty when it may go to moderation. */
export function validateKycFields(legalForm: LegalForm, fields: KycFields): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const name of KYC_FIELDS[legalForm]) {
    const found = checkField(legalForm, name, fields);
    if (found) problems[name] = found;
  }
  for (const [name, found] of Object.entries(bankProblems(legalForm, fields))) {
    problems[name] ??= found;
  }
  return problems;
}

/** A draft may be incomplete, but never hold values too long to show or store. */
export function validateKycDraft(legalForm: LegalForm, fields: KycFields): Record<string, FieldProblem> {
  return Object.fromEntries(
    KYC_FIELDS[legalForm]
      .filter((name) => (fields[name] ?? '').length > KYC_FIELD_MAX_LENGTH)
      .map((name) => [name, kycProblems.tooLong]),
  );
}
