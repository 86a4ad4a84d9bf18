/**
 * Reading the Invoice API's JWT payloads (reference §8), pure: every field is checked for type and
 * meaning, and a problem becomes Robokassa's answer message, `Invalid <Field>: <what is expected>`.
 * Fields Kopek does not act on (FiscalParentOpId, Payments, CustomUserProperty, IsWithoutFreeSale) are
 * ignored; features it does not have yet (Recurring, StepByStep, Token, Split) are refused rather than
 * half-done, as the payment request refuses them.
 */
import { parseDecimalToMinor } from '../../platform/money.js';
import type { HttpMethod } from '../../schema.js';
import {
  formatReceiptJson,
  parseIsoDateTime,
  parseReceiptItemList,
  RECEIPT_SNO_VALUES,
} from '../protocol/index.js';
import type { NewInvoice } from './invoice.service.js';
import type { InvoiceType } from './invoice.tables.js';

export type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export const ok = <T>(value: T): Read<T> => ({ ok: true, value });
export const invalid = (field: string, expected: string): { ok: false; message: string } => ({
  ok: false,
  message: `Invalid ${field}: ${expected}`,
});

type Payload = Readonly<Record<string, unknown>>;

const MAX_INV_ID = 9_223_372_036_854_775_807n;
const MAX_DESCRIPTION_CHARACTERS = 100;
const MAX_USER_FIELDS = 20;
const USER_FIELD_NAME = /^shp_[A-Za-z0-9_]{1,60}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isObject(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON numbers arrive parsed; String() gives back the shortest decimal that reads as the same number. */
function numberText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value.trim();
  return undefined;
}

/** Letter case, '-' and '_' aside: `OneTime`, `onetime` and `one-time` are one value. */
export function normalizeWord(value: unknown): string | undefined {
  return typeof value === 'string' ? value.replace(/[-_\s]/g, '').toLowerCase() : undefined;
}

export function readText(payload: Payload, field: string, maxLength: number): Read<string | null> {
  const value = payload[field];
  if (value === undefined || value === null) return ok(null);
  if (typeof value !== 'string' || [...value].length > maxLength)
    return invalid(field, `a string of at most ${maxLength} characters is expected.`);
  return ok(value);
}

/** The merchant's InvId: a positive integer up to 2^63-1; absent or 0 means "none". */
export function readInvId(value: unknown, field = 'InvId'): Read<bigint | null> {
  if (value === undefined || value === null || value === 0 || value === '0' || value === '') return ok(null);
  const digits =
    typeof value === 'number' && Number.isSafeInteger(value)
      ? String(value)
      : typeof value === 'string'
        ? value
        : '';
  if (!/^\d{1,19}$/.test(digits) || BigInt(digits) > MAX_INV_ID || BigInt(digits) === 0n)
    return invalid(field, 'a positive integer is expected.');
  return ok(BigInt(digits));
}

/** A positive amount in roubles with at most two decimals, as a JSON number or a decimal string. */
export function readAmount(value: unknown, field: string): Read<bigint> {
  const text = numberText(value);
  const amountMinor = text === undefined ? undefined : parseDecimalToMinor(text, 'RUB');
  if (amountMinor === undefined || amountMinor <= 0n)
    return invalid(field, 'a positive amount with at most two decimals is expected.');
  return ok(amountMinor);
}

function readInvoiceType(value: unknown): Read<InvoiceType> {
  const word = normalizeWord(value);
  if (word === 'onetime') return ok('OneTime');
  if (word === 'reusable') return ok('Reusable');
  return invalid('InvoiceType', 'OneTime or Reusable is expected.');
}

function readCulture(value: unknown): Read<'ru' | 'en' | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  const word = normalizeWord(value);
  return word === 'ru' || word === 'en' ? ok(word) : invalid('Culture', 'ru or en is expected.');
}

