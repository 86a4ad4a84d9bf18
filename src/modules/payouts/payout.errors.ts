/** Errors of bank details and payouts. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const payoutErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  payoutNotFound: { status: 404, ru: 'Выплата не найдена.', en: 'Payout not found.' },
  bankDetailsMissing: {
    status: 409,
    ru: 'Сначала укажите банковские реквизиты для выплат.',
    en: 'Enter the bank details for payouts first.',
  },
  insufficientFunds: {
    status: 409,
    ru: 'Доступно к выплате {available}, запрошено {amount}.',
    en: 'Available for payout: {available}; requested: {amount}.',
  },
  belowMinimum: {
    status: 422,
    ru: 'Минимальная сумма выплаты: {minimum}.',
    en: 'The minimum payout is {minimum}.',
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
