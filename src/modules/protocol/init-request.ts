/**
 * Parsing of a payment-start request (`/Merchant/Index.aspx` and its aliases, reference §1.2): the GET
 * query or POST form fields after one decoding, repeated keys as arrays. Checks everything that needs
 * no database and answers with Robokassa's payment-page error codes; the caller still decides the shop
 * (26/25), the signature (29), a paid InvId (40) and expiry (33).
 *
 * Choices where Robokassa's behaviour is unknown, made to keep merchants' existing requests working:
 * - parameter names match case-insensitively (`outsum`), with the legacy names MrchLogin, InvoiceID and
 *   Desc; any name starting with `shp` in any case (Shp_, SHP_, shp_, legacy `shpparam`) is a merchant
 *   parameter;
 * - an empty value counts as absent (and is then not signed either), except for Shp values;
 * - a parameter repeated with the same value counts once; repeated with different values it is
 *   refused with the code of that parameter (30 by default), since no one can tell which was signed;
 * - enumerated values (OutSumCurrency, *Url2Method, StepByStep, Recurring, IsTest, Culture) match
 *   ignoring case; the signature still covers the text as received.
 */
import { isIP } from 'node:net';
import { parseDecimalToMinor } from '../../platform/money.js';
import { parseIsoDateTime } from './iso-date.js';
import { protocolError, type ProtocolError } from './protocol.errors.js';
import type { Receipt } from './receipt.js';
import type { InitSignatureParams } from './signature.js';
import { decodeUriComponentOrUndefined } from './url-encoding.js';

export type RequestFields = Readonly<Record<string, string | readonly string[] | undefined>>;

export type OutSumCurrency = 'USD' | 'EUR' | 'KZT';
export type RedirectMethod = 'GET' | 'POST';

export interface InitRequest {
  readonly merchantLogin: string;
  /** As received: the signature and the Result notification use this text. */
  readonly outSumText: string;
  /** Minor units at scale 2 (kopecks; cents or tiyn with OutSumCurrency), always > 0. */
  readonly outSumMinor: bigint;
  /** As received; '' when absent. */
  readonly invIdText: string;
  /** null when absent, empty or 0: Kopek assigns a number then. */
  readonly invId: bigint | null;
  readonly description: string;
  readonly signatureValue: string;
  readonly incCurrLabel?: string | undefined;
  readonly paymentMethods: string[];
  /** 'ru' or 'en'; any other sent value reads as 'en' (per the docs); undefined when not sent. */
  readonly culture?: 'ru' | 'en' | undefined;
  readonly encoding?: string | undefined;
  readonly email?: string | undefined;
  readonly expirationDate?: Date | undefined;
  readonly outSumCurrency?: OutSumCurrency | undefined;
  readonly userIp?: string | undefined;
  readonly isTest: boolean;
  readonly receipt?: string | undefined;
  /**
   * The Receipt as read and checked against OutSum (receipt.ts). Never set by parseInitRequest: the
   * payment start reads it after the signature check, so only a signed Receipt earns its messages.
   */
  readonly receiptParsed?: Receipt | undefined;
  readonly isRecurring: boolean;
  readonly isWithoutFreeSale: boolean;
  readonly stepByStep?: string | undefined;
  /** Absolute http(s) URLs, decoded once more when they arrived still percent-encoded. */
  readonly resultUrl2?: string | undefined;
  readonly successUrl2?: string | undefined;
  readonly successUrl2Method?: RedirectMethod | undefined;
  readonly failUrl2?: string | undefined;
  readonly failUrl2Method?: RedirectMethod | undefined;
  readonly token?: string | undefined;
  /** Name with prefix and value as received, in received order. */
  readonly shp: [string, string][];
  readonly signatureParams: InitSignatureParams;
}

export type InitRequestParseResult =
  | { readonly ok: true; readonly request: InitRequest }
  | { readonly ok: false; readonly error: ProtocolError };

const PARAMETER_NAMES = [
  'MerchantLogin',
  'OutSum',
  'InvId',
  'Description',
  'SignatureValue',
  'IncCurrLabel',
  'PaymentMethods',
  'Culture',
  'Encoding',
  'Email',
  'ExpirationDate',
  'OutSumCurrency',
  'UserIp',
  'IsTest',
  'Receipt',
  'Recurring',
  'IsWithoutFreeSale',
  'StepByStep',
  'ResultUrl2',
  'SuccessUrl2',
  'SuccessUrl2Method',
  'FailUrl2',
  'FailUrl2Method',
  'Token',
] as const;
type ParameterName = (typeof PARAMETER_NAMES)[number];