/** UserFields: `{"shp_info": "test"}`, passed on as the payment's Shp parameters. */
function readUserFields(value: unknown): Read<[string, string][]> {
  if (value === undefined || value === null) return ok([]);
  const expected = `an object of at most ${MAX_USER_FIELDS} shp_* names with string values is expected.`;
  if (!isObject(value)) return invalid('UserFields', expected);
  const entries = Object.entries(value);
  if (entries.length > MAX_USER_FIELDS) return invalid('UserFields', expected);
  const fields: [string, string][] = [];
  for (const [name, raw] of entries) {
    const text = typeof raw === 'string' ? raw : numberText(raw);
    if (!USER_FIELD_NAME.test(name) || text === undefined || text.length > 500)
      return invalid('UserFields', expected);
    fields.push([name, text]);
  }
  return ok(fields);
}

/**
 * InvoiceItems (PascalCase, reference §9) are checked by the Receipt rules (protocol.parseReceiptItemList:
 * 54-FZ limits, enums, cost × quantity, items adding up to OutSum) and become the payment's Receipt in
 * Robokassa's own snake_case form, so whatever fiscalises payments later reads one format. A problem is
 * answered as `Invalid InvoiceItems: Item 2 "Name", field Tax: ...`.
 */
function readReceipt(items: unknown, sno: unknown, amountMinor: bigint): Read<string | null> {
  if (items === undefined || items === null) return ok(null);
  const snoText = typeof sno === 'string' ? sno.toLowerCase() : undefined;
  const knownSno = RECEIPT_SNO_VALUES.find((value) => value === snoText);
  if (sno !== undefined && sno !== null && sno !== '' && knownSno === undefined)
    return invalid('Sno', `one of ${RECEIPT_SNO_VALUES.join(', ')} is expected.`);
  const parsed = parseReceiptItemList(items, 'pascal', amountMinor);
  if (!parsed.ok) return { ok: false, message: `Invalid InvoiceItems: ${parsed.message.en}` };
  return ok(
    formatReceiptJson(knownSno === undefined ? parsed.receipt : { ...parsed.receipt, sno: knownSno }),
  );
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && text.length <= 2000;
  } catch {
    return false;
  }
}

/** SuccessUrl2Data / FailUrl2Data: `{Url, Method}`, where the buyer goes back to instead of the shop's URL. */
function readUrlData(value: unknown, field: string): Read<{ url: string; method: HttpMethod } | null> {
  if (value === undefined || value === null) return ok(null);
  const expected = '{"Url": an http(s) address, "Method": GET or POST} is expected.';
  if (!isObject(value) || typeof value.Url !== 'string' || !isWebAddress(value.Url))
    return invalid(field, expected);
  const method = value.Method === undefined || value.Method === null ? 'get' : normalizeWord(value.Method);
  if (method !== 'get' && method !== 'post') return invalid(field, expected);
  return ok({ url: value.Url, method: method === 'get' ? 'GET' : 'POST' });
}

function readExpirationDate(value: unknown, now: Date): Read<Date | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  const moment = typeof value === 'string' ? parseIsoDateTime(value.trim()) : undefined;
  if (!moment) return invalid('ExpirationDate', 'an ISO 8601 date and time is expected.');
  if (moment.getTime() <= now.getTime())
    return invalid('ExpirationDate', 'a moment in the future is expected.');
  return ok(moment);
}

/** Every Kopek link is paid by bank card: Aliases may list others, but must include BankCard. */
function checkAliases(value: unknown): Read<null> {
  if (value === undefined || value === null) return ok(null);
  const expected =
    'an array of payment method aliases including BankCard is expected (Kopek takes bank cards).';
  if (!Array.isArray(value) || !value.every((alias) => typeof alias === 'string'))
    return invalid('Aliases', expected);
  return value.some((alias) => normalizeWord(alias) === 'bankcard') ? ok(null) : invalid('Aliases', expected);
}

/** AdditionalParameters.IsTest as the official SDK sends it ("1"), or any plain spelling of "yes". */
export function readIsTest(payload: Payload): boolean {
  const additional = payload.AdditionalParameters;
  if (!isObject(additional)) return false;
  const value = normalizeWord(String(additional.IsTest ?? ''));
  return value === '1' || value === 'true';
}

