/**
 * Names of the payment-method groups (Robokassa's PaymentMethod codes, as the server's catalogue in
 * src/modules/methods/catalog.ts has them), for operations, analytics and filters.
 */
import type { Language } from './types';

export const METHOD_GROUPS: readonly { code: string; ru: string; en: string }[] = [
  { code: 'BankCard', ru: 'Банковская карта', en: 'Bank card' },
  { code: 'SBP', ru: 'СБП', en: 'SBP' },
  { code: 'EMoney', ru: 'Электронный кошелёк', en: 'E-wallet' },
  { code: 'Bank', ru: 'Интернет-банк', en: 'Internet banking' },
  { code: 'Terminals', ru: 'Наличные (терминал)', en: 'Cash (terminal)' },
  { code: 'Apps', ru: 'Приложение банка', en: 'Bank app' },
  { code: 'Mobile', ru: 'Баланс телефона', en: 'Phone balance' },
];

/** The group's name in the language, or the code itself for a group this build does not know. */
export function methodGroupName(code: string, language: Language): string {
  const group = METHOD_GROUPS.find((candidate) => candidate.code === code);
  return group ? group[language] : code;
}
