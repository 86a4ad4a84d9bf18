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

/** Errors of the back-office's payout queue (payout-queue.service.ts). */
export const payoutQueueErrors = defineErrors({
  wrongStatus: {
    status: 409,
    ru: 'Выплата сейчас в статусе «{status}»: это действие для неё недоступно. Обновите список.',
    en: 'The payout is now "{status}": this action does not apply to it. Refresh the list.',
  },
  bankFileRublesOnly: {
    status: 409,
    ru: 'Платёжным поручением выгружаются только выплаты в рублях.',
    en: 'Only payouts in rubles can be exported as payment orders.',
  },
  nothingToExport: {
    status: 409,
    ru: 'Нет одобренных выплат для выгрузки.',
    en: 'There are no approved payouts to export.',
  },
  notExportable: {
    status: 409,
    ru: 'Не все выбранные выплаты можно выгрузить: {ids}. Выгруженные ранее — только с отметкой «повторно».',
    en: 'Some chosen payouts cannot be exported: {ids}. Payouts exported before need "export again".',
  },
  operatorBankDetailsMissing: {
    status: 409,
    ru: 'Не заданы банковские реквизиты оператора (KOPEK_OPERATOR_ACCOUNT, KOPEK_OPERATOR_BIK, KOPEK_OPERATOR_CORR_ACCOUNT).',
    en: "The operator's bank details are not set (KOPEK_OPERATOR_ACCOUNT, KOPEK_OPERATOR_BIK, KOPEK_OPERATOR_CORR_ACCOUNT).",
  },
  exportFileNotFound: { status: 404, ru: 'Файл выгрузки не найден.', en: 'Export file not found.' },
});

export const payoutQueueProblems = {
  reasonRequired: {
    code: 'required',
    text: {
      ru: 'Напишите причину: её увидит мерчант (от 3 до 500 символов).',
      en: 'Give the reason: the merchant sees it (3 to 500 characters).',
    },
  },
  bankReferenceInvalid: {
    code: 'invalid_bank_reference',
    text: {
      ru: 'Номер документа в банке: от 1 до 64 символов.',
      en: "The bank's document reference: 1 to 64 characters.",
    },
  },
  dateInvalid: {
    code: 'invalid_date',
    text: { ru: 'Дата: ГГГГ-ММ-ДД, не позже сегодняшней.', en: 'Date: YYYY-MM-DD, not after today.' },
  },
  payoutIdsRequired: {
    code: 'required',
    text: {
      ru: 'Для повторной выгрузки выберите выплаты.',
      en: 'Choose the payouts to export again.',
    },
  },
} satisfies Record<string, FieldProblem>;
