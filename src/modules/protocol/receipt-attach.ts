/**
 * RoboFiscal requests: Robokassa's second receipt `POST /RoboFiscal/Receipt/Attach` and its status
 * `POST /RoboFiscal/Receipt/Status` (reference §9, test vector V3 in §15.1). Both bodies are
 *
 *   B64(json) + "." + B64(hex(hash(B64(json) + Password#1)))
 *
 * with `=` padding stripped and `hash` the shop's algorithm (MD5 by default). The hash covers the first
 * segment exactly as sent, never re-serialised JSON: V3's JSON has spaces and a newline.
 *
 * Choices where the sources are silent or disagree (reference §13 item 11):
 * - both base64 alphabets are accepted (the docs and the official SDK use the url-safe one, one library
 *   the standard one), with or without `=` padding; what Kopek signs itself is url-safe, unpadded;
 * - the hex digest inside the second segment may be in either letter case (PHP writes lower case, .NET
 *   code often upper case); it is compared in constant time;
 * - the body may arrive raw (text/plain) or as a JSON string literal ("eyJ…", the way Robokassa's SDK
 *   posts its other tokens); surrounding whitespace is ignored.
 *
 * Only the envelope is read here; the payload's meaning (items, sums, ids) is read exactly, without
 * floats, by parseSecondReceipt and parseReceiptStatusPayload in receipt.ts.
 */
import { constantTimeEqual } from '../../platform/crypto.js';
import { hashHex, type HashAlgorithm } from './signature.js';

/** A second receipt of 100 items fits many times over; anything longer is refused unread. */
export const MAX_ROBOFISCAL_BODY_LENGTH = 1_048_576;

/** `ResultCode` values of Receipt/Attach and `Code` values of Receipt/Status (reference §9). */
export const ROBOFISCAL_RESULT_CODE = {
  ok: '0',
  waiting: '1',
  registered: '2',
  error: '3',
  /** The only failure seen live: an unknown merchantId answered with an exception's text (§15). */
  internalError: '1000',
} as const;
export type RoboFiscalResultCode = (typeof ROBOFISCAL_RESULT_CODE)[keyof typeof ROBOFISCAL_RESULT_CODE];

export type RoboFiscalProblem =
  | 'body_empty'
  | 'body_too_long'
  | 'body_malformed'
  | 'payload_not_json'
  | 'payload_not_object'
  | 'merchant_id_missing';

export interface RoboFiscalRequest {
  /** The first segment as received: what the signature covers. */
  readonly payloadSegment: string;
  readonly signatureSegment: string;
  /** The decoded JSON text; read amounts and ids from it exactly (parseSecondReceipt). */
  readonly payloadText: string;
  /** The same JSON through JSON.parse: numbers are JavaScript numbers here. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The shop login, which tells the caller whose Password #1 and algorithm to verify with. */
  readonly merchantId: string;
}

export type RoboFiscalParseResult =
  | { readonly ok: true; readonly request: RoboFiscalRequest }
  | { readonly ok: false; readonly problem: RoboFiscalProblem };

