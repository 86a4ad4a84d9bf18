/**
 * A new deal's terms as the cabinet and the JSON API send them, read exactly and checked field by field:
 * every problem is reported at once, with a code and texts in both languages.
 */
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import type { Language } from '../../platform/i18n.js';
import { parseDecimalToMinor } from '../../platform/money.js';

export const MAX_DEAL_DESCRIPTION_CHARACTERS = 250;
export const MAX_DEAL_DEADLINE_DAYS = 180;
/** The largest deal: ten million roubles, well above what a card payment carries. */
const MAX_DEAL_AMOUNT_MINOR = 1_000_000_000n;

export interface DealInput {
  readonly shopId: string;
  /** Decimal text with at most two decimals, e.g. '1490' or '1490.50'. */
  readonly amount: string;
  readonly description: string;
  readonly buyerEmail: string;
  /** Days from payment to the automatic release; the installation's default when absent. */
  readonly deadlineDays?: number | undefined;
  readonly language?: Language | undefined;
  readonly isTest?: boolean | undefined;
}

export interface ValidDealTerms {
  readonly amountMinor: bigint;
  readonly description: string;
  readonly buyerEmail: string;
  readonly deadlineDays: number;
  readonly language: Language;
  readonly isTest: boolean;
}

const PROBLEMS = {
  amount: {
    code: 'invalid_amount',
    text: {
      ru: 'Сумма: положительное число не больше 10 000 000, не больше двух знаков после запятой.',
      en: 'Amount: a positive number up to 10,000,000 with at most two decimals.',
    },
  },
  description: {
    code: 'invalid_description',
    text: {
      ru: 'Описание: от 1 до 250 символов.',
      en: 'Description: from 1 to 250 characters.',
    },
  },
  buyerEmail: {
    code: 'invalid_email',
    text: { ru: 'Введите адрес вида name@example.ru.', en: 'Enter an address like name@example.com.' },
  },
  deadlineDays: {
    code: 'invalid_deadline',
    text: {
      ru: 'Срок сделки: целое число дней от 1 до 180.',
      en: 'Deadline: a whole number of days from 1 to 180.',
    },
  },
} satisfies Record<string, FieldProblem>;

function readAmount(text: string): bigint | undefined {
  const amountMinor = parseDecimalToMinor(text.trim().replace(',', '.'), 'RUB');
  return amountMinor !== undefined && amountMinor > 0n && amountMinor <= MAX_DEAL_AMOUNT_MINOR
    ? amountMinor
    : undefined;
}

function isEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

/** The deal's terms, or a validation error naming every bad field (nothing is written then). */
export function readDealInput(deps: Pick<Deps, 'config'>, input: DealInput): ValidDealTerms {
  const problems: Record<string, FieldProblem> = {};
  const amountMinor = readAmount(input.amount);
  if (amountMinor === undefined) problems.amount = PROBLEMS.amount;
  const description = input.description.trim();
  const length = [...description].length;
  if (length < 1 || length > MAX_DEAL_DESCRIPTION_CHARACTERS) problems.description = PROBLEMS.description;
  const buyerEmail = input.buyerEmail.trim().toLowerCase();
  if (!isEmail(buyerEmail)) problems.buyerEmail = PROBLEMS.buyerEmail;
  const deadlineDays = input.deadlineDays ?? deps.config.dealDeadlineDays;
  if (!Number.isInteger(deadlineDays) || deadlineDays < 1 || deadlineDays > MAX_DEAL_DEADLINE_DAYS)
    problems.deadlineDays = PROBLEMS.deadlineDays;
  if (Object.keys(problems).length > 0 || amountMinor === undefined) throw validationError(problems);
  return {
    amountMinor,
    description,
    buyerEmail,
    deadlineDays,
    language: input.language ?? 'ru',
    isTest: input.isTest ?? false,
  };
}
