/**
 * Receipt: the 54-FZ item list of a payment (reference §9; encoding rules §1.3), read exactly and
 * checked, plus the "free sale" receipt for payments without one and the payloads of Robokassa's second
 * receipt (Receipt/Attach) and its status (Receipt/Status; the envelope is in receipt-attach.ts).
 * Pure: no database, no network.
 *
 * Rules, with their source (robokassa-protocol.md = R, atol-online.md = A):
 * - the value is URL-encoded JSON as the docs say, raw JSON (what many libraries sign and send), or
 *   URL-encoded twice (a POST that followed the GET instructions) (R §1.3); up to three decodings are
 *   tried, form decoding (`+` is a space) first, then plain percent decoding;
 * - `items`: 1 to 100 (A §3 "Counts"); `sno` optional, one of R §9's list;
 * - `name` required, at most 128 characters (R §9, A §1.4);
 * - `quantity` above zero, at most 3 decimals and 99 999.999 (R §9 "5+3 digits", A §3);
 * - `sum` (line total) or `cost` (unit price), at most 2 decimals, not negative (R §9, A §3), at most
 *   42 949 672.95 (A §1.4: the cash register's limit for price, sum and price × quantity);
 * - `sum` = `cost` × `quantity` rounded to the kopeck, half up (R §9 "cost*quantity=sum", A §3
 *   "sum = round2(price × quantity)"), when both are sent;
 * - `tax` required, one of R §9's list plus vat22/vat122 (A §2.6; R §16 item 8 leaves it open);
 * - `payment_method`, `payment_object` optional (the shop's default applies), R §9's lists;
 * - `nomenclature_code` optional: a string as printed (≤ 150) or hex bytes separated by spaces (≤ 32
 *   bytes) (A §1.4);
 * - item `agent_info` / `supplier_info` optional, in ATOL v4's shape (A §6.2): supplier_info is required
 *   with agent_info, and its `inn` is required;
 * - the item sums add up to OutSum exactly.
 *
 * Choices where the references are silent:
 * - numbers may be JSON numbers or strings ("100.00", as in R §15 V7); JSON is read by a small exact
 *   reader (below), so no amount ever passes through a float; a key repeated in one object is refused;
 * - enumerated values match ignoring letter case; an optional one sent as "" or null counts as absent;
 *   keys the references do not name are ignored;
 * - vat18/vat118 (void since 2019, A §2.6) and envd (abolished 2021, A §2.1) are refused with a message
 *   saying so;
 * - with `sum` alone, the unit price is sum ÷ quantity rounded half up to the kopeck, and
 *   `hasExactPrice` tells whether that price times the quantity gives the sum back (A §3: the cash
 *   register checks sum = price × quantity, so the fiscal provider must handle the others);
 * - every invalid receipt earns payment-page code 30 "invalid invoice parameter" (R §1.4 has no code
 *   of its own for receipts), naming every problem found, not only the first.
 */
import { formatText, type LocalizedText } from '../../platform/i18n.js';
import { formatMinor } from '../../platform/money.js';
import {
  type JsonValue,
  type JsonObject,
  readExactJson,
  isJsonObject,
  type JsonReadResult,
  readDecimal,
  toScaledUnits,
  divideRoundingHalfUp,
  formatThousandths,
} from './exact-json.js';
import { PAYMENT_PAGE_ERROR, protocolError, type ProtocolError } from './protocol.errors.js';
import {
  RECEIPT_INVALID_SUMMARY,
  RECEIPT_MORE_PROBLEMS,
  RECEIPT_PROBLEM_PREFIXES,
  RECEIPT_PROBLEM_TEXTS,
  type ReceiptProblemReason,
} from './receipt.texts.js';
import { decodeFormOrUndefined, decodeUriComponentOrUndefined, looksUrlEncoded } from './url-encoding.js';

export {
  buildReceiptAttachAnswer,
  buildReceiptStatusAnswer,
  buildRoboFiscalSignature,
  MAX_ROBOFISCAL_BODY_LENGTH,
  parseRoboFiscalRequest,
  ROBOFISCAL_RESULT_CODE,
  signRoboFiscalPayload,
  verifyRoboFiscalSignature,
  type ReceiptStatusAnswer,
  type RoboFiscalParseResult,
  type RoboFiscalProblem,
  type RoboFiscalRequest,
  type RoboFiscalResultCode,
} from './receipt-attach.js';
export type { ReceiptProblemReason } from './receipt.texts.js';

/* ---------------------------------------------------------------------------------------------------
 * Vocabulary and limits
 */

/** R §9. `envd` (older lists, A §2.1) is refused: ENVD was abolished in 2021. */
export const RECEIPT_SNO_VALUES = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'] as const;
export type ReceiptSno = (typeof RECEIPT_SNO_VALUES)[number];

/** R §9's list, plus the 2026 22 % rates (A §2.6). */
export const RECEIPT_TAX_VALUES = [
  'none',
  'vat0',
  'vat10',
  'vat110',
  'vat20',
  'vat120',
  'vat5',
  'vat7',
  'vat105',
  'vat107',
  'vat22',
  'vat122',
] as const;
export type ReceiptTax = (typeof RECEIPT_TAX_VALUES)[number];

/** R §9 (A §2.2: FFD tag 1214, in code order). */
export const RECEIPT_PAYMENT_METHODS = [
  'full_prepayment',
  'prepayment',
  'advance',
  'full_payment',
  'partial_payment',
  'credit',
  'credit_payment',
] as const;
export type ReceiptPaymentMethod = (typeof RECEIPT_PAYMENT_METHODS)[number];

/** R §9's list (ATOL v4 knows a few more, A §2.3; Robokassa's documentation does not list them). */
export const RECEIPT_PAYMENT_OBJECTS = [
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
  'composite',
  'resort_fee',
  'another',
  'property_right',
  'non-operating_gain',
  'insurance_premium',
  'sales_tax',
] as const;
export type ReceiptPaymentObject = (typeof RECEIPT_PAYMENT_OBJECTS)[number];

/** A §2.7 (FFD tags 1057/1222). */
export const RECEIPT_AGENT_TYPES = [
  'bank_paying_agent',
  'bank_paying_subagent',
  'paying_agent',
  'paying_subagent',
  'attorney',
  'commission_agent',
  'another',
] as const;
export type ReceiptAgentType = (typeof RECEIPT_AGENT_TYPES)[number];

