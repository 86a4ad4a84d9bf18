/** Errors of bank details, payouts and payout settings. */
import { AppError, defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const payoutErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  payoutNotFound: { status: 404, ru: 'Выплата не найдена.', en: 'Payout not found.' },
  bankDetailsMissing: {
    status: 409,
    ru: 'Сначала укажите банковские реквизиты для выплат.',
    en: 'Enter the bank details for payouts first.',
  },
});

export const payoutAmountProblems = {
  invalid: {
    code: 'invalid_amount',
    text: {
      ru: 'Сумма: положительное число, не больше двух знаков после точки.',
      en: 'Amount: a positive number with at most two decimals.',
    },
  },
} satisfies Record<string, FieldProblem>;

const BELOW_MINIMUM = {
  ru: 'Минимальная сумма выплаты: {minimum}.',
  en: 'The minimum payout is {minimum}.',
};
const INSUFFICIENT_FUNDS = {
  ru: 'Доступно к выплате {available}, запрошено {amount}.',
  en: 'Available for payout: {available}; requested: {amount}.',
};

/**
 * A payout below the shop's minimum: the stable code below_minimum (422) with the problem on the amount
 * field, so a form shows it next to the input. Without an amount (everything available), the field
 * message says how much is available.
 */
export function belowMinimumError(values: { minimum: string; available: string }, isAmountGiven: boolean) {
  const problem: FieldProblem = isAmountGiven
    ? {
        code: 'below_minimum',
        text: {
          ru: 'Не меньше {minimum}: это минимальная сумма выплаты для магазина.',
          en: "At least {minimum}: the shop's minimum payout.",
        },
        values,
      }
    : {
        code: 'below_minimum',
        text: {
          ru: 'Доступно {available}: это меньше минимальной суммы выплаты {minimum}.',
          en: 'Available: {available}, less than the minimum payout of {minimum}.',
        },
        values,
      };
  return new AppError('below_minimum', 422, BELOW_MINIMUM, values, { amount: problem });
}

/** More than is available (409 insufficient_funds), also shown on the amount field. */
export function insufficientFundsError(values: { available: string; amount: string }) {
  const problem: FieldProblem = {
    code: 'insufficient_funds',
    text: { ru: 'Доступно к выплате только {available}.', en: 'Only {available} is available for payout.' },
    values,
  };
  return new AppError('insufficient_funds', 409, INSUFFICIENT_FUNDS, values, { amount: problem });
}

const problem = (code: string, ru: string, en: string, values?: Record<string, string | number>) =>
  ({ code, text: { ru, en }, ...(values ? { values } : {}) }) satisfies FieldProblem;

export const payoutSettingsProblems = {
  weekdayRequired: problem(
    'required',
    'Выберите день недели для еженедельной выплаты.',
    'Choose the day of the week for a weekly payout.',
  ),
  timeInvalid: problem(
    'invalid_time',
    'Время: ЧЧ:ММ, от 00:00 до 23:59 (московское).',
    'Time: HH:MM, from 00:00 to 23:59 (Moscow time).',
  ),
  minimumInvalid: problem(
    'invalid_amount',
    'Сумма: положительное число, не больше двух знаков после точки.',
    'Amount: a positive number with at most two decimals.',
  ),
  minimumTooLow: (minimum: string) =>
    problem(
      'below_platform_minimum',
      'Не меньше {minimum}: это минимальная сумма выплаты платформы.',
      "At least {minimum}: the platform's minimum payout.",
      { minimum },
    ),
  minimumTooHigh: (maximum: string) =>
    problem('too_large', 'Не больше {maximum}.', 'At most {maximum}.', { maximum }),
};
