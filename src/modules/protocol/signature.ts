/**
 * Signatures of Robokassa's protocol: the payment-start signature (Password #1) that merchants compute
 * and Kopek checks, and the Result/Success signatures (Password #2 / #1) that Kopek computes and
 * merchants check, plus the OpStateExt request signature. Every base string is hashed as UTF-8 bytes.
 *
 * Merchants' libraries disagree on how to build the payment-start base string (reference §1.3, §13),
 * so the check tries a bounded list of candidate base strings; see buildInitSignatureCandidates.
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../platform/crypto.js';
import {
  decodeFormOrUndefined,
  decodeUriComponentOrUndefined,
  encodeForm,
  encodeRfc3986,
} from './url-encoding.js';
import { encodeUriComponentOrUndefined, looksUrlEncoded } from './url-encoding.js';
import { encodeWindows1251 } from './windows-1251.js';

export type HashAlgorithm = 'MD5' | 'RIPEMD160' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = [
  'MD5',
  'RIPEMD160',
  'SHA1',
  'SHA256',
  'SHA384',
  'SHA512',
];

const NODE_HASH_NAMES: Readonly<Record<HashAlgorithm, string>> = {
  MD5: 'md5',
  RIPEMD160: 'ripemd160',
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
};

/** A merchant parameter: the name with its prefix (Shp_, SHP_, shp_, legacy shp) and the value as received. */
export type ShpEntry = readonly [name: string, value: string];

export interface InitSignatureParams {
  readonly merchantLogin: string;
  /** Exactly as received: the signature covers this text, never a re-formatted amount. */
  readonly outSum: string;
  /** As received; '' when absent (the slot stays empty: `Login:Sum::...`). */
  readonly invId: string;
  readonly outSumCurrency?: string | undefined;
  readonly userIp?: string | undefined;
  /** The value as received after one form/URL decoding. */
  readonly receipt?: string | undefined;
  readonly stepByStep?: string | undefined;
  readonly resultUrl2?: string | undefined;
  readonly successUrl2?: string | undefined;
  readonly successUrl2Method?: string | undefined;
  readonly failUrl2?: string | undefined;
  readonly failUrl2Method?: string | undefined;
  readonly token?: string | undefined;
  /** In received order. */
  readonly shp: readonly ShpEntry[];
}

export interface SignatureCandidate {
  readonly label: string;
  readonly baseString: string;
}

export interface InitSignatureCheck {
  readonly isValid: boolean;
  readonly matchedLabel?: string;
  readonly candidates: readonly SignatureCandidate[];
}

export const MAX_INIT_SIGNATURE_CANDIDATES = 64;
export const PASSWORD_MASK = '••••••';

export function isHashAlgorithm(value: string): value is HashAlgorithm {
  return (HASH_ALGORITHMS as readonly string[]).includes(value);
}

/** Lower-case hex digest of the UTF-8 bytes of text. */
export function hashHex(algorithm: HashAlgorithm, text: string): string {
  return createHash(NODE_HASH_NAMES[algorithm]).update(text, 'utf8').digest('hex');
}

/** Hex digests are compared ignoring letter case (merchants send either) and in constant time. */
export function isSignatureMatch(
  algorithm: HashAlgorithm,
  baseString: string,
  signatureValue: string,
): boolean {
  return constantTimeEqual(hashHex(algorithm, baseString), signatureValue.toLowerCase());
}

function isWindows1251SignatureMatch(
  algorithm: HashAlgorithm,
  baseString: string,
  signatureValue: string,
): boolean {
  const bytes = encodeWindows1251(baseString);
  if (bytes === undefined) return false;
  const digest = createHash(NODE_HASH_NAMES[algorithm]).update(bytes).digest('hex');
  return constantTimeEqual(digest, signatureValue.toLowerCase());
}

