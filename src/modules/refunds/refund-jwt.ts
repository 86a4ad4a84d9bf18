/**
 * The Refund API's token (reference §5): a JWT signed with HMAC HS256, HS384 or HS512 and keyed with the
 * shop's Password #3. The JWT mechanics live in `protocol` (the Invoice API uses them too); this file is
 * the Refund API's policy: which algorithms it accepts, and that the header must name one.
 */
import {
  decodeJwt as decodeRobokassaJwt,
  MAX_JWT_LENGTH,
  verifyJwtSignature as verifyRobokassaJwt,
  type DecodedJwt,
  type JwtPolicy,
} from '../protocol/index.js';

const REFUND_JWT_POLICY: JwtPolicy = { algorithms: ['HS256', 'HS384', 'HS512'] };

export const MAX_TOKEN_LENGTH = MAX_JWT_LENGTH;

/** The token's parts, or undefined when it is not a well-formed HS256/HS384/HS512 JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  return decodeRobokassaJwt(token, REFUND_JWT_POLICY);
}

export function verifyJwtSignature(token: DecodedJwt, password3: string): boolean {
  return verifyRobokassaJwt(token, password3);
}