export const MAX_RECEIPT_ITEMS = 100;
export const MAX_RECEIPT_ITEM_NAME_LENGTH = 128;
/** 42 949 672.95: the cash register's limit for an item's price and sum (A §1.4). */
export const MAX_RECEIPT_AMOUNT_MINOR = 4_294_967_295n;
/** 99 999.999 (A §1.4, §3). */
export const MAX_RECEIPT_QUANTITY_THOUSANDTHS = 99_999_999n;
/** A receipt's `total` and payment sums: 8 integer and 2 fractional digits (R §9, A §3). */
export const MAX_RECEIPT_TOTAL_MINOR = 9_999_999_999n;
/** Longer than any legal receipt even URL-encoded twice; refused unread. */
export const MAX_RECEIPT_TEXT_LENGTH = 1_048_576;
/** The name of the single line of a receipt issued without the merchant's Receipt (R §9). */
export const FREE_SALE_ITEM_NAME = 'Свободная продажа';

const MAX_URL_DECODINGS = 3;
const MAX_INTEGER_ID = 9_223_372_036_854_775_807n;
const MAX_NOMENCLATURE_CODE_LENGTH = 150;
const MAX_NOMENCLATURE_CODE_HEX_BYTES = 32;
const HEX_BYTES_PATTERN = /^[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2})*$/;
const INN_PATTERN = /^(?:\d{10}|\d{12})$/;
/** A §3, ATOL's phone pattern, with at least one character. */
const PHONE_PATTERN = /^(?:[^\s\\]{1,17}|\+[^\s\\]{1,18})$/;
/** How much of an item's name a message quotes. */
const QUOTED_NAME_LENGTH = 40;
/** How many problems the payment page's single message lists before "and N more". */
const SUMMARY_PROBLEMS = 3;

/* ---------------------------------------------------------------------------------------------------
 * The normalized receipt
 */

export interface ReceiptAgentInfo {
  readonly type: ReceiptAgentType;
  readonly payingAgent?: { readonly operation?: string; readonly phones?: readonly string[] };
  readonly receivePaymentsOperator?: { readonly phones?: readonly string[] };
  readonly moneyTransferOperator?: {
    readonly phones?: readonly string[];
    readonly name?: string;
    readonly address?: string;
    readonly inn?: string;
  };
}

export interface ReceiptSupplierInfo {
  readonly inn: string;
  readonly name?: string;
  readonly phones?: readonly string[];
}

export interface ReceiptItem {
  readonly name: string;
  /** Exact decimal text without trailing zeros: "1", "0.5", "2.125". */
  readonly quantity: string;
  /** The quantity in thousandths: "2.125" is 2125n. */
  readonly quantityThousandths: bigint;
  /** Unit price in kopecks: `cost` when sent, else sum ÷ quantity rounded half up. */
  readonly priceMinor: bigint;
  /** Line total in kopecks: `sum` when sent, else cost × quantity rounded half up. */
  readonly sumMinor: bigint;
  /** Whether priceMinor × quantity, rounded half up to the kopeck, is sumMinor (always so with `cost`). */
  readonly hasExactPrice: boolean;
  readonly tax: ReceiptTax;
  /** Absent: the shop's default applies (R §9). */
  readonly paymentMethod?: ReceiptPaymentMethod;
  readonly paymentObject?: ReceiptPaymentObject;
  readonly nomenclatureCode?: string;
  readonly agentInfo?: ReceiptAgentInfo;
  readonly supplierInfo?: ReceiptSupplierInfo;
}

export interface Receipt {
  /** Absent: the shop's only tax system applies (R §9). */
  readonly sno?: ReceiptSno;
  readonly items: readonly ReceiptItem[];
  /** The sum of the items' sums. */
  readonly totalMinor: bigint;
}

export interface ReceiptProblem {
  /** Stable, for code and tests. */
  readonly reason: ReceiptProblemReason;
  /** Where inside the item (or the receipt): 'quantity', 'agent_info.type', 'items'; absent for the whole text. */
  readonly field?: string;
  /** The item at fault: its number counted from 1, and its name when it has one. */
  readonly item?: { readonly index: number; readonly name?: string };
  /** The full message, naming the item and the field. */
  readonly detail: LocalizedText;
}

export type ReceiptParseResult =
  | {
      readonly ok: true;
      readonly receipt: Receipt;
      /** How many URL decodings the value needed: 0 raw JSON, 1 once encoded, 2 twice. */
      readonly urlDecodings: number;
    }
  | {
      readonly ok: false;
      /** Payment-page code 30 with a message listing the first problems. */
      readonly error: ProtocolError;
      readonly problems: readonly ReceiptProblem[];
    };

function formatAmount(amountMinor: bigint): string {
  return formatMinor(amountMinor, 'RUB');
}

/* ---------------------------------------------------------------------------------------------------
 * Problems
 */

interface ProblemItem {
  readonly index: number;
  readonly name?: string;
}

/** Where problems go, and which item they belong to. */
interface ProblemScope {
  readonly problems: ReceiptProblem[];
  readonly item?: ProblemItem;
  /** How the sender spells the fields (InvoiceItems' `Tax` for `tax`); absent: Receipt's own names. */
  readonly naming?: ReadonlyMap<string, string>;
}

type TextValues = Readonly<Record<string, string | number>>;

function quoteName(name: string): string {
  const characters = [...name];
  return characters.length > QUOTED_NAME_LENGTH
    ? characters.slice(0, QUOTED_NAME_LENGTH).join('') + '…'
    : name;
}

function choosePrefix(item: ProblemItem | undefined, field: string | undefined): LocalizedText {
  if (item === undefined)
    return field === undefined ? RECEIPT_PROBLEM_PREFIXES.receipt : RECEIPT_PROBLEM_PREFIXES.receiptField;
  if (field === undefined) return RECEIPT_PROBLEM_PREFIXES.itemWhole;
  return item.name === undefined ? RECEIPT_PROBLEM_PREFIXES.item : RECEIPT_PROBLEM_PREFIXES.itemNamed;
}

function describeProblem(
  item: ProblemItem | undefined,
  field: string | undefined,
  reason: ReceiptProblemReason,
  values: TextValues,
): LocalizedText {
  const prefix = choosePrefix(item, field);
  const where = { index: item?.index ?? 0, name: quoteName(item?.name ?? ''), field: field ?? '' };
  const text: LocalizedText = RECEIPT_PROBLEM_TEXTS[reason];
  return {
    ru: formatText(prefix.ru, where) + formatText(text.ru, values),
    en: formatText(prefix.en, where) + formatText(text.en, values),
  };
}

