/**
 * Errors with a stable code, an HTTP status and a message in every language. Modules declare theirs
 * once (see defineErrors); the error handler turns any AppError into
 * `{ "error": { "code", "message", "fields"? } }` in the caller's language.
 */
import type { Language, LocalizedText } from '../i18n.js';
import { localize } from '../i18n.js';

export interface FieldProblem {
  readonly code: string;
  readonly text: LocalizedText;
  readonly values?: Readonly<Record<string, string | number>>;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    readonly text: LocalizedText,
    readonly values: Readonly<Record<string, string | number>> = {},
    readonly fields: Readonly<Record<string, FieldProblem>> = {},
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${code}: ${text.en}`);
    this.name = 'AppError';
  }

  toBody(language: Language) {
    const fieldEntries = Object.entries(this.fields);
    return {
      error: {
        code: this.code,
        message: localize(this.text, language, this.values),
        ...(fieldEntries.length > 0
          ? {
              fields: Object.fromEntries(
                fieldEntries.map(([name, problem]) => [
                  name,
                  { code: problem.code, message: localize(problem.text, language, problem.values) },
                ]),
              ),
            }
          : {}),
        ...this.details,
      },
    };
  }
}

interface ErrorDeclaration extends LocalizedText {
  readonly status: number;
}

type ErrorFactories<T extends Record<string, ErrorDeclaration>> = {
  readonly [K in keyof T]: (
    values?: Record<string, string | number>,
    details?: Record<string, unknown>,
  ) => AppError;
};

/** Declares a module's errors: the key, in snake_case, is the stable code clients see. */
export function defineErrors<T extends Record<string, ErrorDeclaration>>(declarations: T): ErrorFactories<T> {
  const factories: Record<
    string,
    (values?: Record<string, string | number>, details?: Record<string, unknown>) => AppError
  > = {};
  for (const [key, { status, ru, en }] of Object.entries(declarations)) {
    const code = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    factories[key] = (values, details) => new AppError(code, status, { ru, en }, values, {}, details);
  }
  return factories as unknown as ErrorFactories<T>;
}

export const VALIDATION_FAILED: LocalizedText = {
  ru: 'Проверьте поля формы: некоторые заполнены неверно.',
  en: 'Please check the form: some fields are not valid.',
};

export function validationError(fields: Record<string, FieldProblem>): AppError {
  return new AppError('validation_failed', 422, VALIDATION_FAILED, {}, fields);
}

export const commonErrors = defineErrors({
  notFound: { status: 404, ru: 'Не найдено.', en: 'Not found.' },
  unauthenticated: { status: 401, ru: 'Войдите в кабинет.', en: 'Please sign in.' },
  forbidden: {
    status: 403,
    ru: 'Недостаточно прав для этого действия.',
    en: 'You are not allowed to do this.',
  },
  csrfFailed: {
    status: 403,
    ru: 'Сессия устарела: обновите страницу и повторите.',
    en: 'Your session token is stale: reload the page and try again.',
  },
  tooManyRequests: {
    status: 429,
    ru: 'Слишком много попыток. Повторите через {seconds} с.',
    en: 'Too many attempts. Try again in {seconds} s.',
  },
  badRequest: { status: 400, ru: 'Неверный запрос: {problem}', en: 'Bad request: {problem}' },
  routeNotFound: {
    status: 404,
    ru: 'Такого адреса нет: проверьте путь и метод запроса.',
    en: 'There is no such address: check the request path and method.',
  },
  invalidJson: {
    status: 400,
    ru: 'Тело запроса не разобрано: ожидался корректный JSON.',
    en: 'The request body could not be read: valid JSON was expected.',
  },
  unsupportedMediaType: {
    status: 415,
    ru: 'Этот тип содержимого (Content-Type) здесь не принимается.',
    en: 'This content type (Content-Type) is not accepted here.',
  },
  payloadTooLarge: {
    status: 413,
    ru: 'Тело запроса слишком большое.',
    en: 'The request body is too large.',
  },
  invalidContentLength: {
    status: 400,
    ru: 'Длина тела запроса не совпадает с заголовком Content-Length.',
    en: 'The request body does not match its Content-Length header.',
  },
  invalidUrl: {
    status: 400,
    ru: 'Адрес запроса закодирован неверно (проверьте %-последовательности).',
    en: 'The request address is not encoded correctly (check its %-sequences).',
  },
  internal: {
    status: 500,
    ru: 'Внутренняя ошибка. Мы уже знаем о ней; повторите позже.',
    en: 'Internal error. It has been logged; please try again later.',
  },
});
