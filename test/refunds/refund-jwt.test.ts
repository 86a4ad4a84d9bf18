/** The Refund API's token, pure: decoding, HMAC verification, and reading the body in every transport. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJwtFromBody as readTokenFromBody } from '../../src/modules/protocol/index.js';
import { formatRefundState } from '../../src/modules/refunds/refund-api.routes.js';
import { decodeJwt, verifyJwtSignature } from '../../src/modules/refunds/refund-jwt.js';
import { signRefundToken } from './refund-support.js';

describe('decodeJwt and verifyJwtSignature', () => {
  it.each(['HS256', 'HS384', 'HS512'] as const)('verifies %s with the right key only', (algorithm) => {
    const token = signRefundToken({ OpKey: 'op_1', RefundSum: 1 }, 'password3', algorithm);
    const decoded = decodeJwt(token);
    expect(decoded).toMatchObject({ algorithm, payload: { OpKey: 'op_1', RefundSum: 1 } });
    expect(decoded && verifyJwtSignature(decoded, 'password3')).toBe(true);
    expect(decoded && verifyJwtSignature(decoded, 'password4')).toBe(false);
  });

  it('accepts a header without typ, and typ in any case', () => {
    for (const header of [{ alg: 'HS256' }, { alg: 'HS256', typ: 'jwt' }]) {
      expect(decodeJwt(signRefundToken({ OpKey: 'x' }, 'k', 'HS256', header))).toBeDefined();
    }
  });

  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['padding', `${signRefundToken({ OpKey: 'x' }, 'k')}=`],
    ['a payload that is an array', `${b64({ alg: 'HS256' })}.${b64([1])}.c2ln`],
    ['a header that is not JSON', `${Buffer.from('{').toString('base64url')}.${b64({})}.c2ln`],
    ['an unknown algorithm', `${b64({ alg: 'HS1024' })}.${b64({})}.c2ln`],
    ['alg none', `${b64({ alg: 'none' })}.${b64({})}.`],
    ['a huge token', 'a'.repeat(40_000)],
  ])('refuses %s', (_name, token) => {
    expect(decodeJwt(token)).toBeUndefined();
  });

  it('never throws on arbitrary text, and verifies whatever it signs', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(() => decodeJwt(text)).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('HS256', 'HS384', 'HS512' as const),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string({ minLength: 1 }),
        (algorithm, payload, key) => {
          const decoded = decodeJwt(signRefundToken(payload, key, algorithm));
          expect(decoded && verifyJwtSignature(decoded, key)).toBe(true);
        },
      ),
    );
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('readTokenFromBody', () => {
  it('reads a JSON string literal and a raw token, trimmed', () => {
    expect(readTokenFromBody('"eyJ.a.b"')).toBe('eyJ.a.b');
    expect(readTokenFromBody(' "eyJ.a.b"\n')).toBe('eyJ.a.b');
    expect(readTokenFromBody('eyJ.a.b\r\n')).toBe('eyJ.a.b');
  });

  it('finds nothing in an empty body, a JSON literal that is not a string, broken JSON or a parsed value', () => {
    for (const body of ['', '   ', '"unterminated', '"a" "b"', undefined, { token: 'x' }]) {
      expect(readTokenFromBody(body)).toBeUndefined();
    }
  });
});

describe('formatRefundState', () => {
  it('writes the amount with six decimals, as Robokassa does', () => {
    const state = (amountMinor: bigint) =>
      formatRefundState({
        request_id: '68cd7fa6-1338-4745-ba5c-28d16cbcdb3d',
        amount_minor: amountMinor,
        currency: 'RUB',
        status: 'finished',
      });
    expect(state(100n)).toBe(
      '{"requestId":"68cd7fa6-1338-4745-ba5c-28d16cbcdb3d","amount":1.000000,"label":"finished"}',
    );
    expect(JSON.parse(state(123_456_789n))).toEqual({
      requestId: '68cd7fa6-1338-4745-ba5c-28d16cbcdb3d',
      amount: 1234567.89,
      label: 'finished',
    });
    expect(state(1n)).toContain('"amount":0.010000,');
  });
});