/* ---------------------------------------------------------------------------------------------------
 * Payment start (Password #1)
 *
 * Candidate base strings. Each candidate is one choice in each of four dimensions; the first choice of
 * each dimension is the documented primary form. A dimension takes part only when its parameters were
 * sent, and choices that produce the same text collapse into one.
 *
 * 1. Position of OutSumCurrency / UserIp (reference §1.3, §13 item 7; README §16 item 4):
 *    a. "documented order":
 *       Login:OutSum:InvId[:OutSumCurrency][:UserIp][:Receipt][:StepByStep][:ResultUrl2]
 *       [:SuccessUrl2:SuccessUrl2Method][:FailUrl2:FailUrl2Method][:Token]:Password#1[:Shp...]
 *       (igor-netFantom/robokassa-api, dev-aces/robokassa; vhar/robokassa-php's UserIp:Receipt);
 *    b. "UserIp after Receipt" (only with UserIp and Receipt): ...[:OutSumCurrency]:Receipt:UserIp[:StepByStep]...
 *    c. "UserIp before password" (only with UserIp): UserIp is the last modifier, right before
 *       Password#1 (the older docs' wording);
 *    d. "OutSumCurrency [and UserIp] before password" (only with OutSumCurrency): both are the last
 *       modifiers, OutSumCurrency first (the older docs' `InvId:OutSumCurrency:Password#1` read the
 *       same way as UserIp's).
 * 2. Receipt (only when sent; reference §1.3, §13 item 4), in this order: as received; encoded with
 *    encodeURIComponent; form-encoded (PHP urlencode, space as '+'); when the received value holds a
 *    percent escape, decoded once (percent escapes only) and form-decoded once ('+' as space too);
 *    encoded per RFC 3986 (PHP rawurlencode).
 * 3. ResultUrl2 / SuccessUrl2 / FailUrl2 (only when sent; §13 item 5; README §16 item 2), one encoder
 *    for all three URLs at once, in this order: encodeURIComponent (the docs' base strings); raw, as
 *    received; form-encoded (PHP urlencode, space as '+'); RFC 3986 (PHP rawurlencode).
 *    SuccessUrl2Method / FailUrl2Method are never encoded.
 * 4. Shp order (only when Shp parameters were sent; §13 item 6; README §16 item 3): ordinal by the
 *    UTF-8 bytes of the name (most libraries); case-insensitive by name, ordinal among names equal
 *    but for case (robokassa/cms-wordpress); ordinal by the whole `name=value` text (libraries that
 *    sort the joined pairs; differs only when one name is a prefix of another).
 *
 * Combinations are taken in order of how many dimensions leave their primary choice (0, then 1, then
 * 2 ...; within a level, in the order listed above with the layout varying slowest), identical base
 * strings count once, and the list stops at MAX_INIT_SIGNATURE_CANDIDATES (64). So every combination
 * differing from the documented form in one dimension is always tried (at most 13), and in practice
 * every one differing in two: only a request that sends OutSumCurrency, UserIp, Receipt and a URL,
 * with values on which all the encoders disagree and Shp names on which all three orders disagree,
 * has more (75 at worst); the two-way combinations cut are then those of the older layouts (c, d).
 * Not produced: the free-amount form with an empty OutSum slot.
 * ------------------------------------------------------------------------------------------------- */

interface Choice<T> {
  readonly label: string;
  readonly value: T;
}

type Slot =
  | 'outSumCurrency'
  | 'userIp'
  | 'receipt'
  | 'stepByStep'
  | 'resultUrl2'
  | 'successUrl2'
  | 'successUrl2Method'
  | 'failUrl2'
  | 'failUrl2Method'
  | 'token';

interface UrlValues {
  readonly resultUrl2: string | undefined;
  readonly successUrl2: string | undefined;
  readonly failUrl2: string | undefined;
}

const TAIL_SLOTS: readonly Slot[] = [
  'stepByStep',
  'resultUrl2',
  'successUrl2',
  'successUrl2Method',
  'failUrl2',
  'failUrl2Method',
  'token',
];

/** The documented primary form alone: what a merchant following the current docs signs. */
export function buildInitBaseString(params: InitSignatureParams, password1: string): string {
  const [primary] = buildInitSignatureCandidates(params, password1);
  return primary?.baseString ?? '';
}

/** Lower-case hex signature of the documented primary form (for links Kopek builds itself). */
export function signInitRequest(
  algorithm: HashAlgorithm,
  params: InitSignatureParams,
  password1: string,
): string {
  return hashHex(algorithm, buildInitBaseString(params, password1));
}

