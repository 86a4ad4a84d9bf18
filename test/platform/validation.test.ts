import { describe, expect, it } from 'vitest';
import { checkLogin, checkNewPassword } from '../../src/modules/accounts/account.validation.js';
import { checkShopPassword, checkUrl } from '../../src/modules/shops/shop.validation.js';

const codeOf = (problem: { code: string } | undefined) => problem?.code;

describe('checkNewPassword', () => {
  it.each([
    ['short1', 'password_too_short'],
    ['x'.repeat(9), 'password_too_short'],
    ['a1'.repeat(65), 'password_too_long'],
    ['my-shop-login-2026', 'password_contains_login'],
    ['MY-SHOP-LOGIN rules', 'password_contains_login'],
    ['ivan.petrov is me', 'password_contains_login'],
    ['qwertyuiop', 'password_too_common'],
    ['Password123', 'password_too_common'],
    ['zzzzzzzzzzzz', 'password_too_common'],
  ])('refuses %j as %s', (password, code) => {
    expect(codeOf(checkNewPassword(password, ['my-shop-login', 'ivan.petrov', '']))).toBe(code);
  });

  it('accepts a long uncommon password, and exactly the length limits', () => {
    expect(checkNewPassword('correct horse battery', ['admin'])).toBeUndefined();
    expect(checkNewPassword('k7#Lm2vQ9x', [])).toBeUndefined();
    expect(checkNewPassword('k7#Lm2vQ9x'.repeat(12) + 'abcdefgh', [])).toBeUndefined();
  });

  it('ignores empty personal words', () => {
    expect(checkNewPassword('correct horse battery', ['', ''])).toBeUndefined();
  });

  it('reports the minimum in the message values', () => {
    expect(checkNewPassword('short', [])?.values).toEqual({ min: 10 });
  });
});

describe('checkLogin', () => {
  it.each(['abc', 'my-shop', 'shop_2026', 'a'.repeat(32), '123'])('accepts %j', (login) => {
    expect(checkLogin(login)).toBeUndefined();
  });

  it.each([
    ['', 'required'],
    ['ab', 'invalid_login'],
    ['a'.repeat(33), 'invalid_login'],
    ['MyShop', 'invalid_login'],
    ['my shop', 'invalid_login'],
    ['магазин', 'invalid_login'],
    ['shop!', 'invalid_login'],
    ['shop\n', 'invalid_login'],
  ])('refuses %j as %s', (login, code) => {
    expect(codeOf(checkLogin(login))).toBe(code);
  });
});

describe('checkShopPassword', () => {
  it.each(['abcd1234', 'A1b2C3d4', 'x'.repeat(63) + '1', 'Pass_word-1!'])('accepts %j', (password) => {
    expect(checkShopPassword(password)).toBeUndefined();
  });

  it.each([
    ['abc1234', 'weak_shop_password'],
    ['abcdefgh', 'weak_shop_password'],
    ['12345678', 'weak_shop_password'],
    ['x'.repeat(64) + '1', 'weak_shop_password'],
    ['пароль12345', 'weak_shop_password'],
    ['abcd 1234', 'invalid_shop_password'],
    ['abcd:1234', 'invalid_shop_password'],
    ['abcd\t1234', 'invalid_shop_password'],
  ])('refuses %j as %s', (password, code) => {
    expect(codeOf(checkShopPassword(password))).toBe(code);
  });
});

describe('checkUrl', () => {
  it.each(['https://shop.example.ru/result', 'http://shop.example.ru', 'https://shop.example.ru:8443/a?b=c'])(
    'accepts %j everywhere',
    (url) => {
      expect(checkUrl(url, false)).toBeUndefined();
      expect(checkUrl(url, true)).toBeUndefined();
    },
  );

  it.each([
    'shop.example.ru',
    '/relative',
    'ftp://shop.example.ru',
    'javascript:alert(1)',
    'mailto:a@b.ru',
    '',
  ])('refuses %j as not a web address', (url) => {
    expect(codeOf(checkUrl(url, false))).toBe('invalid_url');
  });

  it('refuses addresses longer than 2000 characters', () => {
    expect(codeOf(checkUrl(`https://shop.example.ru/${'a'.repeat(2000)}`, false))).toBe('too_long');
  });

  const PRIVATE = [
    'http://localhost:3000/result',
    'http://127.0.0.1/result',
    'http://10.1.2.3/result',
    'http://192.168.0.10/result',
    'http://172.16.0.1/result',
    'http://172.31.255.255/result',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0/',
    'http://[::1]/result',
    'http://[fd12:3456::1]/result',
    'http://[fc00::1]/result',
    'http://2130706433/result', // 127.0.0.1 written as a number
    'http://0x7f.1/result', // 127.0.0.1 in hex
  ];

  it.each(PRIVATE)('refuses the private host %j only in production', (url) => {
    expect(codeOf(checkUrl(url, true))).toBe('private_address');
    expect(checkUrl(url, false)).toBeUndefined();
  });

  it.each(['http://172.32.0.1/', 'http://172.15.0.1/', 'http://11.0.0.1/', 'http://192.169.0.1/'])(
    'treats the public neighbour %j as public',
    (url) => {
      expect(checkUrl(url, true)).toBeUndefined();
    },
  );

  // IPv6 spellings of private addresses slip past the host pattern. See the report.
  it.each([
    'http://[::ffff:127.0.0.1]/result',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data',
    'http://[fe80::1]/result',
    'http://[::]/result',
  ])('refuses the private IPv6 host %j in production', (url) => {
    expect(codeOf(checkUrl(url, true))).toBe('private_address');
  });

  // The host pattern is anchored only at the start, so public names that begin like a private address
  // are refused too. See the report.
  it.each(['https://10.example.ru/result', 'https://localhost-shop.ru/result', 'https://0.example.ru/'])(
    'accepts the public name %j in production',
    (url) => {
      expect(checkUrl(url, true)).toBeUndefined();
    },
  );
});
