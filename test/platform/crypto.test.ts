import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, createSecretToken, hashToken, SecretBox } from '../../src/platform/crypto.js';

const masterKey = Buffer.from('22'.repeat(32), 'hex');

/** Flips one bit in the decoded bytes of part `index` (1 = iv, 2 = tag, 3 = ciphertext). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  it('decrypts what it encrypted', () => {
    const box = new SecretBox(masterKey, 'shop-passwords');
    const sealed = box.encrypt('Pa55word');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('Pa55word');
    expect(box.decrypt(sealed)).toBe('Pa55word');
    expect(box.decrypt(box.encrypt(''))).toBe('');
  });

  it('uses a fresh IV each time', () => {
    const box = new SecretBox(masterKey, 'totp');
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('keeps purposes apart: one purpose cannot open another’s box', () => {
    const shops = new SecretBox(masterKey, 'shop-passwords');
    const totp = new SecretBox(masterKey, 'totp');
    const sealed = shops.encrypt('secret');
    expect(totp.encrypt('secret')).not.toBe(sealed);
    expect(() => totp.decrypt(sealed)).toThrow();
    expect(() => shops.decrypt(totp.encrypt('secret'))).toThrow();
  });

  it('cannot be opened with another master key', () => {
    const sealed = new SecretBox(masterKey, 'totp').encrypt('secret');
    expect(() => new SecretBox(randomBytes(32), 'totp').decrypt(sealed)).toThrow();
  });

  it('detects tampering with the IV, the tag or the ciphertext', () => {
    const box = new SecretBox(masterKey, 'shop-passwords');
    const sealed = box.encrypt('a shop password');
    for (const index of [1, 2, 3]) expect(() => box.decrypt(tamper(sealed, index))).toThrow();
  });

  it('refuses unknown formats', () => {
    const box = new SecretBox(masterKey, 'shop-passwords');
    const sealed = box.encrypt('x');
    expect(() => box.decrypt(sealed.replace(/^v1/, 'v2'))).toThrow(/unknown format/);
    expect(() => box.decrypt('v1.abc')).toThrow(/unknown format/);
    expect(() => box.decrypt('plaintext')).toThrow(/unknown format/);
  });

  it('round-trips any Unicode string', () => {
    const box = new SecretBox(masterKey, 'property');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(box.decrypt(box.encrypt(text))).toBe(text);
      }),
    );
  });
});

describe('tokens', () => {
  it('creates distinct URL-safe tokens of the asked strength', () => {
    const token = createSecretToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(createSecretToken()).not.toBe(token);
    expect(Buffer.from(createSecretToken(24), 'base64url')).toHaveLength(24);
  });

  it('hashes tokens with SHA-256', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares strings in constant time, refusing different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