/** Records a problem; returns undefined so that readers can `return report(...)`. */
function report(
  scope: ProblemScope,
  field: string | undefined,
  reason: ReceiptProblemReason,
  values: TextValues = {},
): undefined {
  field = field === undefined ? undefined : renameField(field, scope.naming);
  scope.problems.push({
    reason,
    ...(field === undefined ? {} : { field }),
    ...(scope.item === undefined ? {} : { item: scope.item }),
    detail: describeProblem(scope.item, field, reason, values),
  });
  return undefined;
}

/** The field as the sender spells it: the first segment renamed (`agent_info.type` → `AgentInfo.type`). */
function renameField(field: string, naming: ReadonlyMap<string, string> | undefined): string {
  if (naming === undefined) return field;
  const [head = '', ...rest] = field.split('.');
  return [naming.get(head) ?? head, ...rest].join('.');
}

function summarizeProblems(problems: readonly ReceiptProblem[]): ProtocolError {
  const shown = problems.slice(0, SUMMARY_PROBLEMS);
  const hidden = problems.length - shown.length;
  const join = (language: 'ru' | 'en') =>
    [
      RECEIPT_INVALID_SUMMARY[language],
      ...shown.map((problem) => problem.detail[language]),
      ...(hidden > 0 ? [formatText(RECEIPT_MORE_PROBLEMS[language], { count: hidden })] : []),
    ].join(' ');
  return protocolError(PAYMENT_PAGE_ERROR.badParameter, 'Receipt', { ru: join('ru'), en: join('en') });
}

/* ---------------------------------------------------------------------------------------------------
 * Field readers: each returns the value, or undefined after reporting (or when an optional field is absent)
 */

function isAbsent(value: JsonValue | undefined): value is undefined | null {
  return value === undefined || value === null;
}

function readText(
  value: JsonValue | undefined,
  field: string,
  limit: number,
  scope: ProblemScope,
  isRequired: boolean,
): string | undefined {
  if (isAbsent(value) || (!isRequired && value === '')) {
    return isRequired ? report(scope, field, 'value_missing') : undefined;
  }
  if (typeof value !== 'string') return report(scope, field, 'value_not_string');
  if (value.trim() === '') return report(scope, field, 'value_empty');
  const length = [...value].length;
  if (length > limit) return report(scope, field, 'value_too_long', { limit, length });
  return value;
}

/** An enumerated value, matched ignoring case; optional ones may be absent, null or "". */
function readChoice<T extends string>(
  value: JsonValue | undefined,
  field: string,
  choices: readonly T[],
  scope: ProblemScope,
  isRequired: boolean,
): T | undefined {
  if (isAbsent(value) || (!isRequired && value === '')) {
    return isRequired ? report(scope, field, 'value_missing') : undefined;
  }
  const text = typeof value === 'string' ? value.toLowerCase() : undefined;
  const choice = choices.find((candidate) => candidate === text);
  if (choice !== undefined) return choice;
  if (typeof value !== 'string') return report(scope, field, 'value_not_string');
  return report(scope, field, 'enum_invalid', { values: choices.join(', ') });
}

function readTax(value: JsonValue | undefined, field: string, scope: ProblemScope): ReceiptTax | undefined {
  if (typeof value === 'string' && ['vat18', 'vat118'].includes(value.toLowerCase()))
    return report(scope, field, 'tax_retired', { values: RECEIPT_TAX_VALUES.join(', ') });
  return readChoice(value, field, RECEIPT_TAX_VALUES, scope, true);
}

function readSno(value: JsonValue | undefined, scope: ProblemScope): ReceiptSno | undefined {
  if (typeof value === 'string' && value.toLowerCase() === 'envd')
    return report(scope, 'sno', 'sno_retired', { values: RECEIPT_SNO_VALUES.join(', ') });
  return readChoice(value, 'sno', RECEIPT_SNO_VALUES, scope, false);
}

function readQuantity(value: JsonValue | undefined, scope: ProblemScope): bigint | undefined {
  if (isAbsent(value)) return report(scope, 'quantity', 'value_missing');
  const decimal = readDecimal(value);
  if (decimal === undefined) return report(scope, 'quantity', 'number_invalid', { example: '1.5' });
  if (decimal.units <= 0n) return report(scope, 'quantity', 'quantity_not_positive');
  const thousandths = toScaledUnits(decimal, 3);
  if (thousandths === undefined) return report(scope, 'quantity', 'quantity_precision');
  if (thousandths > MAX_RECEIPT_QUANTITY_THOUSANDTHS)
    return report(scope, 'quantity', 'quantity_too_large', {
      limit: formatThousandths(MAX_RECEIPT_QUANTITY_THOUSANDTHS),
    });
  return thousandths;
}

/** An amount in roubles with at most 2 decimals, 0 to limitMinor; absent (or null) counts as not sent. */
function readMoney(
  value: JsonValue | undefined,
  field: string,
  limitMinor: bigint,
  scope: ProblemScope,
): bigint | undefined {
  if (isAbsent(value)) return report(scope, field, 'value_missing');
  const decimal = readDecimal(value);
  if (decimal === undefined) return report(scope, field, 'number_invalid', { example: '100.50' });
  if (decimal.units < 0n) return report(scope, field, 'amount_negative');
  const minor = toScaledUnits(decimal, 2);
  if (minor === undefined) return report(scope, field, 'amount_precision');
  if (minor > limitMinor)
    return report(scope, field, 'amount_too_large', { limit: formatAmount(limitMinor) });
  return minor;
}

/** A positive whole number (JSON number or digit string) up to 2^63 − 1, as InvId. */
function readInteger(
  value: JsonValue | undefined,
  field: string,
  range: { readonly min: bigint; readonly max: bigint },
  scope: ProblemScope,
): bigint | undefined {
  if (isAbsent(value)) return report(scope, field, 'value_missing');
  const decimal = readDecimal(value);
  const integer = decimal === undefined ? undefined : toScaledUnits(decimal, 0);
  if (integer === undefined || integer < range.min || integer > range.max)
    return report(scope, field, 'integer_invalid', { min: range.min.toString(), max: range.max.toString() });
  return integer;
}

interface ItemAmounts {
  readonly priceMinor: bigint;
  readonly sumMinor: bigint;
  readonly hasExactPrice: boolean;
}