export function buildInitSignatureCandidates(
  params: InitSignatureParams,
  password1: string,
): SignatureCandidate[] {
  const layouts = listLayoutChoices(params);
  const receipts = listReceiptChoices(params.receipt);
  const urls = listUrlChoices(params);
  const shpOrders = listShpOrderChoices(params.shp);
  const combinations: { deviations: number; indexes: readonly [number, number, number, number] }[] = [];
  layouts.forEach((_l, li) =>
    receipts.forEach((_r, ri) =>
      urls.forEach((_u, ui) =>
        shpOrders.forEach((_s, si) => {
          const deviations = [li, ri, ui, si].filter((index) => index > 0).length;
          combinations.push({ deviations, indexes: [li, ri, ui, si] });
        }),
      ),
    ),
  );
  // Array.prototype.sort is stable, so equal deviation counts keep the enumeration order above.
  combinations.sort((left, right) => left.deviations - right.deviations);
  const candidates: SignatureCandidate[] = [];
  const seen = new Set<string>();
  for (const { indexes } of combinations) {
    if (candidates.length >= MAX_INIT_SIGNATURE_CANDIDATES) break;
    const [layout, receipt, url, shpOrder] = [
      layouts[indexes[0]],
      receipts[indexes[1]],
      urls[indexes[2]],
      shpOrders[indexes[3]],
    ];
    if (!layout || !receipt || !url || !shpOrder) continue;
    const modifiers = layout.value.map((slot) => readSlot(slot, params, receipt.value, url.value));
    const baseString = joinBaseString(params, modifiers, password1, shpOrder.value);
    if (seen.has(baseString)) continue;
    seen.add(baseString);
    const label = [layout.label, receipt.label, url.label, shpOrder.label].filter(Boolean).join(', ');
    candidates.push({ label, baseString });
  }
  return candidates;
}

/**
 * With Encoding=windows-1251 the merchant may have hashed the windows-1251 bytes of the base string
 * (its page and code work in that encoding) or the UTF-8 bytes (a modern library): both are accepted.
 */
export function verifyInitSignature(
  params: InitSignatureParams,
  password1: string,
  algorithm: HashAlgorithm,
  signatureValue: string,
  textEncoding: 'utf-8' | 'windows-1251' = 'utf-8',
): InitSignatureCheck {
  const candidates = buildInitSignatureCandidates(params, password1);
  let matchedLabel: string | undefined;
  // Every candidate is compared, so the time taken does not reveal which one (if any) matched.
  for (const candidate of candidates) {
    const isMatch =
      isSignatureMatch(algorithm, candidate.baseString, signatureValue) ||
      (textEncoding === 'windows-1251' &&
        isWindows1251SignatureMatch(algorithm, candidate.baseString, signatureValue));
    if (isMatch && matchedLabel === undefined) matchedLabel = candidate.label;
  }
  return matchedLabel === undefined
    ? { isValid: false, candidates }
    : { isValid: true, matchedLabel, candidates };
}

function listLayoutChoices(params: InitSignatureParams): Choice<readonly Slot[]>[] {
  const hasUserIp = params.userIp !== undefined;
  const choices: Choice<readonly Slot[]>[] = [
    { label: 'documented order', value: ['outSumCurrency', 'userIp', 'receipt', ...TAIL_SLOTS] },
  ];
  if (hasUserIp && params.receipt !== undefined) {
    choices.push({
      label: 'UserIp after Receipt',
      value: ['outSumCurrency', 'receipt', 'userIp', ...TAIL_SLOTS],
    });
  }
  if (hasUserIp) {
    choices.push({
      label: 'UserIp before password',
      value: ['outSumCurrency', 'receipt', ...TAIL_SLOTS, 'userIp'],
    });
  }
  if (params.outSumCurrency !== undefined) {
    const label = hasUserIp ? 'OutSumCurrency and UserIp before password' : 'OutSumCurrency before password';
    choices.push({ label, value: ['receipt', ...TAIL_SLOTS, 'outSumCurrency', 'userIp'] });
  }
  return choices;
}

