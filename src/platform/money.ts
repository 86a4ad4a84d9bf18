/**
 * Money: integer minor units (kopecks) as bigint; never a float. Decimal strings from the wire are parsed
 * exactly and rejected when malformed. Percent fees use one rounding rule: half away from zero.
 */
export const CURRENCIES = ['RUB', 'KZT', 'USD', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];

const SCALE: Record<Currency, number> = { RUB: 2, KZT: 2, USD: 2, EUR: 2 };

export function isCurrency(value: string): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value);
}

export function currencyScale(currency: Currency): number {
  return SCALE[currency];
}

/**
 * Parses "100", "100.5", "100.50" or "100.000000" into minor units. Extra fractional digits are accepted
 * only when they are zeros (Robokassa echoes six decimals); anything that would lose money is rejected.
 */
export function parseDecimalToMinor(text: string, currency: Currency): bigint | undefined {
  const match = /^(\d{1,15})(?:\.(\d{1,12}))?$/.exec(text);
  if (!match) return undefined;
  const scale = SCALE[currency];
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (/[^0]/.test(fraction.slice(scale))) return undefined;
  const minorDigits = fraction.slice(0, scale).padEnd(scale, '0');
  return BigInt(whole) * 10n ** BigInt(scale) + BigInt(minorDigits || '0');
}

export function formatMinor(amountMinor: bigint, currency: Currency): string {
  const scale = SCALE[currency];
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? '.' + fraction : ''}`;
}

/** basisPoints: 1% = 100. Rounds half away from zero to the nearest minor unit. */
export function percentOfMinor(amountMinor: bigint, basisPoints: bigint): bigint {
  const product = amountMinor * basisPoints;
  const quotient = product / 10_000n;
  const remainder = product % 10_000n;
  const absRemainder = remainder < 0n ? -remainder : remainder;
  if (absRemainder * 2n >= 10_000n) return quotient + (product < 0n ? -1n : 1n);
  return quotient;
}

// Building an Intl.NumberFormat is costly; one per language is enough.
const GROUPING = { ru: new Intl.NumberFormat('ru-RU'), en: new Intl.NumberFormat('en-GB') };

/** For people: "1 490,50 ₽" in Russian, "RUB 1,490.50" in English. Exact for any amount (bigint grouping). */
export function formatMoneyForPeople(amountMinor: bigint, currency: Currency, language: 'ru' | 'en'): string {
  const scale = SCALE[currency];
  const negative = amountMinor < 0n;
  const absolute = negative ? -amountMinor : amountMinor;
  const divisor = 10n ** BigInt(scale);
  const whole = GROUPING[language].format(absolute / divisor);
  const fraction = (absolute % divisor).toString().padStart(scale, '0');
  const number = `${negative ? '-' : ''}${whole}${scale > 0 ? (language === 'ru' ? ',' : '.') + fraction : ''}`;
  if (language === 'ru') return `${number} ${currency === 'RUB' ? '₽' : currency}`;
  return `${currency} ${number}`;
}
