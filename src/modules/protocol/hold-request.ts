/**
 * Robokassa's hold requests (reference §6): `POST /Merchant/Payment/Confirm` captures a hold (StepByStep)
 * in full or in part, `POST /Merchant/Payment/Cancel` releases it. Parsing, signatures and the answer
 * body; pure, like the rest of the protocol module.
 *
 * - Fields: MerchantLogin, InvoiceID, OutSum (Confirm: required; Cancel: may be sent), Receipt (Confirm
 *   only: a reduced cart), SignatureValue. Names match ignoring case, with the legacy MrchLogin and the
 *   InvId spelling of the payment request.
 * - Signatures, with Password #1 (test Password #1 for test payments), as the official SDK computes them:
 *   Confirm `MerchantLogin:OutSum:InvoiceID[:Receipt]:Password#1`, Cancel `MerchantLogin::InvoiceID:Password#1`
 *   (the OutSum slot empty). Where Robokassa is silent Kopek also accepts: the Receipt of Confirm signed as
 *   received, encoded (encodeURIComponent, form) or decoded once, like the payment request's Receipt; a
 *   Cancel that sends OutSum and signs it in its slot; MerchantLogin as stored or as received.
 * - The answer is always HTTP 200 with a JSON string: `"success: true"` or `"success: false"`, which is
 *   what the official SDK parses.
 */
import { parseDecimalToMinor } from '../../platform/money.js';
import { isSignatureMatch, type HashAlgorithm } from './signature.js';
import {
  decodeFormOrUndefined,
  decodeUriComponentOrUndefined,
  encodeForm,
  encodeUriComponentOrUndefined,
  looksUrlEncoded,
} from './url-encoding.js';

export type HoldAction = 'confirm' | 'cancel';

export const HOLD_ACTION_ANSWER = {
  success: '"success: true"',
  failure: '"success: false"',
} as const;

export interface HoldActionRequest {
  readonly action: HoldAction;
  readonly merchantLogin: string;
  /** As received: the signature covers this text. */
  readonly invoiceIdText: string;
  readonly invoiceId: bigint;
  /** As received; required for Confirm. */
  readonly outSumText?: string | undefined;
  /** OutSum in minor units (scale 2); present for Confirm. */
  readonly outSumMinor?: bigint | undefined;
  readonly receipt?: string | undefined;
  readonly signatureValue: string;
}

/** Why a request could not be read; logged, while the caller answers `"success: false"`. */
export type HoldRequestProblem =
  | 'merchant_login_missing'
  | 'invoice_id_invalid'
  | 'out_sum_invalid'
  | 'signature_missing'
  | 'field_repeated';

export type HoldRequestParseResult =
  | { readonly ok: true; readonly request: HoldActionRequest }
  | { readonly ok: false; readonly problem: HoldRequestProblem };

type FieldName = 'MerchantLogin' | 'InvoiceID' | 'OutSum' | 'Receipt' | 'SignatureValue';

const NAME_LOOKUP = new Map<string, FieldName>([
  ['merchantlogin', 'MerchantLogin'],
  ['mrchlogin', 'MerchantLogin'],
  ['invoiceid', 'InvoiceID'],
  ['invid', 'InvoiceID'],
  ['outsum', 'OutSum'],
  ['receipt', 'Receipt'],
  ['signaturevalue', 'SignatureValue'],
]);

const MAX_INVOICE_ID = 9_223_372_036_854_775_807n;

/** The fields after one form decoding, by case-insensitive name; a name repeated with two values is refused. */
function collectFields(fields: Readonly<Record<string, unknown>>): Map<FieldName, string> | undefined {
  const collected = new Map<FieldName, string>();
  for (const [name, raw] of Object.entries(fields)) {
    const field = NAME_LOOKUP.get(name.toLowerCase());
    if (field === undefined) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    for (const value of values) {
      const existing = collected.get(field);
      if (existing !== undefined && existing !== value) return undefined;
      collected.set(field, value);
    }
  }
  return collected;
}

function parseInvoiceId(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^\d{1,19}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value > 0n && value <= MAX_INVOICE_ID ? value : undefined;
}

export function parseHoldActionRequest(
  fields: Readonly<Record<string, unknown>>,
  action: HoldAction,
): HoldRequestParseResult {
  const collected = collectFields(fields);
  if (!collected) return { ok: false, problem: 'field_repeated' };
  const merchantLogin = collected.get('MerchantLogin');
  if (merchantLogin === undefined) return { ok: false, problem: 'merchant_login_missing' };
  const invoiceIdText = collected.get('InvoiceID');
  const invoiceId = parseInvoiceId(invoiceIdText);
  if (invoiceIdText === undefined || invoiceId === undefined)
    return { ok: false, problem: 'invoice_id_invalid' };
  const outSumText = collected.get('OutSum');
  const outSumMinor = outSumText === undefined ? undefined : parseDecimalToMinor(outSumText, 'RUB');
  if (action === 'confirm' && (outSumMinor === undefined || outSumMinor <= 0n))
    return { ok: false, problem: 'out_sum_invalid' };
  const signatureValue = collected.get('SignatureValue');
  if (signatureValue === undefined) return { ok: false, problem: 'signature_missing' };
  return {
    ok: true,
    request: {
      action,
      merchantLogin,
      invoiceIdText,
      invoiceId,
      outSumText,
      outSumMinor: outSumMinor !== undefined && outSumMinor > 0n ? outSumMinor : undefined,
      receipt: action === 'confirm' ? collected.get('Receipt') : undefined,
      signatureValue,
    },
  };
}

/** Receipt as received first (the SDK's form), then the encodings merchants' code may have signed. */
function listReceiptForms(receipt: string): string[] {
  const isEncoded = looksUrlEncoded(receipt);
  const forms = [
    receipt,
    encodeUriComponentOrUndefined(receipt),
    encodeForm(receipt),
    isEncoded ? decodeUriComponentOrUndefined(receipt) : undefined,
    isEncoded ? decodeFormOrUndefined(receipt) : undefined,
  ];
  return [...new Set(forms.filter((form): form is string => form !== undefined))];
}

/** Every base string Kopek accepts for the request, the documented one first. */
export function buildHoldActionBaseStrings(
  request: HoldActionRequest,
  merchantLogin: string,
  password1: string,
): string[] {
  const { invoiceIdText, outSumText } = request;
  if (request.action === 'cancel') {
    const bases = [`${merchantLogin}::${invoiceIdText}:${password1}`];
    if (outSumText !== undefined) bases.push(`${merchantLogin}:${outSumText}:${invoiceIdText}:${password1}`);
    return bases;
  }
  const head = `${merchantLogin}:${outSumText ?? ''}:${invoiceIdText}`;
  if (request.receipt === undefined) return [`${head}:${password1}`];
  return listReceiptForms(request.receipt).map((receipt) => `${head}:${receipt}:${password1}`);
}

/**
 * Whether SignatureValue matches one of the accepted base strings, with the shop's login as stored or
 * as received (logins match ignoring case). Every candidate is compared, so timing tells nothing.
 */
export function verifyHoldActionSignature(
  request: HoldActionRequest,
  storedMerchantLogin: string,
  password1: string,
  algorithm: HashAlgorithm,
): boolean {
  const logins = [...new Set([storedMerchantLogin, request.merchantLogin])];
  let isValid = false;
  for (const login of logins) {
    for (const baseString of buildHoldActionBaseStrings(request, login, password1)) {
      if (isSignatureMatch(algorithm, baseString, request.signatureValue)) isValid = true;
    }
  }
  return isValid;
}