/** Either base64 alphabet, at least one character, at most two `=` of padding. */
const SEGMENT_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body text out of a request body: raw, or a JSON string literal; undefined for anything else. */
function readBodyText(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const text = body.trim();
  if (!text.startsWith('"')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Decoded bytes of one segment; undefined when it is not base64 (a length of 4n+1 never is). */
function decodeSegment(segment: string): Buffer | undefined {
  if (!SEGMENT_PATTERN.test(segment)) return undefined;
  const unpadded = segment.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  // Node's base64 decoder reads the url-safe alphabet as well.
  return Buffer.from(unpadded, 'base64');
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Reads a Receipt/Attach or Receipt/Status body (a string: the raw text or a JSON string literal).
 * The signature is not checked here: the caller finds the shop by `merchantId`, then calls
 * verifyRoboFiscalSignature with its Password #1 and algorithm.
 */
export function parseRoboFiscalRequest(body: unknown): RoboFiscalParseResult {
  if (typeof body === 'string' && body.length > MAX_ROBOFISCAL_BODY_LENGTH)
    return { ok: false, problem: 'body_too_long' };
  const text = readBodyText(body);
  if (text === undefined) return { ok: false, problem: 'body_malformed' };
  if (text === '') return { ok: false, problem: 'body_empty' };
  const segments = text.split('.');
  const [payloadSegment = '', signatureSegment = ''] = segments;
  const payloadBytes = decodeSegment(payloadSegment);
  if (segments.length !== 2 || payloadBytes === undefined || decodeSegment(signatureSegment) === undefined)
    return { ok: false, problem: 'body_malformed' };
  const payloadText = decodeUtf8(payloadBytes);
  if (payloadText === undefined) return { ok: false, problem: 'payload_not_json' };
  const payload = parseJsonObject(payloadText);
  if (payload === undefined) {
    const isJson = parseJsonSafely(payloadText);
    return { ok: false, problem: isJson ? 'payload_not_object' : 'payload_not_json' };
  }
  const merchantId = payload.merchantId;
  if (typeof merchantId !== 'string' || merchantId.trim() === '')
    return { ok: false, problem: 'merchant_id_missing' };
  return { ok: true, request: { payloadSegment, signatureSegment, payloadText, payload, merchantId } };
}

function parseJsonSafely(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The second segment for a payload segment: base64url (unpadded) of the hex digest of segment + Password #1. */
export function buildRoboFiscalSignature(
  payloadSegment: string,
  password1: string,
  algorithm: HashAlgorithm,
): string {
  return Buffer.from(hashHex(algorithm, payloadSegment + password1), 'utf8').toString('base64url');
}

/** Whether the request was signed with this Password #1 and algorithm; constant time over the digest. */
export function verifyRoboFiscalSignature(
  request: Pick<RoboFiscalRequest, 'payloadSegment' | 'signatureSegment'>,
  password1: string,
  algorithm: HashAlgorithm,
): boolean {
  const signatureBytes = decodeSegment(request.signatureSegment);
  const sentHex = signatureBytes === undefined ? undefined : decodeUtf8(signatureBytes);
  if (sentHex === undefined) return false;
  const expectedHex = hashHex(algorithm, request.payloadSegment + password1);
  return constantTimeEqual(expectedHex, sentHex.toLowerCase());
}

/**
 * A complete body for the JSON text, as a merchant's code builds it: for tests, the sandbox and
 * anything in Kopek that calls a RoboFiscal-compatible service. `alphabet` 'base64' writes the standard
 * alphabet some libraries use (still without padding).
 */
export function signRoboFiscalPayload(
  jsonText: string,
  password1: string,
  algorithm: HashAlgorithm,
  alphabet: 'base64url' | 'base64' = 'base64url',
): string {
  const encode = (text: string) => Buffer.from(text, 'utf8').toString(alphabet).replace(/=+$/, '');
  const payloadSegment = encode(jsonText);
  const signatureSegment = encode(hashHex(algorithm, payloadSegment + password1));
  return `${payloadSegment}.${signatureSegment}`;
}

/** Receipt/Attach answer: `{"ResultCode":"0","ResultDescription":"ok","OpKey":"…"}` (reference §9). */
export function buildReceiptAttachAnswer(input: {
  readonly resultCode: RoboFiscalResultCode;
  readonly description: string;
  readonly opKey?: string | undefined;
}): string {
  return JSON.stringify({
    ResultCode: input.resultCode,
    ResultDescription: input.description,
    ...(input.opKey === undefined ? {} : { OpKey: input.opKey }),
  });
}

export interface ReceiptStatusAnswer {
  readonly code: RoboFiscalResultCode;
  readonly description: string;
  readonly fnNumber?: string | undefined;
  readonly fiscalDocumentNumber?: string | undefined;
  readonly fiscalDocumentAttribute?: string | undefined;
  readonly fiscalDate?: string | undefined;
  readonly fiscalType?: string | undefined;
}

/**
 * Receipt/Status answer with the documented fields (reference §9), in that order. The reference shows
 * no field's type beyond `Code` being a string in a live sample; Kopek writes every value as a string
 * and a fiscal field it does not know (yet) as null, so parsers always find the key.
 */
export function buildReceiptStatusAnswer(answer: ReceiptStatusAnswer): string {
  return JSON.stringify({
    Code: answer.code,
    Description: answer.description,
    FnNumber: answer.fnNumber ?? null,
    FiscalDocumentNumber: answer.fiscalDocumentNumber ?? null,
    FiscalDocumentAttribute: answer.fiscalDocumentAttribute ?? null,
    FiscalDate: answer.fiscalDate ?? null,
    FiscalType: answer.fiscalType ?? null,
  });
}
