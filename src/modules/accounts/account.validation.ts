/**
 * Validation of what people type at registration and sign-up. Pure functions: each returns the problem
 * with its code and texts, or undefined. Services collect them into one field-level error.
 */
import type { FieldProblem } from '../../platform/http/errors.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

export const LOGIN_PATTERN = /^[a-z0-9_-]{3,32}$/;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;

export const required: FieldProblem = {
  code: 'required',
  text: { ru: 'Заполните это поле.', en: 'This field is required.' },
};

export function checkLogin(value: string): FieldProblem | undefined {
  if (value === '') return required;
  if (!LOGIN_PATTERN.test(value)) {
    return {
      code: 'invalid_login',
      text: {
        ru: 'От 3 до 32 символов: строчные латинские буквы, цифры, «-» и «_».',
        en: 'From 3 to 32 characters: lower-case Latin letters, digits, "-" and "_".',
      },
    };
  }
  return undefined;
}

/** A practical check: one @, a dot in the domain, no spaces; the confirmation e-mail proves the rest. */
export function checkEmail(value: string): FieldProblem | undefined {
  if (value === '') return required;
  if (value.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    return {
      code: 'invalid_email',
      text: { ru: 'Введите адрес вида name@example.ru.', en: 'Enter an address like name@example.com.' },
    };
  }
  return undefined;
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function checkNewPassword(password: string, personal: readonly string[]): FieldProblem | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return {
      code: 'password_too_short',
      text: {
        ru: 'Пароль должен быть не короче {min} символов.',
        en: 'The password must be at least {min} characters long.',
      },
      values: { min: MIN_PASSWORD_LENGTH },
    };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return {
      code: 'password_too_long',
      text: { ru: 'Пароль длиннее {max} символов.', en: 'The password is longer than {max} characters.' },
      values: { max: MAX_PASSWORD_LENGTH },
    };
  }
  const lowered = password.toLowerCase();
  if (personal.some((item) => item.length > 0 && lowered.includes(item.toLowerCase()))) {
    return {
      code: 'password_contains_login',
      text: {
        ru: 'Пароль не должен содержать ваш логин или e-mail.',
        en: 'The password must not contain your login or e-mail.',
      },
    };
  }
  if (COMMON_PASSWORDS.has(lowered) || /^(.)\1+$/.test(password)) {
    return {
      code: 'password_too_common',
      text: {
        ru: 'Этот пароль слишком распространён и легко угадывается. Придумайте другой.',
        en: 'This password is too common and easy to guess. Choose another.',
      },
    };
  }
  return undefined;
}
