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

/** Methods by their IncCurrLabel (the catalogue's items). */
export const METHOD_LABELS: readonly { label: string; ru: string; en: string }[] = [
  { label: 'BankCardPSR', ru: 'банковская карта', en: 'bank card' },
  { label: 'SBPPSR', ru: 'СБП', en: 'SBP' },
  { label: 'YooMoneyPSR', ru: 'ЮMoney', en: 'YooMoney' },
  { label: 'AlfaBankPSR', ru: 'Альфа-Клик', en: 'Alfa-Click' },
  { label: 'TerminalsPSR', ru: 'наличные в терминале', en: 'cash at a terminal' },
  { label: 'SberPayPSR', ru: 'SberPay', en: 'SberPay' },
  { label: 'MirPayPSR', ru: 'Mir Pay', en: 'Mir Pay' },
  { label: 'TPayPSR', ru: 'T-Pay', en: 'T-Pay' },
  { label: 'PhoneBalancePSR', ru: 'счёт телефона', en: 'phone balance' },
];

export function methodLabelName(label: string, language: Language): string {
  const method = METHOD_LABELS.find((candidate) => candidate.label === label);
  return method ? method[language] : label;
}

/** Minor units ('12345') as the decimal text the amount formatter takes ('123.45'). */
export function minorToDecimal(minor: string): string {
  const digits = minor.replace(/^-/, '').padStart(3, '0');
  return `${minor.startsWith('-') ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** The group's name in the language, or the code itself for a group this build does not know. */
export function methodGroupName(code: string, language: Language): string {
  const group = METHOD_GROUPS.find((candidate) => candidate.code === code);
  return group ? group[language] : code;
}
