// Amounts and times of operations. Amounts stay decimal strings: they are regrouped, never turned into floats.
import type { Language } from '../../lib/types';

const CURRENCY_SIGNS: Readonly<Record<string, string>> = { RUB: '₽', KZT: '₸', USD: '$', EUR: '€' };

/** '1490.00' → '1 490,00 ₽' in Russian, '1,490.00 ₽' in English. */
export function formatAmount(amount: string, currency: string, language: Language): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  const sign = CURRENCY_SIGNS[currency] ?? currency;
  if (!match) return `${amount} ${sign}`;
  const [, minus = '', whole = '', fraction] = match;
  const groupSeparator = language === 'ru' ? '\u00a0' : ',';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, groupSeparator);
  const decimal = fraction === undefined ? '' : `${language === 'ru' ? ',' : '.'}${fraction}`;
  return `${minus}${grouped}${decimal}\u00a0${sign}`;
}

/** With seconds: the steps of a payment are often seconds apart. */
export function formatMoment(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
  }).format(date);
}

/** Compact, for a table column: '27.11.2026, 23:54'. */
export function formatShortMoment(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(date);
}