function listReceiptChoices(receipt: string | undefined): Choice<string | undefined>[] {
  if (receipt === undefined) return [{ label: '', value: undefined }];
  const isEncoded = looksUrlEncoded(receipt);
  return keepDistinct([
    { label: 'Receipt as received', value: receipt },
    { label: 'Receipt encodeURIComponent-encoded', value: encodeUriComponentOrUndefined(receipt) },
    { label: 'Receipt form-encoded', value: encodeForm(receipt) },
    { label: 'Receipt decoded once', value: isEncoded ? decodeUriComponentOrUndefined(receipt) : undefined },
    { label: 'Receipt form-decoded once', value: isEncoded ? decodeFormOrUndefined(receipt) : undefined },
    { label: 'Receipt RFC 3986-encoded', value: encodeRfc3986(receipt) },
  ]);
}

function listUrlChoices(params: InitSignatureParams): Choice<UrlValues>[] {
  const raw: UrlValues = {
    resultUrl2: params.resultUrl2,
    successUrl2: params.successUrl2,
    failUrl2: params.failUrl2,
  };
  if (raw.resultUrl2 === undefined && raw.successUrl2 === undefined && raw.failUrl2 === undefined) {
    return [{ label: '', value: raw }];
  }
  const encoders: readonly (readonly [string, (text: string) => string | undefined])[] = [
    ['URLs encodeURIComponent-encoded', encodeUriComponentOrUndefined],
    ['URLs raw', (text) => text],
    ['URLs form-encoded', encodeForm],
    ['URLs RFC 3986-encoded', encodeRfc3986],
  ];
  const choices: Choice<UrlValues>[] = [];
  const seen = new Set<string>();
  for (const [label, encode] of encoders) {
    const value = encodeUrls(raw, encode);
    const key = value && JSON.stringify([value.resultUrl2, value.successUrl2, value.failUrl2]);
    if (!value || key === undefined || seen.has(key)) continue;
    seen.add(key);
    choices.push({ label, value });
  }
  return choices;
}

function encodeUrls(raw: UrlValues, encode: (text: string) => string | undefined): UrlValues | undefined {
  const encoded = {
    resultUrl2: raw.resultUrl2 === undefined ? undefined : encode(raw.resultUrl2),
    successUrl2: raw.successUrl2 === undefined ? undefined : encode(raw.successUrl2),
    failUrl2: raw.failUrl2 === undefined ? undefined : encode(raw.failUrl2),
  };
  const isComplete =
    (raw.resultUrl2 === undefined) === (encoded.resultUrl2 === undefined) &&
    (raw.successUrl2 === undefined) === (encoded.successUrl2 === undefined) &&
    (raw.failUrl2 === undefined) === (encoded.failUrl2 === undefined);
  return isComplete ? encoded : undefined;
}

