/** Errors of refunds, as the cabinet sees them. The Refund API maps them to Robokassa's messages. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const refundErrors = defineErrors({
  operationNotFound: { status: 404, ru: 'Операция не найдена.', en: 'Operation not found.' },
  paymentNotRefundable: {
    status: 409,
    ru: 'Вернуть можно только оплаченную операцию.',
    en: 'Only a paid operation can be refunded.',
  },
  dealPaymentNotRefundable: {
    status: 409,
    ru: 'Это оплата безопасной сделки: деньги у площадки, вернуть их покупателю можно отменой сделки.',
    en: "This is a safe deal's payment: the platform holds the money; cancel the deal to return it to the buyer.",
  },
  refundExceedsPayment: {
    status: 409,
    ru: 'Сумма возврата больше, чем осталось вернуть по операции: можно вернуть не больше {remaining}.',
    en: 'The refund is larger than what is left to refund on this operation: at most {remaining}.',
  },
  refundItemsMismatch: {
    status: 422,
    ru: 'Позиции чека возврата дают {items}, а возвращается {amount}: суммы должны совпадать.',
    en: 'The refund receipt items add up to {items}, but {amount} is refunded: the sums must match.',
  },
  methodNotRefundable: {
    status: 409,
    ru: 'Платёж оплачен способом {method} (наличные или счёт телефона): через него деньги вернуть нельзя. Верните их покупателю другим путём.',
    en: 'The payment was made with {method} (cash or phone balance), which cannot return money. Return it to the buyer another way.',
  },
  insufficientShopFunds: {
    status: 409,
    ru: 'На балансе магазина недостаточно денег для возврата: доступно {cover}, нужно {amount}. Возврат можно сделать после новых поступлений.',
    en: "The shop's balance does not cover the refund: {cover} is there, {amount} is needed. Try again after new payments arrive.",
  },
});

export const amountProblems = {
  invalid: {
    code: 'invalid_amount',
    text: {
      ru: 'Сумма — положительное число, не больше двух знаков после точки, например 150.50.',
      en: 'The amount is a positive number with at most two decimals, e.g. 150.50.',
    },
  },
  required: {
    code: 'required',
    text: { ru: 'Укажите сумму возврата.', en: 'Enter the amount to refund.' },
  },
} satisfies Record<string, FieldProblem>;