/** `sum`, `cost`, or both (then sum = round(cost × quantity)); quantity undefined when it was invalid. */
function readItemAmounts(
  item: JsonObject,
  quantityThousandths: bigint | undefined,
  scope: ProblemScope,
): ItemAmounts | undefined {
  const isSumSent = !isAbsent(item.get('sum'));
  const isCostSent = !isAbsent(item.get('cost'));
  if (!isSumSent && !isCostSent) return report(scope, 'sum', 'amount_missing');
  const limit = MAX_RECEIPT_AMOUNT_MINOR;
  const sumMinor = isSumSent ? readMoney(item.get('sum'), 'sum', limit, scope) : undefined;
  const costMinor = isCostSent ? readMoney(item.get('cost'), 'cost', limit, scope) : undefined;
  if ((isSumSent && sumMinor === undefined) || (isCostSent && costMinor === undefined)) return undefined;
  if (quantityThousandths === undefined) return undefined;
  if (costMinor !== undefined) {
    const expectedMinor = divideRoundingHalfUp(costMinor * quantityThousandths, 1000n);
    if (sumMinor !== undefined && sumMinor !== expectedMinor) {
      const values = { expected: formatAmount(expectedMinor), actual: formatAmount(sumMinor) };
      return report(scope, 'sum', 'sum_mismatch', values);
    }
    if (expectedMinor > limit)
      return report(scope, 'sum', 'amount_too_large', { limit: formatAmount(limit) });
    return { priceMinor: costMinor, sumMinor: expectedMinor, hasExactPrice: true };
  }
  const total = sumMinor ?? 0n;
  const priceMinor = divideRoundingHalfUp(total * 1000n, quantityThousandths);
  if (priceMinor > limit) {
    const values = { price: formatAmount(priceMinor), limit: formatAmount(limit) };
    return report(scope, 'sum', 'price_too_large', values);
  }
  const hasExactPrice = divideRoundingHalfUp(priceMinor * quantityThousandths, 1000n) === total;
  return { priceMinor, sumMinor: total, hasExactPrice };
}

function readNomenclatureCode(value: JsonValue | undefined, scope: ProblemScope): string | undefined {
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string') return report(scope, 'nomenclature_code', 'value_not_string');
  const isHexBytes = HEX_BYTES_PATTERN.test(value);
  const isTooLong = isHexBytes
    ? (value.length + 1) / 3 > MAX_NOMENCLATURE_CODE_HEX_BYTES
    : [...value].length > MAX_NOMENCLATURE_CODE_LENGTH;
  if (value.trim() === '' || isTooLong)
    return report(scope, 'nomenclature_code', 'nomenclature_code_invalid');
  return value;
}

/* ---------------------------------------------------------------------------------------------------
 * Agent attributes (A §6.2), optional, per item
 */

function readObjectField(
  value: JsonValue | undefined,
  field: string,
  scope: ProblemScope,
): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (!isJsonObject(value)) return report(scope, field, 'value_not_object');
  return value;
}

function readPhones(value: JsonValue | undefined, field: string, scope: ProblemScope): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) return report(scope, field, 'value_not_array');
  const phones = value as readonly JsonValue[];
  const valid = phones.filter(
    (phone): phone is string => typeof phone === 'string' && PHONE_PATTERN.test(phone),
  );
  if (valid.length !== phones.length) return report(scope, field, 'phone_invalid');
  return valid;
}

function readInn(value: JsonValue | undefined, field: string, scope: ProblemScope, isRequired: boolean) {
  if (isAbsent(value) || (!isRequired && value === ''))
    return isRequired ? report(scope, field, 'value_missing') : undefined;
  if (typeof value !== 'string' || !INN_PATTERN.test(value)) return report(scope, field, 'inn_invalid');
  return value;
}

/** Copies only the defined values, so absent attributes stay absent keys. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function readAgentInfo(value: JsonValue | undefined, scope: ProblemScope): ReceiptAgentInfo | undefined {
  const agent = readObjectField(value, 'agent_info', scope);
  if (agent === undefined) return undefined;
  const type = readChoice(agent.get('type'), 'agent_info.type', RECEIPT_AGENT_TYPES, scope, true);
  const payingField = 'agent_info.paying_agent';
  const paying = readObjectField(agent.get('paying_agent'), payingField, scope);
  const receivingField = 'agent_info.receive_payments_operator';
  const receiving = readObjectField(agent.get('receive_payments_operator'), receivingField, scope);
  const transferField = 'agent_info.money_transfer_operator';
  const transfer = readObjectField(agent.get('money_transfer_operator'), transferField, scope);
  const info = compact({
    type,
    payingAgent:
      paying &&
      compact({
        operation: readText(paying.get('operation'), `${payingField}.operation`, 24, scope, false),
        phones: readPhones(paying.get('phones'), `${payingField}.phones`, scope),
      }),
    receivePaymentsOperator:
      receiving &&
      compact({ phones: readPhones(receiving.get('phones'), `${receivingField}.phones`, scope) }),
    moneyTransferOperator:
      transfer &&
      compact({
        phones: readPhones(transfer.get('phones'), `${transferField}.phones`, scope),
        name: readText(transfer.get('name'), `${transferField}.name`, 64, scope, false),
        address: readText(transfer.get('address'), `${transferField}.address`, 256, scope, false),
        inn: readInn(transfer.get('inn'), `${transferField}.inn`, scope, false),
      }),
  });
  return type === undefined ? undefined : { ...info, type };
}

/** The supplier's name has no documented limit; 256 is ATOL's limit for the buyer's name (A §3). */
function readSupplierInfo(
  value: JsonValue | undefined,
  scope: ProblemScope,
): ReceiptSupplierInfo | undefined {
  const supplier = readObjectField(value, 'supplier_info', scope);
  if (supplier === undefined) return undefined;
  const inn = readInn(supplier.get('inn'), 'supplier_info.inn', scope, true);
  const info = compact({
    name: readText(supplier.get('name'), 'supplier_info.name', 256, scope, false),
    phones: readPhones(supplier.get('phones'), 'supplier_info.phones', scope),
  });
  return inn === undefined ? undefined : { inn, ...info };
}

/* ---------------------------------------------------------------------------------------------------
 * Items and the receipt
 */

