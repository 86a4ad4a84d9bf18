/**
 * Robokassa's JSON Web Tokens: a compact JWS signed with HMAC. Two APIs use them with different rules:
 * the Refund API (reference §5: HS256/HS384/HS512, key Password #3) and the Invoice API (reference §8:
 * MD5, RIPEMD160, SHA1/HS1, SHA256/HS256, SHA384/HS384, SHA512/HS512, or no `alg` at all, meaning the
 * shop's own algorithm; key `MerchantLogin:Password #1`). Each API passes its policy; the mechanics are
 * here once.
 *
 * Pure functions: decoding checks the shape (three base64url segments, a JSON header with an accepted
 * `alg` and, when present, `typ` JWT, a JSON object payload); verification recomputes the HMAC over the
 * segments exactly as received and compares in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const JWT_HMAC_HASHES = {
  MD5: 'md5',
  RIPEMD160: 'ripemd160',
  SHA1: 'sha1',
  HS1: 'sha1',
  SHA256: 'sha256',
  HS256: 'sha256',
  SHA384: 'sha384',
  HS384: 'sha384',
  SHA512: 'sha512',
  HS512: 'sha512',
} as const;
export type JwtAlgorithm = keyof typeof JWT_HMAC_HASHES;

export interface JwtPolicy {
  readonly algorithms: readonly JwtAlgorithm[];
  /** The Invoice API lets the header leave `alg` out: the shop's configured algorithm is meant. */
  readonly isAlgorithmOptional?: boolean;
}

export interface DecodedJwt {
  /** Undefined only when the policy allows a header without `alg`. */
  readonly algorithm: JwtAlgorithm | undefined;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `<header>.<payload>` as received: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** A token is small; anything longer is not one of Robokassa's. */
export const MAX_JWT_LENGTH = 32_768;

const SEGMENT_PATTERN = /^[A-Za-z0-9_-]+$/;

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The accepted algorithm the header names (letter case aside), null for none, undefined for a refusal. */
function readAlgorithm(header: Record<string, unknown>, policy: JwtPolicy): JwtAlgorithm | null | undefined {
  if (header.alg === undefined) return policy.isAlgorithmOptional ? null : undefined;
  if (typeof header.alg !== 'string') return undefined;
  const name = header.alg.toUpperCase();
  return policy.algorithms.find((algorithm) => algorithm === name);
}

/** The token's parts, or undefined when it is not a well-formed JWT the policy accepts. */
export function decodeJwt(token: string, policy: JwtPolicy): DecodedJwt | undefined {
  if (token.length > MAX_JWT_LENGTH) return undefined;
  const segments = token.split('.');
  if (segments.length !== 3) return undefined;
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = segments;
  if (![headerSegment, payloadSegment, signatureSegment].every((part) => SEGMENT_PATTERN.test(part)))
    return undefined;
  const header = decodeJsonObject(headerSegment);
  const algorithm = header ? readAlgorithm(header, policy) : undefined;
  if (!header || algorithm === undefined) return undefined;
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT'))
    return undefined;
  const payload = decodeJsonObject(payloadSegment);
  if (!payload) return undefined;
  return {
    algorithm: algorithm ?? undefined,
    payload,
    signingInput: `${headerSegment}.${payloadSegment}`,
    signature: Buffer.from(signatureSegment, 'base64url'),
  };
}

/**
 * Constant time over the digest; only the (public) digest length can short-cut. `algorithm` is the
 * header's, or the caller's fallback when the header named none.
 */
export function verifyJwtSignature(
  token: DecodedJwt,
  key: string,
  algorithm: JwtAlgorithm | undefined = token.algorithm,
): boolean {
  if (algorithm === undefined) return false;
  const expected = createHmac(JWT_HMAC_HASHES[algorithm], Buffer.from(key, 'utf8'))
    .update(token.signingInput)
    .digest();
  return expected.length === token.signature.length && timingSafeEqual(expected, token.signature);
}

/**
 * The token out of a request body read as text. Robokassa's own SDK posts it as a JSON string literal
 * ("eyJ…") under application/json; other libraries post it raw. A JWT is never valid JSON, so the two
 * cannot be confused.
 */
export function readJwtFromBody(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const text = body.trim();
  if (!text.startsWith('"')) return text === '' ? undefined : text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}
