/** Encoding=windows-1251: decoding legacy forms and hashing base strings as windows-1251 bytes. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyInitSignature } from '../../src/modules/protocol/index.js';
import {
  encodeWindows1251,
  isWindows1251,
  parseWindows1251Form,
} from '../../src/modules/protocol/windows-1251.js';

/** Percent-encodes every byte, as a windows-1251 page's form does for non-ASCII characters. */
function percentEncode1251(text: string): string {
  const bytes = encodeWindows1251(text);
  if (!bytes) throw new Error(`not representable: ${text}`);
  return [...bytes].map((byte) => '%' + byte.toString(16).toUpperCase().padStart(2, '0')).join('');
}

const cyrillicText = fc
  .array(fc.constantFrom(...'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя №«»—abc 123'))
  .map((characters) => characters.join(''));

describe('windows-1251 forms', () => {
  it('recognises the declared encoding in its usual spellings', () => {
    expect(['windows-1251', 'Windows-1251', ' cp1251 ', 'WIN-1251'].every(isWindows1251)).toBe(true);
    expect([undefined, 'utf-8', 'koi8-r', ''].some(isWindows1251)).toBe(false);
  });

  it('decodes "Оплата заказа" sent as windows-1251 escapes', () => {
    const fields = parseWindows1251Form('Description=%CE%EF%EB%E0%F2%E0+%E7%E0%EA%E0%E7%E0&OutSum=10.00');
    expect(fields).toEqual({ Description: 'Оплата заказа', OutSum: '10.00' });
  });

  it('keeps the first of repeated names, literal characters and broken escapes as typed', () => {
    expect(parseWindows1251Form('a=1&a=2&b=%ZZ%C0&c&=x')).toEqual({ a: '1', b: '%ZZА', c: '', '': 'x' });
  });

  it('round-trips any Cyrillic text (property)', () => {
    fc.assert(
      fc.property(cyrillicText, cyrillicText, (name, value) => {
        const raw = `Shp_${percentEncode1251(name)}=${percentEncode1251(value)}`;
        expect(parseWindows1251Form(raw)).toEqual({ [`Shp_${name}`]: value });
      }),
    );
  });

  it('cannot encode characters outside windows-1251', () => {
    expect(encodeWindows1251('Привет €')?.length).toBe(8);
    expect(encodeWindows1251('汉字')).toBeUndefined();
    expect(encodeWindows1251('\uFFFD')).toBeUndefined();
  });
});

describe('signatures over windows-1251 bytes', () => {
  const params = {
    merchantLogin: 'shop',
    outSum: '10.00',
    invId: '5',
    shp: [['Shp_item', 'Чайник']] as const,
  };
  const base = 'shop:10.00:5:secret:Shp_item=Чайник';
  const md5Of = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');

  it('accepts a signature over the windows-1251 bytes only when that encoding was declared', () => {
    const signature = md5Of(encodeWindows1251(base) as Buffer);
    expect(verifyInitSignature(params, 'secret', 'MD5', signature, 'windows-1251').isValid).toBe(true);
    expect(verifyInitSignature(params, 'secret', 'MD5', signature).isValid).toBe(false);
  });

  it('still accepts a signature over the UTF-8 bytes with windows-1251 declared', () => {
    const signature = md5Of(Buffer.from(base, 'utf8'));
    expect(verifyInitSignature(params, 'secret', 'MD5', signature, 'windows-1251').isValid).toBe(true);
  });
});