/** Lower-cased received name -> parameter. A Map, so `constructor` or `__proto__` find nothing. */
const NAME_LOOKUP = new Map<string, ParameterName>([
  ...PARAMETER_NAMES.map((name) => [name.toLowerCase(), name] as const),
  ['mrchlogin', 'MerchantLogin'],
  ['invoiceid', 'InvId'],
  ['desc', 'Description'],
]);

/** The code a malformed or ambiguous value of this parameter earns; 30 for the rest. */
const PARAMETER_ERROR_CODES: Partial<Record<ParameterName, number>> = {
  MerchantLogin: 26,
  OutSum: 31,
  SignatureValue: 29,
  Recurring: 35,
  StepByStep: 65,
};

const MAX_INV_ID = 9_223_372_036_854_775_807n;
const MAX_DESCRIPTION_CHARACTERS = 100;
const OUT_SUM_CURRENCIES: readonly OutSumCurrency[] = ['USD', 'EUR', 'KZT'];

interface CollectedFields {
  readonly parameters: Map<ParameterName, string[]>;
  /** Exact Shp name -> every value received under it. */
  readonly shp: Map<string, string[]>;
}

/** Thrown inside this file only, to stop at the first problem; parseInitRequest turns it into a result. */
class Rejection extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.detail.en);
  }
}

function reject(code: number, field: string | undefined, ru: string, en: string): never {
  throw new Rejection(protocolError(code, field, { ru, en }));
}

export function parseInitRequest(fields: RequestFields): InitRequestParseResult {
  try {
    return { ok: true, request: readInitRequest(collectFields(fields)) };
  } catch (caught) {
    if (caught instanceof Rejection) return { ok: false, error: caught.error };
    throw caught;
  }
}

/**
 * UserIp must be an IP address. Besides being right, this closes a hole: the signature check accepts
 * UserIp in several positions, so a free-form UserIp could trade places with Receipt or Token and still
 * verify. An address can never equal a receipt's JSON or a token, so no such swap survives.
 */
function checkUserIp(userIp: string | undefined): void {
  if (userIp !== undefined && isIP(userIp) === 0) {
    reject(30, 'UserIp', 'UserIp должен быть IP-адресом.', 'UserIp must be an IP address.');
  }
}

function collectFields(fields: RequestFields): CollectedFields {
  const collected: CollectedFields = { parameters: new Map(), shp: new Map() };
  for (const [name, raw] of Object.entries(fields)) {
    const values = listValues(raw);
    if (values.length === 0) continue;
    const parameter = NAME_LOOKUP.get(name.toLowerCase());
    if (parameter !== undefined) appendValues(collected.parameters, parameter, values);
    else if (/^shp./i.test(name)) appendValues(collected.shp, name, values);
  }
  return collected;
}

function listValues(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw)) return [];
  return raw.filter((value): value is string => typeof value === 'string');
}

function appendValues<K>(map: Map<K, string[]>, key: K, values: readonly string[]): void {
  const existing = map.get(key);
  if (existing) existing.push(...values);
  else map.set(key, [...values]);
}

