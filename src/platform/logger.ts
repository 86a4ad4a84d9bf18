/**
 * Structured logs (pino). Redaction removes secrets, card data and personal data wherever they appear
 * in a logged object, so a careless `log.info({ body })` cannot leak them.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

export type { Logger };

const SENSITIVE_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'password1',
  'password2',
  'password3',
  'testPassword1',
  'testPassword2',
  'token',
  'totpCode',
  'recoveryCode',
  'secret',
  'cardNumber',
  'pan',
  'cvc',
  'cvv',
  'SignatureValue',
  'cookie',
  'authorization',
  'x-csrf-token',
];

export const REDACT_PATHS = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((key) => `*.${key}`),
  ...SENSITIVE_KEYS.map((key) => `*.*.${key}`),
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

/** Tokens travel in some paths (e-mailed links): they are masked before a URL is logged. */
export function maskUrlSecrets(url: string): string {
  // A safe deal's link (/deal/<secret>) lets its holder release the deal's money.
  return url.replace(/\/(links|email-links|unsubscribe|deal)\/[^/?#]+/g, '/$1/[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

const serializers = {
  req: (request: LoggedRequest) => ({
    id: request.id,
    method: request.method,
    url: maskUrlSecrets(request.url ?? ''),
    ip: request.ip,
  }),
  res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
  err: pino.stdSerializers.err,
};

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = { level, serializers, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
