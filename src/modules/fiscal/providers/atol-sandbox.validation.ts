/**
 * What the ATOL sandbox checks in a registration document, as ATOL does. Pure.
 * - checkDocumentSchema: the JSON-schema checks ATOL answers at once with error 32
 *   (IncomingValidationException), worded like ATOL's ("Required: #/receipt.total"), v5 (FFD 1.2) fields.
 * - findRegisterError: what the register itself refuses later, in the report (status fail): the INN of
 *   another group (2009), a line sum that is not price × quantity (16), a total more than 0.99 away from
 *   the lines (16), payments short of the total (66), electronic payments above it (52).
 */
import { MEASURES, PAYMENT_METHODS, SNO_VALUES, VAT_TYPES, AGENT_TYPES } from '../fiscal.receipt.js';
import { atolNumberToMinor } from './atol.document.js';

type Fields = Record<string, unknown>;

export interface RegisterError {
  readonly code: number;
  readonly type: string;
  readonly text: string;
}

/** ATOL's callback_url mask, with a port allowed (the published regex cannot match one). */
export const CALLBACK_URL_PATTERN =
  /^https?:\/\/[0-9a-zA-Zа-яА-Я]([-.\w]*[0-9a-zA-Zа-яА-Я])*(:[0-9]{1,5})?(\/?)([a-zA-Z0-9\-.?,'/\\+&%$#_=]*)?$/;

const INN_PATTERN = /^(\d{10}|\d{12})$/;
const PHONE_PATTERN = /^([^\s\\]{0,17}|\+[^\s\\]{1,18})$/;
const TIMESTAMP_PATTERN = /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/;
/** v5 payment_object codes: 1-27 and the marked goods 30-33. */
const PAYMENT_OBJECT_CODES = [...Array.from({ length: 27 }, (_unused, index) => index + 1), 30, 31, 32, 33];

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

class SchemaCheck {
  readonly problems: string[] = [];

  object(value: unknown, path: string, isRequired = true): Fields | undefined {
    if (value === undefined) {
      if (isRequired) this.problems.push(`Required: #/${path}`);
      return undefined;
    }
    const fields = fieldsOf(value);
    if (!fields) this.problems.push(`TypeMismatch: #/${path}`);
    return fields;
  }

  text(value: unknown, path: string, min: number, max: number, isRequired = true): string | undefined {
    if (value === undefined) {
      if (isRequired) this.problems.push(`Required: #/${path}`);
      return undefined;
    }
    if (typeof value !== 'string') this.problems.push(`TypeMismatch: #/${path}`);
    else if ([...value].length < min || [...value].length > max)
      this.problems.push(`StringLength: #/${path}`);
    return typeof value === 'string' ? value : undefined;
  }

  pattern(value: string | undefined, pattern: RegExp, path: string): void {
    if (value !== undefined && !pattern.test(value)) this.problems.push(`PatternMismatch: #/${path}`);
  }

  choice(value: unknown, options: readonly unknown[], path: string, isRequired = true): void {
    if (value === undefined) {
      if (isRequired) this.problems.push(`Required: #/${path}`);
    } else if (!options.includes(value)) this.problems.push(`EnumMismatch: #/${path}`);
  }

  /** A number with at most `decimals` decimals within [min, max]. */
  number(value: unknown, path: string, min: number, max: number, decimals: number): void {
    if (value === undefined) return void this.problems.push(`Required: #/${path}`);
    if (typeof value !== 'number' || !Number.isFinite(value))
      return void this.problems.push(`TypeMismatch: #/${path}`);
    const scaled = value * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) > 1e-6) this.problems.push(`MultipleOf: #/${path}`);
    if (value < min) this.problems.push(`NumberTooSmall: #/${path}`);
    if (value > max) this.problems.push(`NumberTooLarge: #/${path}`);
  }

  list(value: unknown, path: string, min: number, max: number): unknown[] {
    if (value === undefined) return (this.problems.push(`Required: #/${path}`), []);
    if (!Array.isArray(value)) return (this.problems.push(`TypeMismatch: #/${path}`), []);
    if (value.length < min) this.problems.push(`ArrayItemNotValid: #/${path} (at least ${min})`);
    if (value.length > max) this.problems.push(`ArrayItemNotValid: #/${path} (at most ${max})`);
    return value;
  }
}

function checkAgent(check: SchemaCheck, item: Fields, path: string): void {
  const agent = check.object(item.agent_info, `${path}.agent_info`, false);
  const supplier = check.object(item.supplier_info, `${path}.supplier_info`, agent !== undefined);
  if (agent) check.choice(agent.type, AGENT_TYPES, `${path}.agent_info.type`);
  if (supplier)
    check.pattern(
      check.text(supplier.inn, `${path}.supplier_info.inn`, 10, 12),
      INN_PATTERN,
      `${path}.supplier_info.inn`,
    );
}

