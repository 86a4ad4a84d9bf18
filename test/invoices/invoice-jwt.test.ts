/**
 * Pure parts of the Invoice API: the JWT policy it passes to protocol's decoder (every Robokassa
 * algorithm name, `alg` optional, unlike the Refund API's), and answers written with exact integers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyAnswer } from '../../src/modules/invoices/invoice-api.routes.js';
import { decodeJwt, verifyJwtSignature, type JwtPolicy } from '../../src/modules/protocol/index.js';
import { decodeJwt as decodeRefundJwt } from '../../src/modules/refunds/refund-jwt.js';
import { signInvoiceToken } from './invoice-support.js';

const INVOICE_POLICY: JwtPolicy = {
  algorithms: ['MD5', 'RIPEMD160', 'SHA1', 'HS1', 'SHA256', 'HS256', 'SHA384', 'HS384', 'SHA512', 'HS512'],
  isAlgorithmOptional: true,
};

describe('the JWT policies', () => {
  it('lets an invoice token leave alg out, to be verified with the algorithm the caller names', () => {
    const token = signInvoiceToken({ MerchantLogin: 'shop' }, 'shop:secret', { typ: 'JWT' }, 'sha512');
    const decoded = decodeJwt(token, INVOICE_POLICY);
    expect(decoded?.algorithm).toBeUndefined();
    expect(decoded && verifyJwtSignature(decoded, 'shop:secret')).toBe(false);
    expect(decoded && verifyJwtSignature(decoded, 'shop:secret', 'SHA512')).toBe(true);
    expect(decoded && verifyJwtSignature(decoded, 'shop:secret', 'MD5')).toBe(false);
    // The Refund API insists on a named algorithm.
    expect(decodeRefundJwt(token)).toBeUndefined();
  });

  it('refuses MD5 for the Refund API, which takes HS256/HS384/HS512 only', () => {
    const token = signInvoiceToken({ OpKey: 'x' }, 'password3', { typ: 'JWT', alg: 'MD5' });
    expect(decodeJwt(token, INVOICE_POLICY)?.algorithm).toBe('MD5');
    expect(decodeRefundJwt(token)).toBeUndefined();
  });

  it('verifies whatever it signs with every invoice algorithm, and nothing signed with another key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INVOICE_POLICY.algorithms),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string({ minLength: 1 }),
        (alg, payload, key) => {
          const decoded = decodeJwt(signInvoiceToken(payload, key, { typ: 'JWT', alg }), INVOICE_POLICY);
          expect(decoded && verifyJwtSignature(decoded, key)).toBe(true);
          expect(decoded && verifyJwtSignature(decoded, `${key}!`)).toBe(false);
        },
      ),
    );
  });
});

describe('stringifyAnswer', () => {
  it('writes bigints as exact JSON numbers', () => {
    expect(stringifyAnswer({ invId: 9_223_372_036_854_775_807n, isSuccess: true })).toBe(
      '{"invId":9223372036854775807,"isSuccess":true}',
    );
  });

  it('leaves merchant text alone, even text that looks like a bigint placeholder', () => {
    fc.assert(
      fc.property(fc.string(), (description) => {
        const text = stringifyAnswer({ description, invId: 5n });
        expect(JSON.parse(text)).toEqual({ description, invId: 5 });
      }),
    );
    const imitation = 'bigint-00000000-0000-0000-0000-000000000000:7';
    expect(JSON.parse(stringifyAnswer({ description: imitation }))).toEqual({ description: imitation });
  });
});