function readInitRequest(fields: CollectedFields): InitRequest {
  const read = (name: ParameterName) => readOptional(fields, name);
  const merchantLogin =
    read('MerchantLogin') ??
    reject(26, 'MerchantLogin', 'Не передан MerchantLogin.', 'MerchantLogin is missing.');
  const outSumText =
    read('OutSum') ?? reject(31, 'OutSum', 'Не передана сумма OutSum.', 'OutSum is missing.');
  const outSumMinor = parseOutSum(outSumText);
  const invIdText = read('InvId') ?? '';
  const invId = parseInvId(invIdText);
  const description = read('Description') ?? '';
  checkDescription(description);
  const expirationDate = parseExpirationDate(read('ExpirationDate'));
  const outSumCurrencyText = read('OutSumCurrency');
  const outSumCurrency = parseOutSumCurrency(outSumCurrencyText);
  const redirects = readRedirects(fields);
  const isTest = parseIsTest(read('IsTest'));
  const incCurrLabel = read('IncCurrLabel');
  const isRecurring = parseRecurring(read('Recurring'), incCurrLabel, expirationDate);
  const stepByStep = read('StepByStep');
  checkStepByStep(stepByStep);
  const signatureValue =
    read('SignatureValue') ??
    reject(29, 'SignatureValue', 'Не передана подпись SignatureValue.', 'SignatureValue is missing.');
  const shp = readShp(fields);
  const culture = read('Culture');
  const userIp = read('UserIp');
  checkUserIp(userIp);
  const signatureParams: InitSignatureParams = {
    merchantLogin,
    outSum: outSumText,
    invId: invIdText,
    outSumCurrency: outSumCurrencyText,
    userIp,
    receipt: read('Receipt'),
    stepByStep,
    ...redirects.signed,
    token: read('Token'),
    shp,
  };
  return {
    merchantLogin,
    outSumText,
    outSumMinor,
    invIdText,
    invId,
    description,
    signatureValue,
    incCurrLabel,
    paymentMethods: [
      ...new Set((fields.parameters.get('PaymentMethods') ?? []).filter((method) => method !== '')),
    ],
    culture: culture === undefined ? undefined : culture.toLowerCase() === 'ru' ? 'ru' : 'en',
    encoding: read('Encoding'),
    email: read('Email'),
    expirationDate,
    outSumCurrency,
    userIp: signatureParams.userIp,
    isTest,
    receipt: signatureParams.receipt,
    isRecurring,
    isWithoutFreeSale: read('IsWithoutFreeSale')?.toLowerCase() === 'true',
    stepByStep,
    ...redirects.usable,
    token: signatureParams.token,
    shp: shp.map(([name, value]) => [name, value]),
    signatureParams,
  };
}

/** One value or none; empty values count as absent; different repeated values are refused. */
function readOptional(fields: CollectedFields, name: ParameterName): string | undefined {
  const distinct = [...new Set((fields.parameters.get(name) ?? []).filter((value) => value !== ''))];
  if (distinct.length > 1) {
    reject(
      PARAMETER_ERROR_CODES[name] ?? 30,
      name,
      `Параметр ${name} передан несколько раз с разными значениями.`,
      `${name} is repeated with different values.`,
    );
  }
  return distinct[0];
}

function readShp(fields: CollectedFields): [string, string][] {
  const shp: [string, string][] = [];
  for (const [name, values] of fields.shp) {
    const distinct = [...new Set(values)];
    if (distinct.length > 1) {
      reject(
        30,
        name,
        `Параметр ${name} передан несколько раз с разными значениями.`,
        `${name} is repeated with different values.`,
      );
    }
    shp.push([name, distinct[0] ?? '']);
  }
  return shp;
}

/** Exact decimal with a dot, at most 15 integer and 2 significant fractional digits, above zero. */
function parseOutSum(text: string): bigint {
  const minor = parseDecimalToMinor(text, 'RUB');
  if (minor === undefined) {
    reject(
      31,
      'OutSum',
      'OutSum должна быть числом с точкой, например 100.50: до 15 цифр до точки и до 2 значащих после.',
      'OutSum must be a number with a dot, such as 100.50: up to 15 digits before the dot and 2 significant after.',
    );
  }
  if (minor <= 0n)
    reject(31, 'OutSum', 'OutSum должна быть больше нуля.', 'OutSum must be greater than zero.');
  return minor;
}

function parseInvId(text: string): bigint | null {
  if (text === '') return null;
  const digits = /^\d+$/.test(text) ? text.replace(/^0+/, '') : undefined;
  if (digits === '') return null;
  if (digits === undefined || digits.length > 19 || BigInt(digits) > MAX_INV_ID) {
    reject(
      30,
      'InvId',
      'InvId должен быть целым числом от 1 до 9223372036854775807.',
      'InvId must be a whole number from 1 to 9223372036854775807.',
    );
  }
  return BigInt(digits);
}

function checkDescription(description: string): void {
  if ([...description].length > MAX_DESCRIPTION_CHARACTERS) {
    reject(
      30,
      'Description',
      'Description длиннее 100 символов.',
      'Description is longer than 100 characters.',
    );
  }
}

function parseExpirationDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  return (
    parseIsoDateTime(text) ??
    reject(
      30,
      'ExpirationDate',
      'ExpirationDate должна быть датой в формате ISO 8601, например 2029-01-16T12:00:00+03:00.',
      'ExpirationDate must be an ISO 8601 date-time, such as 2029-01-16T12:00:00+03:00.',
    )
  );
}

function parseOutSumCurrency(text: string | undefined): OutSumCurrency | undefined {
  if (text === undefined) return undefined;
  const currency = OUT_SUM_CURRENCIES.find((candidate) => candidate === text.toUpperCase());
  return (
    currency ??
    reject(
      30,
      'OutSumCurrency',
      'OutSumCurrency может быть USD, EUR или KZT.',
      'OutSumCurrency must be USD, EUR or KZT.',
    )
  );
}

function parseIsTest(text: string | undefined): boolean {
  const normalized = (text ?? '0').toLowerCase();
  if (normalized === '1' || normalized === 'true') return true;
  if (normalized === '0' || normalized === 'false') return false;
  // Guessing here could start a live payment that the merchant meant as a test, so refuse instead.
  return reject(30, 'IsTest', 'IsTest может быть 1 или 0.', 'IsTest must be 1 or 0.');
}

function parseRecurring(
  text: string | undefined,
  incCurrLabel: string | undefined,
  expirationDate: Date | undefined,
): boolean {
  const normalized = (text ?? 'false').toLowerCase();
  if (normalized !== 'true' && normalized !== 'false') {
    reject(35, 'Recurring', 'Recurring может быть только true.', 'Recurring can only be true.');
  }
  const isRecurring = normalized === 'true';
  if (isRecurring && (incCurrLabel !== undefined || expirationDate !== undefined)) {
    const field = incCurrLabel !== undefined ? 'IncCurrLabel' : 'ExpirationDate';
    reject(
      35,
      field,
      `Recurring нельзя передавать вместе с ${field}.`,
      `Recurring cannot be combined with ${field}.`,
    );
  }
  return isRecurring;
}

function checkStepByStep(text: string | undefined): void {
  if (text !== undefined && text.toLowerCase() !== 'true') {
    reject(65, 'StepByStep', 'StepByStep может быть только true.', 'StepByStep can only be true.');
  }
}

interface Redirects {
  /** Values as received, for the signature. */
  readonly signed: Pick<
    InitSignatureParams,
    'resultUrl2' | 'successUrl2' | 'successUrl2Method' | 'failUrl2' | 'failUrl2Method'
  >;
  readonly usable: Pick<
    InitRequest,
    'resultUrl2' | 'successUrl2' | 'successUrl2Method' | 'failUrl2' | 'failUrl2Method'
  >;
}

function readRedirects(fields: CollectedFields): Redirects {
  const read = (name: ParameterName) => readOptional(fields, name);
  const signed = {
    resultUrl2: read('ResultUrl2'),
    successUrl2: read('SuccessUrl2'),
    successUrl2Method: read('SuccessUrl2Method'),
    failUrl2: read('FailUrl2'),
    failUrl2Method: read('FailUrl2Method'),
  };
  const usable = {
    resultUrl2: parseUrl('ResultUrl2', signed.resultUrl2),
    successUrl2: parseUrl('SuccessUrl2', signed.successUrl2),
    successUrl2Method: parseRedirectMethod('SuccessUrl2Method', signed.successUrl2Method),
    failUrl2: parseUrl('FailUrl2', signed.failUrl2),
    failUrl2Method: parseRedirectMethod('FailUrl2Method', signed.failUrl2Method),
  };
  return { signed, usable };
}

/**
 * An absolute http(s) URL. A URL that arrived still percent-encoded (`https%3A%2F%2F...`, from a GET
 * link that encoded it twice) is decoded once more, since that is the only way it can be followed.
 */
function parseUrl(field: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  for (const candidate of [text, decodeUriComponentOrUndefined(text)]) {
    if (candidate !== undefined && isHttpUrl(candidate)) return candidate;
  }
  return reject(
    30,
    field,
    `${field} должен быть полным адресом http:// или https://.`,
    `${field} must be an absolute http:// or https:// URL.`,
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseRedirectMethod(field: string, text: string | undefined): RedirectMethod | undefined {
  if (text === undefined) return undefined;
  const method = text.toUpperCase();
  if (method === 'GET' || method === 'POST') return method;
  return reject(30, field, `${field} может быть GET или POST.`, `${field} must be GET or POST.`);
}
