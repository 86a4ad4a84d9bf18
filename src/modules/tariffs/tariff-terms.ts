/**
 * A tariff's terms as people write and read them: "2.9" percent, "10.50" fixed and minimum (in the
 * account's currency, two decimals for every currency Kopek has), and the one question the notice rule
 * asks: does a change raise the fee for any amount?
 */
import { formatMoneyForPeople, parseDecimalToMinor, type Currency } from '../../platform/money.js';
import type { Tariff } from './tariff.service.js';

const PERCENT_PATTERN = /^(\d{1,3})(?:[.,](\d{1,2}))?$/;

/** "2.9" or "2,90" → 290 basis points; undefined when malformed or above 100%. */
export function parsePercentToBasisPoints(text: string): number | undefined {
  const match = PERCENT_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints <= 10_000 ? basisPoints : undefined;
}

/** "10", "10.5" or "10,50" → minor units; undefined when malformed. */
export function parseAmountToMinor(text: string): bigint | undefined {
  // Every currency Kopek handles has two decimals, so RUB's scale is every account's scale.
  return parseDecimalToMinor(text.trim().replace(',', '.'), 'RUB');
}

export function formatBasisPoints(basisPoints: number, language: 'ru' | 'en'): string {
  const whole = Math.trunc(basisPoints / 100);
  const fraction = (basisPoints % 100).toString().padStart(2, '0').replace(/0+$/, '');
  const number = fraction ? `${whole}${language === 'ru' ? ',' : '.'}${fraction}` : `${whole}`;
  return `${number}%`;
}

/** "2,9% + 10,00 ₽, не меньше 5,00 ₽" / "2.9% + RUB 10.00, at least RUB 5.00". */
export function describeTerms(tariff: Tariff, currency: Currency, language: 'ru' | 'en'): string {
  const money = (minor: bigint) => formatMoneyForPeople(minor, currency, language);
  let text = formatBasisPoints(tariff.percentBasisPoints, language);
  if (tariff.fixedMinor > 0n) text += ` + ${money(tariff.fixedMinor)}`;
  if (tariff.minimumMinor > 0n)
    text +=
      language === 'ru'
        ? `, не меньше ${money(tariff.minimumMinor)}`
        : `, at least ${money(tariff.minimumMinor)}`;
  return text;
}

/**
 * Whether `next` may take more than `previous` from some payment: any part (percent, fixed, minimum)
 * higher. A change that lowers one part and raises another counts as an increase, since some amounts pay
 * more.
 */
export function raisesFee(previous: Tariff, next: Tariff): boolean {
  return (
    next.percentBasisPoints > previous.percentBasisPoints ||
    next.fixedMinor > previous.fixedMinor ||
    next.minimumMinor > previous.minimumMinor
  );
}
