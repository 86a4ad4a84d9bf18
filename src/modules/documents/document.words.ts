/**
 * Russian typography for the documents: amounts in words ("Одна тысяча четыреста девяносто рублей
 * 00 копеек"), amounts with a non-breaking space between thousands and a decimal comma (1 490,00 ₽),
 * and Moscow dates. Written here because the act and the invoice need exactly this wording.
 */
const UNITS_MASCULINE = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const UNITS_FEMININE = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const TEENS = [
  'десять',
  'одиннадцать',
  'двенадцать',
  'тринадцать',
  'четырнадцать',
  'пятнадцать',
  'шестнадцать',
  'семнадцать',
  'восемнадцать',
  'девятнадцать',
];
const TENS = [
  '',
  '',
  'двадцать',
  'тридцать',
  'сорок',
  'пятьдесят',
  'шестьдесят',
  'семьдесят',
  'восемьдесят',
  'девяносто',
];
const HUNDREDS = [
  '',
  'сто',
  'двести',
  'триста',
  'четыреста',
  'пятьсот',
  'шестьсот',
  'семьсот',
  'восемьсот',
  'девятьсот',
];

type Forms = readonly [one: string, few: string, many: string];
interface Scale {
  readonly forms: Forms;
  readonly feminine: boolean;
}
/** From the lowest group up: units (rubles are masculine), thousands (feminine), millions, billions. */
const SCALES: readonly Scale[] = [
  { forms: ['', '', ''], feminine: false },
  { forms: ['тысяча', 'тысячи', 'тысяч'], feminine: true },
  { forms: ['миллион', 'миллиона', 'миллионов'], feminine: false },
  { forms: ['миллиард', 'миллиарда', 'миллиардов'], feminine: false },
  { forms: ['триллион', 'триллиона', 'триллионов'], feminine: false },
];

/** The Russian plural form for a count: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль. */
export function pluralForm(count: bigint, forms: Forms): string {
  const lastTwo = Number(count % 100n);
  const last = lastTwo % 10;
  if (lastTwo >= 11 && lastTwo <= 14) return forms[2];
  if (last === 1) return forms[0];
  if (last >= 2 && last <= 4) return forms[1];
  return forms[2];
}

function groupInWords(group: number, feminine: boolean): string[] {
  const words: string[] = [];
  const hundreds = Math.floor(group / 100);
  const rest = group % 100;
  if (hundreds > 0) words.push(HUNDREDS[hundreds]!);
  if (rest >= 10 && rest < 20) words.push(TEENS[rest - 10]!);
  else {
    if (rest >= 20) words.push(TENS[Math.floor(rest / 10)]!);
    const unit = rest % 10;
    if (unit > 0) words.push((feminine ? UNITS_FEMININE : UNITS_MASCULINE)[unit]!);
  }
  return words;
}

/** A whole number of rubles in words, lower case: 1490 → "одна тысяча четыреста девяносто". */
export function integerInWords(value: bigint): string {
  if (value < 0n) throw new RangeError('amounts in words are for non-negative amounts');
  if (value === 0n) return 'ноль';
  const words: string[] = [];
  let rest = value;
  for (let scale = 0; rest > 0n; scale += 1) {
    const definition = SCALES[scale];
    if (!definition) throw new RangeError('amount too large to write in words');
    const group = Number(rest % 1000n);
    rest /= 1000n;
    if (group === 0) continue;
    const groupWords = groupInWords(group, definition.feminine);
    const scaleWord = pluralForm(BigInt(group), definition.forms);
    words.unshift(...groupWords, ...(scaleWord ? [scaleWord] : []));
  }
  return words.join(' ');
}

/** "Одна тысяча четыреста девяносто рублей 00 копеек" for 149000 kopecks. */
export function rublesInWords(amountMinor: bigint): string {
  if (amountMinor < 0n) throw new RangeError('amounts in words are for non-negative amounts');
  const rubles = amountMinor / 100n;
  const kopecks = amountMinor % 100n;
  const text = `${integerInWords(rubles)} ${pluralForm(rubles, ['рубль', 'рубля', 'рублей'])} ${kopecks
    .toString()
    .padStart(2, '0')} ${pluralForm(kopecks, ['копейка', 'копейки', 'копеек'])}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const NBSP = '\u00a0';

/** 149000n → "1 490,00 ₽" with non-breaking spaces (between thousands and before the sign). */
export function formatRubles(amountMinor: bigint): string {
  const sign = amountMinor < 0n ? '−' : '';
  const absolute = amountMinor < 0n ? -amountMinor : amountMinor;
  const rubles = (absolute / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const kopecks = (absolute % 100n).toString().padStart(2, '0');
  return `${sign}${rubles},${kopecks}${NBSP}₽`;
}

/** "2026-10-31" → "31.10.2026". */
export function formatDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${day}.${month}.${year}`;
}
