/** Field rules of shops and their technical settings: pure functions returning a problem or undefined. */
import { randomInt } from 'node:crypto';
import type { FieldProblem } from '../../platform/http/errors.js';
import { isPrivateHost } from '../../platform/network.js';

export const HASH_ALGORITHMS = ['MD5', 'RIPEMD160', 'SHA1', 'SHA256', 'SHA384', 'SHA512'] as const;
export const HTTP_METHODS = ['GET', 'POST'] as const;
export const MERCHANT_LOGIN_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const PASSWORD_FIELDS = [
  'password1',
  'password2',
  'password3',
  'testPassword1',
  'testPassword2',
] as const;
export type PasswordField = (typeof PASSWORD_FIELDS)[number];

export const requiredField: FieldProblem = {
  code: 'required',
  text: { ru: 'Заполните это поле.', en: 'This field is required.' },
};

export function checkShopName(name: string): FieldProblem | undefined {
  if (name.trim() === '') return requiredField;
  if (name.length > 100) {
    return { code: 'too_long', text: { ru: 'Не длиннее 100 символов.', en: 'At most 100 characters.' } };
  }
  return undefined;
}

export function checkDescription(description: string): FieldProblem | undefined {
  return description.length > 1000
    ? { code: 'too_long', text: { ru: 'Не длиннее 1000 символов.', en: 'At most 1000 characters.' } }
    : undefined;
}

export function checkMerchantLogin(login: string): FieldProblem | undefined {
  if (login === '') return requiredField;
  if (!MERCHANT_LOGIN_PATTERN.test(login)) {
    return {
      code: 'invalid_merchant_login',
      text: {
        ru: 'От 3 до 32 символов: латинские буквы, цифры, «-» и «_».',
        en: 'From 3 to 32 characters: Latin letters, digits, "-" and "_".',
      },
    };
  }
  return undefined;
}

/**
 * An absolute http(s) URL. In production the host must not be a private address: the platform calls
 * Result URLs from inside the operator's network. (Names are checked again when resolved, at call time.)
 */
export function checkUrl(value: string, isProduction: boolean): FieldProblem | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      code: 'invalid_url',
      text: {
        ru: 'Введите адрес вида https://example.ru/path.',
        en: 'Enter an address like https://example.com/path.',
      },
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      code: 'invalid_url',
      text: { ru: 'Адрес должен начинаться с https://.', en: 'The address must start with https://.' },
    };
  }
  if (value.length > 2000) {
    return {
      code: 'too_long',
      text: { ru: 'Адрес длиннее 2000 символов.', en: 'The address is longer than 2000 characters.' },
    };
  }
  if (isProduction && isPrivateHost(url.hostname)) {
    return {
      code: 'private_address',
      text: {
        ru: 'Адрес во внутренней сети недоступен платформе.',
        en: 'An address in a private network cannot be used.',
      },
    };
  }
  return undefined;
}

export function checkShopPassword(password: string): FieldProblem | undefined {
  if (password.length < 8 || password.length > 64 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    return {
      code: 'weak_shop_password',
      text: {
        ru: 'От 8 до 64 символов, хотя бы одна латинская буква и одна цифра.',
        en: 'From 8 to 64 characters, with at least one Latin letter and one digit.',
      },
    };
  }
  if (/[\s:]/.test(password)) {
    // A colon would split the signature base string "Login:Sum:InvId:Password" in the wrong place.
    return {
      code: 'invalid_shop_password',
      text: { ru: 'Без пробелов и двоеточий.', en: 'No spaces or colons.' },
    };
  }
  return undefined;
}

export function samePasswordsProblem(): FieldProblem {
  return {
    code: 'passwords_must_differ',
    text: {
      ru: 'Пароль #1 и пароль #2 (и тестовые #1 и #2) должны различаться.',
      en: 'Password #1 and password #2 (and test #1 and #2) must differ.',
    },
  };
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 characters with at least one letter and one digit, from an alphabet without look-alikes. */
export function generateShopPassword(): string {
  for (;;) {
    const password = Array.from(
      { length: 16 },
      () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)],
    ).join('');
    if (checkShopPassword(password) === undefined) return password;
  }
}