function readItem(value: JsonValue, index: number, parent: ProblemScope): ReceiptItem | undefined {
  const rawName = isJsonObject(value) ? value.get('name') : undefined;
  const hasName = typeof rawName === 'string' && rawName.trim() !== '';
  const { problems } = parent;
  const scope: ProblemScope = {
    problems,
    item: hasName ? { index, name: rawName } : { index },
    ...(parent.naming === undefined ? {} : { naming: parent.naming }),
  };
  if (!isJsonObject(value)) return report(scope, undefined, 'value_not_object');
  const before = problems.length;
  const name = readText(value.get('name'), 'name', MAX_RECEIPT_ITEM_NAME_LENGTH, scope, true);
  const quantityThousandths = readQuantity(value.get('quantity'), scope);
  const amounts = readItemAmounts(value, quantityThousandths, scope);
  const tax = readTax(value.get('tax'), 'tax', scope);
  const readOptionalChoice = <T extends string>(key: string, choices: readonly T[]) =>
    readChoice(value.get(key), key, choices, scope, false);
  const optional = compact({
    paymentMethod: readOptionalChoice('payment_method', RECEIPT_PAYMENT_METHODS),
    paymentObject: readOptionalChoice('payment_object', RECEIPT_PAYMENT_OBJECTS),
    nomenclatureCode: readNomenclatureCode(value.get('nomenclature_code'), scope),
    agentInfo: readAgentInfo(value.get('agent_info'), scope),
    supplierInfo: readSupplierInfo(value.get('supplier_info'), scope),
  });
  // ATOL requires the supplier whenever agent attributes are given (A §6.2).
  if (!isAbsent(value.get('agent_info')) && isAbsent(value.get('supplier_info')))
    report(scope, 'supplier_info', 'supplier_info_missing');
  if (problems.length > before) return undefined;
  if (name === undefined || quantityThousandths === undefined || amounts === undefined || tax === undefined)
    return undefined;
  const quantity = formatThousandths(quantityThousandths);
  return { name, quantity, quantityThousandths, ...amounts, tax, ...optional };
}

/** `sno` and `items` of a receipt object (the payment's Receipt or a second receipt's payload). */
function readReceiptBody(value: JsonValue, scope: ProblemScope): Receipt | undefined {
  if (!isJsonObject(value)) return report(scope, undefined, 'receipt_not_object');
  const before = scope.problems.length;
  const sno = readSno(value.get('sno'), scope);
  const itemsValue = value.get('items');
  if (isAbsent(itemsValue)) return report(scope, 'items', 'value_missing');
  if (!Array.isArray(itemsValue)) return report(scope, 'items', 'value_not_array');
  const values = itemsValue as readonly JsonValue[];
  if (values.length === 0) return report(scope, 'items', 'items_empty');
  if (values.length > MAX_RECEIPT_ITEMS)
    return report(scope, 'items', 'items_too_many', { limit: MAX_RECEIPT_ITEMS, count: values.length });
  const items = values.map((item, index) => readItem(item, index + 1, scope));
  if (scope.problems.length > before) return undefined;
  const validItems = items.filter((item): item is ReceiptItem => item !== undefined);
  const totalMinor = validItems.reduce((total, item) => total + item.sumMinor, 0n);
  // The receipt's total has 8 integer digits on the register (A §1.4, §3), whatever OutSum allows.
  if (totalMinor > MAX_RECEIPT_TOTAL_MINOR)
    return report(scope, 'items', 'amount_too_large', { limit: formatAmount(MAX_RECEIPT_TOTAL_MINOR) });
  return { ...(sno === undefined ? {} : { sno }), items: validItems, totalMinor };
}

/**
 * The JSON text inside the value: the value itself when it is JSON, else the value URL-decoded up to
 * three times. `decode` is form decoding (`+` is a space, what PHP's urlencode and HTML forms write) or
 * plain percent decoding; both agree on every standard encoder's output, since `+` itself is always
 * encoded as %2B.
 */
function decodeUrlLayers(
  text: string,
  decode: (text: string) => string | undefined,
): { readonly json: string; readonly urlDecodings: number } {
  let current = text;
  for (let urlDecodings = 0; ; urlDecodings += 1) {
    const isJsonObjectText = current.trimStart().startsWith('{');
    if (isJsonObjectText || urlDecodings === MAX_URL_DECODINGS || !looksUrlEncoded(current))
      return { json: current, urlDecodings };
    const next = decode(current);
    if (next === undefined) return { json: current, urlDecodings };
    current = next;
  }
}

/** The parsed JSON of the value, trying form decoding first and plain percent decoding second. */
function readReceiptJson(
  receiptText: string,
  scope: ProblemScope,
): { readonly value: JsonValue; readonly urlDecodings: number } | undefined {
  if (receiptText.length > MAX_RECEIPT_TEXT_LENGTH)
    return report(scope, undefined, 'receipt_too_long', { limit: MAX_RECEIPT_TEXT_LENGTH });
  const text = receiptText.replace(/^\uFEFF/, '');
  const candidates = [
    decodeUrlLayers(text, decodeFormOrUndefined),
    decodeUrlLayers(text, decodeUriComponentOrUndefined),
  ];
  let firstFailure: JsonReadResult | undefined;
  for (const candidate of candidates.filter(
    (entry, index) => index === 0 || entry.json !== candidates[0]?.json,
  )) {
    const result = readExactJson(candidate.json.trim());
    if (result.ok) return { value: result.value, urlDecodings: candidate.urlDecodings };
    firstFailure ??= result;
  }
  if (firstFailure === undefined || firstFailure.ok) return undefined;
  return report(scope, undefined, firstFailure.reason, firstFailure.values);
}

/**
 * Reads and checks the payment request's Receipt (as received, after the one form/URL decoding the
 * server did) against OutSum in kopecks. The value is never changed for the signature; this only
 * decides whether the receipt is acceptable and what it says.
 */
export function parseReceipt(receiptText: string, outSumMinor: bigint): ReceiptParseResult {
  const scope: ProblemScope = { problems: [] };
  const document = readReceiptJson(receiptText, scope);
  const receipt = document === undefined ? undefined : readReceiptBody(document.value, scope);
  if (receipt !== undefined && receipt.totalMinor !== outSumMinor) {
    const values = { total: formatAmount(receipt.totalMinor), expected: formatAmount(outSumMinor) };
    report(scope, 'items', 'total_mismatch', values);
  }
  if (document === undefined || receipt === undefined || scope.problems.length > 0)
    return { ok: false, error: summarizeProblems(scope.problems), problems: scope.problems };
  return { ok: true, receipt, urlDecodings: document.urlDecodings };
}

/* ---------------------------------------------------------------------------------------------------
 * Item lists of the Invoice and Refund APIs (PascalCase, R §9) and of Kopek's JSON APIs (camelCase)
 */

/** The sender's key → Receipt's key. `Cost` is the unit price, as Receipt's `cost` (R §5, §8). */
const ITEM_KEY_NAMES = {
  pascal: {
    Name: 'name',
    Quantity: 'quantity',
    Cost: 'cost',
    Sum: 'sum',
    Tax: 'tax',
    PaymentMethod: 'payment_method',
    PaymentObject: 'payment_object',
    NomenclatureCode: 'nomenclature_code',
  },
  camel: {
    name: 'name',
    quantity: 'quantity',
    cost: 'cost',
    sum: 'sum',
    tax: 'tax',
    paymentMethod: 'payment_method',
    paymentObject: 'payment_object',
    nomenclatureCode: 'nomenclature_code',
  },
} as const satisfies Record<string, Record<string, string>>;

