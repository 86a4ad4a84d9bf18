/**
 * Robokassa's `Receipt` (sent with a payment: `{sno?, items:[{name, quantity, sum|cost, tax,
 * payment_method?, payment_object?}]}`) and the Refund API's `InvoiceItems` (PascalCase: `Name, Quantity,
 * Cost, Tax, PaymentMethod, PaymentObject`) made into the neutral draft. Pure. Decisions where Robokassa
 * is silent:
 * - no Receipt: one line named after the payment's description, for its whole amount, VAT "none",
 *   full prepayment of goods (ATOL's defaults), like Robokassa's own "free sale" line;
 * - a line with only `sum`: its price is sum / quantity when that is a whole number of kopecks; otherwise
 *   the line is refused (a register would refuse it too: sum must be price × quantity);
 * - missing payment_method / payment_object: full_prepayment / commodity (ATOL's documented defaults).
 */
import type { LocalizedText } from '../../platform/i18n.js';
import { parseDecimalToMinor } from '../../platform/money.js';
import {
  lineSumMinor,
  PAYMENT_METHODS,
  PAYMENT_OBJECTS,
  SNO_VALUES,
  VAT_TYPES,
  type FiscalItem,
  type FiscalReceiptDraft,
  type PaymentMethod,
  type PaymentObject,
  type Sno,
  type VatType,
} from './fiscal.receipt.js';

export interface ReceiptFallback {
  /** The payment's Description: the single line's name when there is no Receipt. */
  readonly description: string;
  readonly amountMinor: bigint;
  /** The buyer's e-mail, where the OFD sends the receipt. */
  readonly email?: string | null | undefined;
}

type Fields = Record<string, unknown>;

const problem = (ru: string, en: string): LocalizedText => ({ ru, en });

function decimalText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value.trim() : undefined;
}

function minorOf(value: unknown): bigint | undefined {
  const text = decimalText(value);
  return text === undefined ? undefined : parseDecimalToMinor(text, 'RUB');
}

function thousandthsOf(value: unknown): bigint | undefined {
  const match = /^(\d{1,5})(?:\.(\d{1,3}))?$/.exec(decimalText(value) ?? '');
  if (!match) return undefined;
  return BigInt(match[1] ?? '0') * 1000n + BigInt((match[2] ?? '').padEnd(3, '0'));
}

function pick(fields: Fields, snake: string, pascal: string): unknown {
  return fields[snake] ?? fields[pascal];
}

function choice<T extends string>(
  options: readonly T[],
  value: unknown,
  fallback: T | undefined,
): T | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  return typeof value === 'string' && (options as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

function itemOf(value: unknown, position: number): FiscalItem | LocalizedText {
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Fields;
  const at = (ru: string, en: string) =>
    problem(`Receipt, позиция ${position}: ${ru}`, `Receipt, item ${position}: ${en}`);
  const name = pick(fields, 'name', 'Name');
  const quantity = thousandthsOf(pick(fields, 'quantity', 'Quantity'));
  const cost = pick(fields, 'cost', 'Cost');
  const given = pick(fields, 'sum', 'Sum');
  if (typeof name !== 'string') return at('нет названия.', 'no name.');
  if (quantity === undefined || quantity === 0n)
    return at('количество указано неверно.', 'the quantity is not valid.');
  const costMinor = cost === undefined ? undefined : minorOf(cost);
  const givenMinor = given === undefined ? undefined : minorOf(given);
  if ((cost !== undefined && costMinor === undefined) || (given !== undefined && givenMinor === undefined))
    return at('сумма или цена указана неверно.', 'the sum or the price is not valid.');
  const priceMinor =
    costMinor ??
    (givenMinor !== undefined && (givenMinor * 1000n) % quantity === 0n
      ? (givenMinor * 1000n) / quantity
      : undefined);
  if (priceMinor === undefined)
    return at(
      'цена за единицу не выходит целым числом копеек: передайте cost.',
      'the unit price is not a whole number of kopecks: send cost.',
    );
  const paymentMethod = choice<PaymentMethod>(
    PAYMENT_METHODS,
    pick(fields, 'payment_method', 'PaymentMethod'),
    'full_prepayment',
  );
  const paymentObject = choice<PaymentObject>(
    PAYMENT_OBJECTS,
    pick(fields, 'payment_object', 'PaymentObject'),
    'commodity',
  );
  const vat = choice<VatType>(VAT_TYPES, pick(fields, 'tax', 'Tax'), undefined);
  if (!paymentMethod || !paymentObject || !vat)
    return at(
      'неизвестное значение tax, payment_method или payment_object.',
      'unknown tax, payment_method or payment_object.',
    );
  return {
    name: name.trim(),
    priceMinor,
    quantityThousandths: quantity,
    sumMinor: givenMinor ?? lineSumMinor(priceMinor, quantity),
    paymentMethod,
    paymentObject,
    vat,
  };
}

function clientOf(fallback: ReceiptFallback) {
  return fallback.email ? { client: { email: fallback.email } } : {};
}

/** The single line of a payment sent without a Receipt. */
export function fallbackDraft(fallback: ReceiptFallback): FiscalReceiptDraft {
  const name = [...(fallback.description.trim() || 'Оплата заказа')].slice(0, 128).join('');
  return {
    items: [
      {
        name,
        priceMinor: fallback.amountMinor,
        quantityThousandths: 1000n,
        sumMinor: fallback.amountMinor,
        paymentMethod: 'full_prepayment',
        paymentObject: 'commodity',
        vat: 'none',
      },
    ],
    ...clientOf(fallback),
  };
}

/**
 * The draft for a Receipt (JSON text, as the payment stored it) or InvoiceItems (already parsed), or
 * the first problem found. Sums are checked later, with everything else, by findDraftProblems.
 */
export function draftFromRobokassaReceipt(
  receipt: string | unknown[] | null | undefined,
  fallback: ReceiptFallback,
): FiscalReceiptDraft | LocalizedText {
  if (receipt === null || receipt === undefined || receipt === '') return fallbackDraft(fallback);
  let parsed: unknown = receipt;
  if (typeof receipt === 'string') {
    try {
      parsed = JSON.parse(receipt) as unknown;
    } catch {
      return problem('Receipt не является JSON.', 'Receipt is not JSON.');
    }
  }
  const fields = (Array.isArray(parsed) ? { items: parsed } : (parsed ?? {})) as Fields;
  if (!Array.isArray(fields.items) || fields.items.length === 0)
    return problem('в Receipt нет позиций.', 'Receipt has no items.');
  const items: FiscalItem[] = [];
  for (const [index, value] of fields.items.entries()) {
    const item = itemOf(value, index + 1);
    if (!('name' in item)) return item;
    items.push(item);
  }
  const sno = choice<Sno>(SNO_VALUES, fields.sno, undefined);
  if (fields.sno !== undefined && sno === undefined)
    return problem('неизвестная система налогообложения в Receipt.', 'unknown sno in Receipt.');
  return { items, ...(sno ? { sno } : {}), ...clientOf(fallback) };
}