interface AdditionalParameters {
  readonly email: string | null;
  readonly resultUrl2: string | null;
}

const UNSUPPORTED_ADDITIONAL = {
  Recurring:
    'recurring payments are not available through the Invoice API yet: send Recurring=true to /Merchant/Index.aspx.',
  StepByStep: 'two-stage payments (holds) are not available in Kopek yet.',
  Token:
    'saved-card payments are not available through the Invoice API yet: use /Merchant/Payment/CoFPayment.',
  Split: 'split payments are not available in Kopek yet.',
} as const;

function readAdditionalParameters(value: unknown): Read<AdditionalParameters> {
  if (value === undefined || value === null) return ok({ email: null, resultUrl2: null });
  if (!isObject(value)) return invalid('AdditionalParameters', 'an object is expected.');
  for (const [name, problem] of Object.entries(UNSUPPORTED_ADDITIONAL)) {
    const given = value[name];
    if (given !== undefined && given !== null && normalizeWord(String(given)) !== 'false' && given !== '')
      return invalid(`AdditionalParameters.${name}`, problem);
  }
  const { Email: email, ResultURL2: resultUrl2 } = value;
  if (
    email !== undefined &&
    email !== null &&
    (typeof email !== 'string' || !EMAIL.test(email) || email.length > 254)
  )
    return invalid('AdditionalParameters.Email', 'an e-mail address is expected.');
  if (
    resultUrl2 !== undefined &&
    resultUrl2 !== null &&
    (typeof resultUrl2 !== 'string' || !isWebAddress(resultUrl2))
  )
    return invalid('AdditionalParameters.ResultURL2', 'an http(s) address is expected.');
  return ok({ email: email ?? null, resultUrl2: resultUrl2 ?? null });
}

/** Thrown by `take` inside a reader, so a long list of fields reads as straight-line code. */
class PayloadProblem extends Error {}

export function take<T>(read: Read<T>): T {
  if (!read.ok) throw new PayloadProblem(read.message);
  return read.value;
}

/** Runs a reader built from `take`s: its value, or the first problem it met. */
export function readAll<T>(reader: () => T): Read<T> {
  try {
    return ok(reader());
  } catch (error) {
    if (error instanceof PayloadProblem) return { ok: false, message: error.message };
    throw error;
  }
}

/** CreateInvoice's payload as the link to create, or the first problem found. */
export function readCreateInvoicePayload(payload: Payload, now: Date): Read<NewInvoice> {
  return readAll(() => {
    const invoiceType = take(readInvoiceType(payload.InvoiceType));
    const invId = take(readInvId(payload.InvId));
    const amountMinor = take(readAmount(payload.OutSum, 'OutSum'));
    const description = take(readText(payload, 'Description', MAX_DESCRIPTION_CHARACTERS)) ?? '';
    const merchantComments = take(readText(payload, 'MerchantComments', 1000));
    const culture = take(readCulture(payload.Culture));
    const userFields = take(readUserFields(payload.UserFields));
    const receipt = take(readReceipt(payload.InvoiceItems, payload.Sno, amountMinor));
    const success = take(readUrlData(payload.SuccessUrl2Data, 'SuccessUrl2Data'));
    const fail = take(readUrlData(payload.FailUrl2Data, 'FailUrl2Data'));
    const expiresAt = take(readExpirationDate(payload.ExpirationDate, now));
    take(checkAliases(payload.Aliases));
    const additional = take(readAdditionalParameters(payload.AdditionalParameters));
    return {
      invoiceType,
      invId,
      isTest: readIsTest(payload),
      amountMinor,
      currency: 'RUB',
      description,
      merchantComments,
      culture,
      email: additional.email,
      userFields,
      receipt,
      resultUrl2: additional.resultUrl2,
      successUrl2: success?.url ?? null,
      successUrl2Method: success?.method ?? null,
      failUrl2: fail?.url ?? null,
      failUrl2Method: fail?.method ?? null,
      expiresAt,
    };
  });
}