export type ItemListNaming = keyof typeof ITEM_KEY_NAMES;

export type ItemListParseResult =
  | { readonly ok: true; readonly receipt: Receipt }
  | {
      readonly ok: false;
      readonly problems: readonly ReceiptProblem[];
      /** One message listing the first problems, each naming its item and field. */
      readonly message: LocalizedText;
    };

/** The list with Receipt's keys; keys the sender's naming does not know are left out, as Receipt ignores them. */
function renameItemKeys(items: readonly unknown[], naming: ItemListNaming): unknown[] {
  const names: Readonly<Record<string, string>> = ITEM_KEY_NAMES[naming];
  return items.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const renamed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(item)) {
      if (Object.hasOwn(names, key)) renamed[names[key] ?? key] = value;
    }
    return renamed;
  });
}

/**
 * Reads an item list that arrived already parsed as JSON (the Refund API's InvoiceItems, a cabinet
 * refund's items) by the Receipt rules, naming fields as the sender spelled them. JSON.parse has made
 * the numbers floats; String() of a float gives back the shortest decimal that reads as the same
 * number, which is the text the sender wrote for any amount with two decimals, so nothing is lost.
 * `expectedTotalMinor`, when given, is what the items must add up to (a refund's amount).
 */
export function parseReceiptItemList(
  items: unknown,
  naming: ItemListNaming,
  expectedTotalMinor?: bigint,
): ItemListParseResult {
  const fieldNames = new Map(
    Object.entries(ITEM_KEY_NAMES[naming]).map(([sent, own]) => [own, sent] as [string, string]),
  );
  fieldNames.set('items', naming === 'pascal' ? 'InvoiceItems' : 'items');
  const scope: ProblemScope = { problems: [], naming: fieldNames };
  let receipt: Receipt | undefined;
  if (!Array.isArray(items)) report(scope, 'items', 'value_not_array');
  else {
    const json = readExactJson(JSON.stringify({ items: renameItemKeys(items, naming) }));
    receipt = json.ok ? readReceiptBody(json.value, scope) : report(scope, 'items', json.reason, json.values);
  }
  if (
    receipt !== undefined &&
    expectedTotalMinor !== undefined &&
    receipt.totalMinor !== expectedTotalMinor
  ) {
    const values = { total: formatAmount(receipt.totalMinor), expected: formatAmount(expectedTotalMinor) };
    report(scope, 'items', 'total_mismatch', values);
  }
  if (receipt === undefined || scope.problems.length > 0)
    return { ok: false, problems: scope.problems, message: summarizeProblems(scope.problems).detail };
  return { ok: true, receipt };
}

/* ---------------------------------------------------------------------------------------------------
 * A read receipt, stored (a payment keeps its Receipt as read at the start)
 */

/** JSON for a jsonb column: the normalized receipt with every bigint as a digit string. */
export function receiptToStoredJson(receipt: Receipt): string {
  return JSON.stringify(receipt, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

const DIGITS = /^\d{1,19}$/;

function storedBigint(value: unknown): bigint | undefined {
  return typeof value === 'string' && DIGITS.test(value) ? BigInt(value) : undefined;
}

function storedItem(value: unknown): ReceiptItem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const item = value as Record<string, unknown>;
  const quantityThousandths = storedBigint(item.quantityThousandths);
  const priceMinor = storedBigint(item.priceMinor);
  const sumMinor = storedBigint(item.sumMinor);
  const tax = RECEIPT_TAX_VALUES.find((candidate) => candidate === item.tax);
  if (typeof item.name !== 'string' || typeof item.quantity !== 'string' || tax === undefined)
    return undefined;
  if (quantityThousandths === undefined || priceMinor === undefined || sumMinor === undefined)
    return undefined;
  return {
    ...(item as unknown as ReceiptItem),
    name: item.name,
    quantity: item.quantity,
    quantityThousandths,
    priceMinor,
    sumMinor,
    hasExactPrice: item.hasExactPrice === true,
    tax,
    paymentMethod: RECEIPT_PAYMENT_METHODS.find((candidate) => candidate === item.paymentMethod),
    paymentObject: RECEIPT_PAYMENT_OBJECTS.find((candidate) => candidate === item.paymentObject),
  };
}

/**
 * The receipt receiptToStoredJson wrote (as the database gives it back, parsed), or undefined when the
 * value is not one: Kopek's own data, so this only guards the types, it applies no Receipt rule again.
 */
export function receiptFromStoredJson(value: unknown): Receipt | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stored = value as Record<string, unknown>;
  if (!Array.isArray(stored.items) || stored.items.length === 0) return undefined;
  const items = stored.items.map(storedItem);
  const totalMinor = storedBigint(stored.totalMinor);
  if (totalMinor === undefined || items.some((item) => item === undefined)) return undefined;
  const sno = RECEIPT_SNO_VALUES.find((candidate) => candidate === stored.sno);
  return compact({ sno, items: items as ReceiptItem[], totalMinor });
}

/* ---------------------------------------------------------------------------------------------------
 * Serialising a receipt back to Robokassa's JSON
 */

function formatAgentInfoJson(agent: ReceiptAgentInfo): unknown {
  return compact({
    type: agent.type,
    paying_agent: agent.payingAgent,
    receive_payments_operator: agent.receivePaymentsOperator,
    money_transfer_operator: agent.moneyTransferOperator,
  });
}

function formatItemJson(item: ReceiptItem): string {
  const parts = [
    `"name":${JSON.stringify(item.name)}`,
    `"quantity":${item.quantity}`,
    // A derived price that does not give the sum back would not pass the check when read again.
    ...(item.hasExactPrice ? [`"cost":${formatAmount(item.priceMinor)}`] : []),
    `"sum":${formatAmount(item.sumMinor)}`,
    `"tax":"${item.tax}"`,
    ...(item.paymentMethod === undefined ? [] : [`"payment_method":"${item.paymentMethod}"`]),
    ...(item.paymentObject === undefined ? [] : [`"payment_object":"${item.paymentObject}"`]),
    ...(item.nomenclatureCode === undefined
      ? []
      : [`"nomenclature_code":${JSON.stringify(item.nomenclatureCode)}`]),
    ...(item.agentInfo === undefined
      ? []
      : [`"agent_info":${JSON.stringify(formatAgentInfoJson(item.agentInfo))}`]),
    ...(item.supplierInfo === undefined ? [] : [`"supplier_info":${JSON.stringify(item.supplierInfo)}`]),
  ];
  return `{${parts.join(',')}}`;
}

