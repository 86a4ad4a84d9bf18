/**
 * The Refund API's token: a compact JWS (JWT) signed with HMAC, keyed with the shop's Password #3.
 * Pure functions: decoding checks the shape (three base64url segments, a JSON header with a supported
 * `alg` and, when present, `typ` JWT, a JSON object payload); verification recomputes the HMAC over the
 * segments exactly as received and compares in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const REFUND_JWT_ALGORITHMS = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
export type RefundJwtAlgorithm = keyof typeof REFUND_JWT_ALGORITHMS;

export interface DecodedJwt {
  readonly algorithm: RefundJwtAlgorithm;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `<header>.<payload>` as received: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** A token is small; anything longer is not one of ours. */
export const MAX_TOKEN_LENGTH = 32_768;

const SEGMENT_PATTERN = /^[A-Za-z0-9_-]+$/;

function isAlgorithm(value: unknown): value is RefundJwtAlgorithm {
  return typeof value === 'string' && Object.hasOwn(REFUND_JWT_ALGORITHMS, value);
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The token's parts, or undefined when it is not a well-formed HS256/HS384/HS512 JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const segments = token.split('.');
  if (segments.length !== 3) return undefined;
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = segments;
  if (![headerSegment, payloadSegment, signatureSegment].every((part) => SEGMENT_PATTERN.test(part)))
    return undefined;
  const header = decodeJsonObject(headerSegment);
  if (!header || !isAlgorithm(header.alg)) return undefined;
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT'))
    return undefined;
  const payload = decodeJsonObject(payloadSegment);
  if (!payload) return undefined;
  return {
    algorithm: header.alg,
    payload,
    signingInput: `${headerSegment}.${payloadSegment}`,
    signature: Buffer.from(signatureSegment, 'base64url'),
  };
}

function signJwtSegments(algorithm: RefundJwtAlgorithm, signingInput: string, key: string): Buffer {
  return createHmac(REFUND_JWT_ALGORITHMS[algorithm], Buffer.from(key, 'utf8')).update(signingInput).digest();
}

/** Constant time over the digest; only the (public) digest length can short-cut. */
export function verifyJwtSignature(token: DecodedJwt, key: string): boolean {
  const expected = signJwtSegments(token.algorithm, token.signingInput, key);
  return expected.length === token.signature.length && timingSafeEqual(expected, token.signature);
}