function listShpOrderChoices(shp: readonly ShpEntry[]): Choice<readonly ShpEntry[]>[] {
  if (shp.length === 0) return [{ label: '', value: [] }];
  const choices: Choice<readonly ShpEntry[]>[] = [
    { label: 'Shp ordinal', value: sortShpOrdinally(shp) },
    { label: 'Shp case-insensitive', value: [...shp].sort(compareShpCaseInsensitively) },
    {
      label: 'Shp ordinal by name=value',
      value: [...shp].sort((left, right) => compareBytes(formatShp(left), formatShp(right))),
    },
  ];
  const seen = new Set<string>();
  return choices.filter((choice) => {
    const key = JSON.stringify(choice.value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readSlot(
  slot: Slot,
  params: InitSignatureParams,
  receipt: string | undefined,
  urls: UrlValues,
): string | undefined {
  switch (slot) {
    case 'receipt':
      return receipt;
    case 'resultUrl2':
    case 'successUrl2':
    case 'failUrl2':
      return urls[slot];
    default:
      return params[slot];
  }
}

function joinBaseString(
  params: InitSignatureParams,
  modifiers: readonly (string | undefined)[],
  password: string,
  shp: readonly ShpEntry[],
): string {
  const present = modifiers.filter((modifier): modifier is string => modifier !== undefined);
  return [
    params.merchantLogin,
    params.outSum,
    params.invId,
    ...present,
    password,
    ...shp.map(formatShp),
  ].join(':');
}

function keepDistinct<T>(choices: readonly Choice<T | undefined>[]): Choice<T>[] {
  const seen = new Set<T>();
  const kept: Choice<T>[] = [];
  for (const choice of choices) {
    if (choice.value === undefined || seen.has(choice.value)) continue;
    seen.add(choice.value);
    kept.push({ label: choice.label, value: choice.value });
  }
  return kept;
}

/* ---------------------------------------------------------------------------------------------------
 * What Kopek sends: ResultURL (Password #2) and SuccessURL (Password #1), and the OpStateExt check.
 * Shp parameters follow the password sorted ordinally, values exactly as the merchant sent them.
 * ------------------------------------------------------------------------------------------------- */

export function buildResultBaseString(
  outSum: string,
  invId: string,
  password2: string,
  shp: readonly ShpEntry[],
): string {
  return [outSum, invId, password2, ...sortShpOrdinally(shp).map(formatShp)].join(':');
}

/** Upper-case hex, as Robokassa sends it in callbacks. */
export function signResult(
  algorithm: HashAlgorithm,
  outSum: string,
  invId: string,
  password2: string,
  shp: readonly ShpEntry[],
): string {
  return hashHex(algorithm, buildResultBaseString(outSum, invId, password2, shp)).toUpperCase();
}

/** Same shape as Result, but with Password #1 (reference §3). */
export function buildSuccessBaseString(
  outSum: string,
  invId: string,
  password1: string,
  shp: readonly ShpEntry[],
): string {
  return buildResultBaseString(outSum, invId, password1, shp);
}

export function signSuccess(
  algorithm: HashAlgorithm,
  outSum: string,
  invId: string,
  password1: string,
  shp: readonly ShpEntry[],
): string {
  return hashHex(algorithm, buildSuccessBaseString(outSum, invId, password1, shp)).toUpperCase();
}

/** OpStateExt / OpState: `MerchantLogin:InvoiceID:Password#2`. */
export function buildOpStateBaseString(merchantLogin: string, invoiceId: string, password2: string): string {
  return `${merchantLogin}:${invoiceId}:${password2}`;
}

export function verifyOpStateSignature(
  algorithm: HashAlgorithm,
  merchantLogin: string,
  invoiceId: string,
  password2: string,
  signature: string,
): boolean {
  return isSignatureMatch(algorithm, buildOpStateBaseString(merchantLogin, invoiceId, password2), signature);
}

/**
 * Replaces the password where it is a whole colon-separated field, so the integration debugger can
 * show merchants the base string it tried without printing their secret. A password that merely
 * occurs inside another field (an amount, a Shp value) is left alone: masking it would mislead.
 */
export function maskPasswordInBaseString(baseString: string, password: string): string {
  if (password === '') return baseString;
  let masked = '';
  let index = 0;
  for (let found = baseString.indexOf(password); found >= 0; found = baseString.indexOf(password, index)) {
    const end = found + password.length;
    const isWholeField =
      (found === 0 || baseString[found - 1] === ':') &&
      (end === baseString.length || baseString[end] === ':');
    masked += isWholeField
      ? baseString.slice(index, found) + PASSWORD_MASK
      : baseString.slice(index, found + 1);
    index = isWholeField ? end : found + 1;
  }
  return masked + baseString.slice(index);
}

export function sortShpOrdinally(shp: readonly ShpEntry[]): ShpEntry[] {
  return [...shp].sort((left, right) => compareBytes(left[0], right[0]) || compareBytes(left[1], right[1]));
}

function compareShpCaseInsensitively(left: ShpEntry, right: ShpEntry): number {
  return (
    compareBytes(left[0].toLowerCase(), right[0].toLowerCase()) ||
    compareBytes(left[0], right[0]) ||
    compareBytes(left[1], right[1])
  );
}

function formatShp(entry: ShpEntry): string {
  return `${entry[0]}=${entry[1]}`;
}

/** Ordinal order of the UTF-8 bytes, the order PHP's sort and most libraries use. */
function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}