/**
 * Robokassa's snake_case JSON for a receipt, amounts as exact decimal numbers ("sum":100.50): what a
 * payment stores when Kopek built the receipt itself (free sale). parseReceipt reads it back unchanged.
 */
export function formatReceiptJson(receipt: Receipt): string {
  const sno = receipt.sno === undefined ? '' : `"sno":"${receipt.sno}",`;
  return `{${sno}"items":[${receipt.items.map(formatItemJson).join(',')}]}`;
}

/* ---------------------------------------------------------------------------------------------------
 * Free sale: the receipt of a payment that came without one (R §9)
 */

export interface FreeSaleOptions {
  /** The shop's VAT rate for the line; 'none' when the shop set none (R §9 is silent). */
  readonly tax?: ReceiptTax;
  readonly sno?: ReceiptSno;
  /** Absent: the shop's defaults apply, as for a Receipt item that leaves them out. */
  readonly paymentMethod?: ReceiptPaymentMethod;
  readonly paymentObject?: ReceiptPaymentObject;
}

/** 100 lines of the line limit: 4 294 967 295.00. */
const MAX_FREE_SALE_MINOR = BigInt(MAX_RECEIPT_ITEMS) * MAX_RECEIPT_AMOUNT_MINOR;

/**
 * One "Свободная продажа" line of quantity 1 for the whole OutSum. An OutSum above the cash register's
 * line limit (42 949 672.95) is split into lines of that limit plus the rest, so the receipt can still
 * be registered; past 100 lines (about 4.29 billion roubles) no receipt can hold it, which throws.
 */
export function buildFreeSaleReceipt(outSumMinor: bigint, options: FreeSaleOptions = {}): Receipt {
  if (outSumMinor <= 0n) throw new RangeError('A free-sale receipt needs an amount above zero.');
  if (outSumMinor > MAX_FREE_SALE_MINOR) throw new RangeError('The amount is too large for one receipt.');
  const line = compact({
    name: FREE_SALE_ITEM_NAME,
    quantity: '1',
    quantityThousandths: 1000n,
    hasExactPrice: true,
    tax: options.tax ?? 'none',
    paymentMethod: options.paymentMethod,
    paymentObject: options.paymentObject,
  });
  const items: ReceiptItem[] = [];
  for (let rest = outSumMinor; rest > 0n; rest -= MAX_RECEIPT_AMOUNT_MINOR) {
    const amount = rest < MAX_RECEIPT_AMOUNT_MINOR ? rest : MAX_RECEIPT_AMOUNT_MINOR;
    items.push({ ...line, priceMinor: amount, sumMinor: amount });
  }
  return { ...(options.sno === undefined ? {} : { sno: options.sno }), items, totalMinor: outSumMinor };
}

export type PaymentReceiptResolution =
  /** The merchant's Receipt, valid. */
  | { readonly kind: 'merchant'; readonly receipt: Receipt; readonly urlDecodings: number }
  /** No Receipt: a free-sale receipt for OutSum. */
  | { readonly kind: 'free_sale'; readonly receipt: Receipt }
  /** No Receipt and IsWithoutFreeSale=true: the merchant registers the receipt later (R §9). */
  | { readonly kind: 'deferred' }
  /** The merchant's Receipt is invalid (or OutSum too large for any receipt): refuse with code 30. */
  | { readonly kind: 'invalid'; readonly error: ProtocolError; readonly problems: readonly ReceiptProblem[] };

/**
 * What a payment of a shop that fiscalises will be fiscalised with. IsWithoutFreeSale matters only when
 * no Receipt came; a Receipt sent with it is still used.
 */
export function resolvePaymentReceipt(input: {
  readonly receipt?: string | undefined;
  readonly outSumMinor: bigint;
  readonly isWithoutFreeSale: boolean;
  readonly freeSale?: FreeSaleOptions;
}): PaymentReceiptResolution {
  if (input.receipt !== undefined && input.receipt !== '') {
    const parsed = parseReceipt(input.receipt, input.outSumMinor);
    if (!parsed.ok) return { kind: 'invalid', error: parsed.error, problems: parsed.problems };
    return { kind: 'merchant', receipt: parsed.receipt, urlDecodings: parsed.urlDecodings };
  }
  if (input.isWithoutFreeSale) return { kind: 'deferred' };
  if (input.outSumMinor > MAX_FREE_SALE_MINOR) {
    // No receipt of 100 lines can hold it, so the payment could never be fiscalised: refuse it.
    const scope: ProblemScope = { problems: [] };
    report(scope, undefined, 'amount_too_large', { limit: formatAmount(MAX_FREE_SALE_MINOR) });
    return { kind: 'invalid', error: summarizeProblems(scope.problems), problems: scope.problems };
  }
  return { kind: 'free_sale', receipt: buildFreeSaleReceipt(input.outSumMinor, input.freeSale) };
}

/* ---------------------------------------------------------------------------------------------------
 * Second receipt (Receipt/Attach) and its status (Receipt/Status): the payload's meaning (R §9)
 */

export interface SecondReceiptPayment {
  /** 0..9 (A §2.4); 2 is the offset of the advance, the usual one here. */
  readonly type: number;
  readonly sumMinor: bigint;
}

export interface SecondReceipt extends Receipt {
  readonly merchantId: string;
  /** The second receipt's own number, never the original's. */
  readonly id: bigint;
  /** InvId of the original payment. */
  readonly originId: bigint;
  readonly operation: 'sell';
  readonly url?: string;
  readonly client?: { readonly email?: string; readonly phone?: string };
  readonly payments: readonly SecondReceiptPayment[];
  readonly vats?: readonly { readonly type: ReceiptTax; readonly sumMinor: bigint }[];
}

export type SecondReceiptParseResult =
  | { readonly ok: true; readonly secondReceipt: SecondReceipt }
  | { readonly ok: false; readonly problems: readonly ReceiptProblem[] };

const ID_RANGE = { min: 1n, max: MAX_INTEGER_ID } as const;
const MAX_PAYMENTS = 10;
const MAX_VATS = 6;