function checkItem(check: SchemaCheck, value: unknown, path: string): void {
  const item = check.object(value, path);
  if (!item) return;
  check.text(item.name, `${path}.name`, 1, 128);
  check.number(item.price, `${path}.price`, 0, 42_949_672.95, 2);
  check.number(item.quantity, `${path}.quantity`, 0.001, 99_999.999, 3);
  check.number(item.sum, `${path}.sum`, 0, 42_949_672.95, 2);
  check.choice(item.measure, MEASURES, `${path}.measure`);
  check.choice(item.payment_method, PAYMENT_METHODS, `${path}.payment_method`);
  check.choice(item.payment_object, PAYMENT_OBJECT_CODES, `${path}.payment_object`);
  const vat = check.object(item.vat, `${path}.vat`);
  if (vat) check.choice(vat.type, VAT_TYPES, `${path}.vat.type`);
  checkAgent(check, item, path);
}

function checkClientAndCompany(check: SchemaCheck, receipt: Fields): void {
  const client = check.object(receipt.client, 'receipt.client');
  if (client) {
    const email = check.text(client.email, 'receipt.client.email', 0, 64, false);
    const phone = check.text(client.phone, 'receipt.client.phone', 0, 64, false);
    check.pattern(phone, PHONE_PATTERN, 'receipt.client.phone');
    if (!email && !phone) check.problems.push('Required: #/receipt.client.email or #/receipt.client.phone');
  }
  const company = check.object(receipt.company, 'receipt.company');
  if (company) {
    check.text(company.email, 'receipt.company.email', 1, 64);
    check.choice(company.sno, SNO_VALUES, 'receipt.company.sno', false);
    check.pattern(check.text(company.inn, 'receipt.company.inn', 10, 12), INN_PATTERN, 'receipt.company.inn');
    check.text(company.payment_address, 'receipt.company.payment_address', 1, 256);
  }
}

/** The schema problems of a v5 sell / sell_refund document, in ATOL's words; empty when it passes. */
export function checkDocumentSchema(body: unknown): string[] {
  const check = new SchemaCheck();
  const document = check.object(body, '');
  if (!document) return check.problems;
  check.pattern(check.text(document.timestamp, 'timestamp', 19, 19), TIMESTAMP_PATTERN, 'timestamp');
  check.text(document.external_id, 'external_id', 1, 128);
  const service = check.object(document.service, 'service', false);
  if (service) check.text(service.callback_url, 'service.callback_url', 0, 256, false);
  const receipt = check.object(document.receipt, 'receipt');
  if (!receipt) return check.problems;
  checkClientAndCompany(check, receipt);
  check
    .list(receipt.items, 'receipt.items', 1, 100)
    .forEach((item, index) => checkItem(check, item, `receipt.items[${index}]`));
  check.list(receipt.payments, 'receipt.payments', 1, 10).forEach((value, index) => {
    const payment = check.object(value, `receipt.payments[${index}]`);
    if (!payment) return;
    check.choice(payment.type, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `receipt.payments[${index}].type`);
    check.number(payment.sum, `receipt.payments[${index}].sum`, 0, 99_999_999.99, 2);
  });
  check.number(receipt.total, 'receipt.total', 0, 99_999_999.99, 2);
  if (receipt.internet !== undefined && typeof receipt.internet !== 'boolean')
    check.problems.push('TypeMismatch: #/receipt.internet');
  return check.problems;
}

const minorOf = (value: unknown) => atolNumberToMinor(value) ?? 0n;

/** What the register refuses in a document that passed the schema; null when it would print it. */
export function findRegisterError(body: unknown, groupInn: string): RegisterError | null {
  const receipt = fieldsOf(fieldsOf(body)?.receipt) ?? {};
  const company = fieldsOf(receipt.company) ?? {};
  if (company.inn !== groupInn)
    return {
      code: 2009,
      type: 'agent',
      text: `ИНН ${String(company.inn)} не соответствует ИНН группы касс ${groupInn}`,
    };
  const items = (Array.isArray(receipt.items) ? receipt.items : []).map((item) => fieldsOf(item) ?? {});
  const isLineWrong = items.some((item) => {
    const thousandths = BigInt(Math.round(Number(item.quantity) * 1000));
    return (minorOf(item.price) * thousandths + 500n) / 1000n !== minorOf(item.sum);
  });
  const linesMinor = items.reduce((sum, item) => sum + minorOf(item.sum), 0n);
  const totalMinor = minorOf(receipt.total);
  const difference = totalMinor > linesMinor ? totalMinor - linesMinor : linesMinor - totalMinor;
  if (isLineWrong || difference > 99n) return { code: 16, type: 'driver', text: 'Неверная цена (сумма)' };
  const payments = (Array.isArray(receipt.payments) ? receipt.payments : []).map(
    (payment) => fieldsOf(payment) ?? {},
  );
  const paidMinor = payments.reduce((sum, payment) => sum + minorOf(payment.sum), 0n);
  const electronicMinor = payments
    .filter((payment) => payment.type !== 0)
    .reduce((sum, payment) => sum + minorOf(payment.sum), 0n);
  if (electronicMinor > linesMinor)
    return { code: 52, type: 'driver', text: 'Сумма некассовых оплат превышает сумму чека' };
  if (paidMinor < linesMinor) return { code: 66, type: 'driver', text: 'Чек оплачен не полностью' };
  return null;
}
