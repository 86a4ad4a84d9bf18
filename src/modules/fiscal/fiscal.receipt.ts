/**
 * The neutral description of a receipt: what a payment or a refund sold, for how much, to whom, with
 * which tax rates; no provider's wire format. Money is bigint kopecks and quantities are thousandths of a
 * unit, so every check here is exact. Pure: no database, no clock.
 *
 * The rules are 54-FZ's as ATOL Online enforces them (reference atol-online.md §3): 1-100 items, a line's
 * sum is its price times its quantity rounded to the kopeck (half up; a discount goes into the price),
 * 1-10 payments that add up to the total, and the total is what the payment or refund moved.
 */
import { RECEIPT_PAYMENT_METHODS, RECEIPT_TAX_VALUES } from '../protocol/index.js';
import type { LocalizedText } from '../../platform/i18n.js';
import { isInn } from '../payouts/index.js';

export const SNO_VALUES = ['osn', 'usn_income', 'usn_income_outcome', 'envd', 'esn', 'patent'] as const;
export type Sno = (typeof SNO_VALUES)[number];

/** Tag 1214, in FFD code order 1..7: the same values Robokassa's Receipt takes. */
export const PAYMENT_METHODS = RECEIPT_PAYMENT_METHODS;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * Tag 1212 by its v4 names (readable, and what Robokassa's Receipt uses); the position + 1 is the v5
 * integer code (reference §2.3). Marked goods (v5 codes 30-33) need marking codes and are not offered.
 */
export const PAYMENT_OBJECTS = [
  'commodity',
  'excise',
  'job',
  'service',
  'gambling_bet',
  'gambling_prize',
  'lottery',
  'lottery_prize',
  'intellectual_activity',
  'payment',
  'agent_commission',
  'award',
  'another',
  'property_right',
  'non-operating_gain',
  'insurance_premium',
  'sales_tax',
  'resort_fee',
  'deposit',
  'expense',
  'pension_insurance_ip',
  'pension_insurance',
  'medical_insurance_ip',
  'medical_insurance',
  'social_insurance',
  'casino_payment',
] as const;
export type PaymentObject = (typeof PAYMENT_OBJECTS)[number];

/** Tag 1199: the rates Robokassa's Receipt takes (vat18/vat118 are refused since 2019; vat22/vat122 are the 2026 base rate). */
export const VAT_TYPES = RECEIPT_TAX_VALUES;
export type VatType = (typeof VAT_TYPES)[number];

/** Tag 2108 (v5): 0 piece, 10-12 mass, 20-22 length, 30-32 area, 40-42 volume, 50-51 energy, 70-73 time, 80-83 data, 255 other. */
export const MEASURES = [
  0, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 70, 71, 72, 73, 80, 81, 82, 83, 255,
] as const;
export type Measure = (typeof MEASURES)[number];

export const AGENT_TYPES = [
  'bank_paying_agent',
  'bank_paying_subagent',
  'paying_agent',
  'paying_subagent',
  'attorney',
  'commission_agent',
  'another',
] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

/** Agent types for which the supplier's name and phones and the agent's phones are mandatory. */
const PAYING_AGENT_TYPES: readonly AgentType[] = [
  'bank_paying_agent',
  'bank_paying_subagent',
  'paying_agent',
  'paying_subagent',
];

/** Payment type (tags 1031/1081/1215/1216/1217): 0 cash, 1 electronic (cards, SBP), 2 prepayment offset, ... */
export type FiscalPaymentType = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
export const ELECTRONIC_PAYMENT: FiscalPaymentType = 1;

export const MAX_ITEMS = 100;
export const MAX_PAYMENTS = 10;
export const MAX_ITEM_NAME_LENGTH = 128;
/** 42 949 672.95: the largest price and line sum a register accepts. */
export const MAX_LINE_MINOR = 4_294_967_295n;
/** 99 999.999 units. */
export const MAX_QUANTITY_THOUSANDTHS = 99_999_999n;
/** 8 + 2 digits. */
export const MAX_TOTAL_MINOR = 9_999_999_999n;

export interface FiscalSupplier {
  readonly name: string;
  readonly inn: string;
  readonly phones: readonly string[];
}

/**
 * Agent attributes (tags 1057/1222 and the supplier, 1224-1226), for a receipt issued by an agent for a
 * supplier's goods: e.g. Kopek as a paying agent accepting payment for the merchant. Sent per item, the
 * form every v5 client accepts (reference §8 item 2). The register must have been fiscalised with the
 * agent flag, or it refuses the receipt.
 */
export interface FiscalAgent {
  readonly type: AgentType;
  readonly payingAgent?: { readonly operation: string; readonly phones: readonly string[] };
  readonly receivePaymentsOperatorPhones?: readonly string[];
  readonly moneyTransferOperator?: {
    readonly name: string;
    readonly address: string;
    readonly inn: string;
    readonly phones: readonly string[];
  };
  readonly supplier: FiscalSupplier;
}

export interface FiscalItem {
  readonly name: string;
  readonly priceMinor: bigint;
  /** Thousandths of a unit: one piece is 1000n, half a kilogram 500n (with measure 11). */
  readonly quantityThousandths: bigint;
  readonly sumMinor: bigint;
  readonly paymentMethod: PaymentMethod;
  readonly paymentObject: PaymentObject;
  readonly vat: VatType;
  /** Default 0 (pieces). */
  readonly measure?: Measure | undefined;
  /** This item's agent attributes; default: the receipt's. */
  readonly agent?: FiscalAgent | undefined;
}

export interface FiscalPayment {
  readonly type: FiscalPaymentType;
  readonly sumMinor: bigint;
}

export interface FiscalClient {
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

export interface FiscalReceiptDraft {
  readonly items: readonly FiscalItem[];
  /** Default: one electronic payment (type 1) of the whole total, as for every online payment. */
  readonly payments?: readonly FiscalPayment[] | undefined;
  /** Where the OFD sends the receipt. Without either, the shop's company e-mail is used. */
  readonly client?: FiscalClient | undefined;
  /** The receipt's own tax system (Robokassa's Receipt.sno); default: the shop's. */
  readonly sno?: Sno | undefined;
  /** Agent attributes for every item that has none of its own. */
  readonly agent?: FiscalAgent | undefined;
}

/** price × quantity, rounded half up to the kopeck: what a line's sum must be. */
export function lineSumMinor(priceMinor: bigint, quantityThousandths: bigint): bigint {
  return (priceMinor * quantityThousandths + 500n) / 1000n;
}

export function draftTotalMinor(draft: FiscalReceiptDraft): bigint {
  return draft.items.reduce((total, item) => total + item.sumMinor, 0n);
}

export function draftPayments(draft: FiscalReceiptDraft): readonly FiscalPayment[] {
  return draft.payments ?? [{ type: ELECTRONIC_PAYMENT, sumMinor: draftTotalMinor(draft) }];
}

const text = (ru: string, en: string): LocalizedText => ({ ru, en });

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** ATOL's client phone: up to 17 characters, or "+" and up to 18; digits only here. */
const PHONE_PATTERN = /^(\+\d{1,18}|\d{1,17})$/;

export function isReceiptEmail(value: string): boolean {
  return value.length <= 64 && EMAIL_PATTERN.test(value);
}

export function isReceiptPhone(value: string): boolean {
  return PHONE_PATTERN.test(value);
}

function findItemProblems(item: FiscalItem, position: number): LocalizedText[] {
  const at = (ru: string, en: string) => text(`Позиция ${position}: ${ru}`, `Item ${position}: ${en}`);
  const problems: LocalizedText[] = [];
  const name = item.name.trim();
  if (name === '' || [...name].length > MAX_ITEM_NAME_LENGTH)
    problems.push(at('название от 1 до 128 символов.', 'the name must have 1 to 128 characters.'));
  if (item.priceMinor < 0n || item.priceMinor > MAX_LINE_MINOR)
    problems.push(at('цена от 0 до 42 949 672,95.', 'the price must be 0 to 42,949,672.95.'));
  if (item.quantityThousandths < 1n || item.quantityThousandths > MAX_QUANTITY_THOUSANDTHS)
    problems.push(at('количество от 0,001 до 99 999,999.', 'the quantity must be 0.001 to 99,999.999.'));
  else if (item.sumMinor !== lineSumMinor(item.priceMinor, item.quantityThousandths))
    problems.push(
      at(
        'сумма не равна цене × количество (скидку включите в цену).',
        'the sum is not price × quantity (put a discount into the price).',
      ),
    );
  if (item.sumMinor < 0n || item.sumMinor > MAX_LINE_MINOR)
    problems.push(at('сумма от 0 до 42 949 672,95.', 'the sum must be 0 to 42,949,672.95.'));
  if (!PAYMENT_METHODS.includes(item.paymentMethod))
    problems.push(at('неизвестный признак способа расчёта.', 'unknown payment method.'));
  if (!PAYMENT_OBJECTS.includes(item.paymentObject))
    problems.push(at('неизвестный признак предмета расчёта.', 'unknown payment object.'));
  if (!VAT_TYPES.includes(item.vat)) problems.push(at('неизвестная ставка НДС.', 'unknown VAT rate.'));
  if (item.measure !== undefined && !(MEASURES as readonly number[]).includes(item.measure))
    problems.push(at('неизвестная мера количества.', 'unknown measure.'));
  if (item.agent)
    problems.push(...findAgentProblems(item.agent).map((problem) => at(problem.ru, problem.en)));
  return problems;
}

function hasValidPhones(phones: readonly string[] | undefined): boolean {
  return phones !== undefined && phones.length > 0 && phones.every((phone) => /^\+?\d{1,18}$/.test(phone));
}

/** Agent rules of the spec (5.15): supplier with INN always; names and phones for paying agents. */
export function findAgentProblems(agent: FiscalAgent): LocalizedText[] {
  const problems: LocalizedText[] = [];
  if (!AGENT_TYPES.includes(agent.type))
    problems.push(text('неизвестный тип агента.', 'unknown agent type.'));
  if (!isInn(agent.supplier.inn))
    problems.push(text('ИНН поставщика указан неверно.', "the supplier's INN is not valid."));
  const isPayingAgent = PAYING_AGENT_TYPES.includes(agent.type);
  const supplierName = agent.supplier.name.trim();
  if ((isPayingAgent && supplierName === '') || supplierName.length > 256)
    problems.push(
      text(
        'укажите наименование поставщика (до 256 символов).',
        "give the supplier's name (up to 256 characters).",
      ),
    );
  if (isPayingAgent && !hasValidPhones(agent.supplier.phones))
    problems.push(text('укажите телефоны поставщика.', "give the supplier's phones."));
  if (isPayingAgent && !hasValidPhones(agent.payingAgent?.phones))
    problems.push(text('укажите телефоны платёжного агента.', "give the paying agent's phones."));
  const operation = agent.payingAgent?.operation ?? '';
  if (operation.length > 24)
    problems.push(
      text('операция агента не длиннее 24 символов.', "the agent's operation has at most 24 characters."),
    );
  return problems;
}

function findPaymentProblems(draft: FiscalReceiptDraft, totalMinor: bigint): LocalizedText[] {
  const payments = draftPayments(draft);
  const problems: LocalizedText[] = [];
  if (payments.length < 1 || payments.length > MAX_PAYMENTS)
    problems.push(text('в чеке от 1 до 10 оплат.', 'a receipt has 1 to 10 payments.'));
  if (payments.some((payment) => !Number.isInteger(payment.type) || payment.type < 0 || payment.type > 9))
    problems.push(text('вид оплаты: число от 0 до 9.', 'a payment type is a number from 0 to 9.'));
  if (payments.some((payment) => payment.sumMinor <= 0n))
    problems.push(text('сумма оплаты должна быть больше нуля.', 'a payment sum must be above zero.'));
  const paidMinor = payments.reduce((sum, payment) => sum + payment.sumMinor, 0n);
  if (paidMinor !== totalMinor)
    problems.push(text('оплаты не равны итогу чека.', 'the payments do not add up to the total.'));
  return problems;
}

function findClientProblems(client: FiscalClient | undefined): LocalizedText[] {
  const problems: LocalizedText[] = [];
  if (client?.email !== undefined && !isReceiptEmail(client.email))
    problems.push(text('e-mail покупателя указан неверно.', "the buyer's e-mail is not valid."));
  if (client?.phone !== undefined && !isReceiptPhone(client.phone))
    problems.push(
      text(
        'телефон покупателя: цифры, можно с «+» в начале.',
        "the buyer's phone: digits, optionally after a '+'.",
      ),
    );
  return problems;
}

/**
 * Every problem of a draft, for the receipt's error text; none means ATOL should accept it. The total
 * must equal what the payment or refund moved (expectedTotalMinor).
 */
export function findDraftProblems(draft: FiscalReceiptDraft, expectedTotalMinor: bigint): LocalizedText[] {
  const problems: LocalizedText[] = [];
  if (draft.items.length < 1 || draft.items.length > MAX_ITEMS)
    problems.push(text('в чеке от 1 до 100 позиций.', 'a receipt has 1 to 100 items.'));
  draft.items.forEach((item, index) => problems.push(...findItemProblems(item, index + 1)));
  const totalMinor = draftTotalMinor(draft);
  if (totalMinor > MAX_TOTAL_MINOR)
    problems.push(text('итог чека слишком велик.', 'the total is too large.'));
  if (totalMinor !== expectedTotalMinor)
    problems.push(
      text(
        `итог чека ${formatKopecks(totalMinor)} не равен сумме операции ${formatKopecks(expectedTotalMinor)}.`,
        `the total ${formatKopecks(totalMinor)} differs from the operation's amount ${formatKopecks(expectedTotalMinor)}.`,
      ),
    );
  problems.push(...findPaymentProblems(draft, totalMinor), ...findClientProblems(draft.client));
  if (draft.sno !== undefined && !SNO_VALUES.includes(draft.sno))
    problems.push(text('неизвестная система налогообложения.', 'unknown tax system.'));
  if (draft.agent) problems.push(...findAgentProblems(draft.agent));
  return problems;
}

function formatKopecks(amountMinor: bigint): string {
  const digits = amountMinor.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** One text for the receipt's error column: Russian first, English after it. */
export function describeProblems(problems: readonly LocalizedText[]): string {
  const ru = problems.map((problem) => problem.ru).join(' ');
  const en = problems.map((problem) => problem.en).join(' ');
  return `${ru} / ${en}`.slice(0, 2000);
}
