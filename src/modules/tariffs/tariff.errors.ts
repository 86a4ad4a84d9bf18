/** Errors of the tariff schedule and promo codes administration, and the field problems of their forms. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const tariffErrors = defineErrors({
  tariffNotFound: { status: 404, ru: 'Тариф не найден.', en: 'Tariff not found.' },
  tariffAlreadyEffective: {
    status: 409,
    ru: 'Тариф уже действует: отменить можно только изменение, которое ещё не началось.',
    en: 'The tariff is already in effect: only a change that has not started yet can be cancelled.',
  },
  tariffAlreadyCancelled: {
    status: 409,
    ru: 'Это изменение тарифа уже отменено.',
    en: 'This tariff change is already cancelled.',
  },
  promoNotFound: { status: 404, ru: 'Промокод не найден.', en: 'Promo code not found.' },
  promoAlreadyDeactivated: {
    status: 409,
    ru: 'Промокод уже отключён.',
    en: 'The promo code is already deactivated.',
  },
});

export const problem = (
  code: string,
  ru: string,
  en: string,
  values?: Record<string, string | number>,
): FieldProblem => ({ code, text: { ru, en }, ...(values ? { values } : {}) });

export const tariffProblems = {
  percent: problem(
    'invalid_percent',
    'Процент от 0 до 100, не больше двух знаков после точки.',
    'A percent from 0 to 100 with at most two decimals.',
  ),
  amount: problem(
    'invalid_amount',
    'Сумма в рублях, например 10 или 10.50.',
    'An amount such as 10 or 10.50.',
  ),
  methodGroup: problem(
    'invalid_choice',
    'Выберите способ оплаты из списка.',
    'Choose a payment method group.',
  ),
  shopUnknown: problem('unknown_shop', 'Нет такого магазина.', 'There is no such shop.'),
  date: problem('invalid_date', 'Дата в формате ГГГГ-ММ-ДД.', 'A date as YYYY-MM-DD.'),
  inPast: problem(
    'in_past',
    'Дата начала уже прошла. Оставьте поле пустым, чтобы изменение началось сейчас.',
    'The start date has passed. Leave the field empty to start the change now.',
  ),
  noticeTooShort: (days: number, earliest: string) =>
    problem(
      'notice_too_short',
      'Повышение тарифа объявляется не меньше чем за {days} дн.: выберите {earliest} или позже.',
      'A fee increase needs {days} days’ notice: choose {earliest} or later.',
      { days, earliest },
    ),
  laterChangeScheduled: (date: string) =>
    problem(
      'change_scheduled',
      'На {date} уже запланировано изменение: начните позже или сначала отмените его.',
      'A change is already scheduled from {date}: start later or cancel it first.',
      { date },
    ),
};

export const promoProblems = {
  code: problem(
    'invalid_code',
    'Код из 3–32 латинских букв, цифр, «-» или «_».',
    'A code of 3 to 32 Latin letters, digits, "-" or "_".',
  ),
  codeTaken: problem('code_taken', 'Такой промокод уже есть.', 'This promo code already exists.'),
  description: problem(
    'invalid_length',
    'Описание от 1 до 500 символов.',
    'A description of 1 to 500 characters.',
  ),
  discountPercent: problem(
    'invalid_percent',
    'Скидка — целое число от 1 до 100 %.',
    'A discount is a whole number from 1 to 100%.',
  ),
  discountDays: problem(
    'invalid_days',
    'Срок скидки — целое число дней от 1 до 3650.',
    'A discount lasts a whole number of days from 1 to 3650.',
  ),
  usageLimit: problem(
    'invalid_limit',
    'Лимит — целое число от 1 или пусто (без лимита).',
    'A limit is a whole number from 1, or empty (no limit).',
  ),
  date: tariffProblems.date,
  inPast: problem('in_past', 'Эта дата уже прошла.', 'This date has passed.'),
};