function readPayments(value: JsonValue | undefined, totalMinor: bigint | undefined, scope: ProblemScope) {
  if (isAbsent(value)) return report(scope, 'payments', 'value_missing');
  if (!Array.isArray(value)) return report(scope, 'payments', 'value_not_array');
  if (value.length === 0 || value.length > MAX_PAYMENTS)
    return report(scope, 'payments', 'count_invalid', { min: 1, max: MAX_PAYMENTS });
  const before = scope.problems.length;
  const payments = (value as readonly JsonValue[]).map((entry, index) => {
    const field = `payments[${index + 1}]`;
    const payment = isJsonObject(entry) ? entry : report(scope, field, 'value_not_object');
    if (payment === undefined) return undefined;
    const type = readInteger(payment.get('type'), `${field}.type`, { min: 0n, max: 9n }, scope);
    const sumMinor = readMoney(payment.get('sum'), `${field}.sum`, MAX_RECEIPT_TOTAL_MINOR, scope);
    return type === undefined || sumMinor === undefined ? undefined : { type: Number(type), sumMinor };
  });
  if (scope.problems.length > before) return undefined;
  const valid = payments.filter((payment): payment is SecondReceiptPayment => payment !== undefined);
  const sum = valid.reduce((total, payment) => total + payment.sumMinor, 0n);
  if (totalMinor !== undefined && sum !== totalMinor)
    return report(scope, 'payments', 'payments_total_mismatch', {
      sum: formatAmount(sum),
      expected: formatAmount(totalMinor),
    });
  return valid;
}

function readVats(value: JsonValue | undefined, scope: ProblemScope) {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) return report(scope, 'vats', 'value_not_array');
  if (value.length === 0 || value.length > MAX_VATS)
    return report(scope, 'vats', 'count_invalid', { min: 1, max: MAX_VATS });
  const before = scope.problems.length;
  const vats = (value as readonly JsonValue[]).map((entry, index) => {
    const field = `vats[${index + 1}]`;
    const vat = isJsonObject(entry) ? entry : report(scope, field, 'value_not_object');
    if (vat === undefined) return undefined;
    const type = readTax(vat.get('type'), `${field}.type`, scope);
    const sumMinor = readMoney(vat.get('sum'), `${field}.sum`, MAX_RECEIPT_TOTAL_MINOR, scope);
    return type === undefined || sumMinor === undefined ? undefined : { type, sumMinor };
  });
  if (scope.problems.length > before) return undefined;
  return vats.filter((vat) => vat !== undefined);
}

function readClient(value: JsonValue | undefined, scope: ProblemScope) {
  const client = readObjectField(value, 'client', scope);
  if (client === undefined) return undefined;
  return compact({
    email: readText(client.get('email'), 'client.email', 64, scope, false),
    phone: readText(client.get('phone'), 'client.phone', 64, scope, false),
  });
}

/** The second receipt's own fields besides sno and items. */
function readSecondReceiptHead(payload: JsonObject, scope: ProblemScope) {
  const merchantId = readText(payload.get('merchantId'), 'merchantId', 256, scope, true);
  const id = readInteger(payload.get('id'), 'id', ID_RANGE, scope);
  const originId = readInteger(payload.get('originId'), 'originId', ID_RANGE, scope);
  if (id !== undefined && id === originId) report(scope, 'id', 'id_equals_origin');
  const operation = readChoice(payload.get('operation'), 'operation', ['sell'] as const, scope, true);
  const totalMinor = readMoney(payload.get('total'), 'total', MAX_RECEIPT_TOTAL_MINOR, scope);
  const optional = compact({
    url: readText(payload.get('url'), 'url', 256, scope, false),
    client: readClient(payload.get('client'), scope),
    vats: readVats(payload.get('vats'), scope),
  });
  const payments = readPayments(payload.get('payments'), totalMinor, scope);
  return { merchantId, id, originId, operation, totalMinor, payments, ...optional };
}

/** A RoboFiscal payload's JSON object, read exactly (no URL decoding: base64 carried it). */
function readPayloadObject(payloadText: string, scope: ProblemScope): JsonObject | undefined {
  const json = readExactJson(payloadText.trim());
  if (!json.ok) return report(scope, undefined, json.reason, json.values);
  if (!isJsonObject(json.value)) return report(scope, undefined, 'receipt_not_object');
  return json.value;
}

/**
 * Reads a Receipt/Attach payload (RoboFiscalRequest.payloadText) exactly: merchantId, id ≠ originId,
 * operation "sell", total (8+2 digits), the items by the Receipt rules with payment_method full_payment
 * only, payments (1..10, types 0..9) adding up to total, optional vats (1..6), client and url.
 * The items add up to total exactly, as a payment's items add up to OutSum.
 * `deferred`: the same payload for Receipt/Register, the first receipt of a payment made with
 * IsWithoutFreeSale=true, whose items may have any payment_method (a prepayment included).
 */
export function parseSecondReceipt(
  payloadText: string,
  kind: 'final' | 'deferred' = 'final',
): SecondReceiptParseResult {
  const scope: ProblemScope = { problems: [] };
  const payload = readPayloadObject(payloadText, scope);
  if (payload === undefined) return { ok: false, problems: scope.problems };
  const head = readSecondReceiptHead(payload, scope);
  const body = readReceiptBody(payload, scope);
  body?.items.forEach((item, index) => {
    const itemScope = { problems: scope.problems, item: { index: index + 1, name: item.name } };
    if (kind === 'final' && item.paymentMethod !== 'full_payment')
      report(itemScope, 'payment_method', 'full_payment_required');
  });
  if (body !== undefined && head.totalMinor !== undefined && body.totalMinor !== head.totalMinor) {
    const values = { total: formatAmount(body.totalMinor), expected: formatAmount(head.totalMinor) };
    report(scope, 'items', 'items_total_mismatch', values);
  }
  const { merchantId, id, originId, operation, totalMinor, payments } = head;
  if (scope.problems.length > 0 || body === undefined || merchantId === undefined || id === undefined)
    return { ok: false, problems: scope.problems };
  if (originId === undefined || operation === undefined || totalMinor === undefined || payments === undefined)
    return { ok: false, problems: scope.problems };
  return {
    ok: true,
    secondReceipt: { ...body, ...head, merchantId, id, originId, operation, totalMinor, payments },
  };
}

export type ReceiptStatusPayloadResult =
  | { readonly ok: true; readonly merchantId: string; readonly id: bigint }
  | { readonly ok: false; readonly problems: readonly ReceiptProblem[] };

/** Reads a Receipt/Status payload `{merchantId, id}` (R §9); id as a number or a digit string. */
export function parseReceiptStatusPayload(payloadText: string): ReceiptStatusPayloadResult {
  const scope: ProblemScope = { problems: [] };
  const payload = readPayloadObject(payloadText, scope);
  if (payload === undefined) return { ok: false, problems: scope.problems };
  const merchantId = readText(payload.get('merchantId'), 'merchantId', 256, scope, true);
  const id = readInteger(payload.get('id'), 'id', ID_RANGE, scope);
  if (merchantId === undefined || id === undefined) return { ok: false, problems: scope.problems };
  return { ok: true, merchantId, id };
}
