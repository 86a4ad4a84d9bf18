/**
 * The one way the SPA talks to the server: JSON over same-origin fetch, CSRF header on every non-GET
 * request, and errors turned into ApiError carrying the server's already localised message.
 */
import { currentLanguage, readCookie } from './i18n';

const CSRF_COOKIE = 'kopek_csrf';

export interface FieldProblem {
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, FieldProblem>> = {},
    // Anything else the server put into the error object, such as retryAt for a locked user.
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const fallbackMessages = {
  network: {
    ru: 'Не удалось связаться с сервером. Проверьте подключение и попробуйте ещё раз.',
    en: 'Could not reach the server. Check your connection and try again.',
  },
  unexpected: {
    ru: 'Что-то пошло не так на сервере. Попробуйте ещё раз чуть позже.',
    en: 'Something went wrong on the server. Please try again a little later.',
  },
} as const;

type UnauthenticatedListener = () => void;
const unauthenticatedListeners = new Set<UnauthenticatedListener>();

/** Lets the session layer learn that a session expired while the user was working. */
export function onUnauthenticated(listener: UnauthenticatedListener): () => void {
  unauthenticatedListeners.add(listener);
  return () => {
    unauthenticatedListeners.delete(listener);
  };
}

async function csrfToken(): Promise<string> {
  // Read fresh every time: the server rotates the cookie at sign-in.
  const fromCookie = readCookie(CSRF_COOKIE);
  if (fromCookie) return fromCookie;
  const answer = await send<{ csrfToken: string }>('GET', '/api/cabinet/csrf');
  return readCookie(CSRF_COOKIE) ?? answer.csrfToken;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toApiError(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') {
    return new ApiError(status, 'unexpected', fallbackMessages.unexpected[currentLanguage()]);
  }
  const { code, message, fields, ...extra } = error;
  const problems: Record<string, FieldProblem> = {};
  if (isRecord(fields)) {
    for (const [name, problem] of Object.entries(fields)) {
      if (isRecord(problem) && typeof problem.message === 'string') {
        problems[name] = { code: String(problem.code ?? ''), message: problem.message };
      }
    }
  }
  return new ApiError(status, code, message, problems, extra);
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = await csrfToken();

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', fallbackMessages.network[currentLanguage()]);
  }

  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (response.status >= 400) {
    const error = toApiError(response.status, parsed);
    if (error.code === 'unauthenticated') unauthenticatedListeners.forEach((listener) => listener());
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => send<T>('GET', path),
  post: <T>(path: string, body?: unknown) => send<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => send<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => send<T>('PUT', path, body),
  delete: <T>(path: string) => send<T>('DELETE', path),
};

/** Field messages keyed by field name, for forms to show next to their inputs. */
export function fieldMessages(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(Object.entries(error.fields).map(([name, problem]) => [name, problem.message]));
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return fallbackMessages.unexpected[currentLanguage()];
}
