/**
 * CSRF protection by double submit: a random token lives in the readable cookie `kopek_csrf`, and every
 * state-changing request must repeat it in the `X-CSRF-Token` header. A foreign site can neither read the
 * cookie nor send a custom header cross-origin without a CORS preflight we never grant. The session
 * cookie is SameSite=Lax as a second wall. The token is rotated at sign-in.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, createSecretToken } from '../crypto.js';
import { commonErrors } from './errors.js';

export const CSRF_COOKIE = 'kopek_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function issueCsrfToken(reply: FastifyReply, isSecure: boolean): string {
  const token = createSecretToken(24);
  reply.setCookie(CSRF_COOKIE, token, { path: '/', sameSite: 'lax', secure: isSecure, httpOnly: false });
  return token;
}

/** Returns the current token, setting a new cookie when the browser has none. */
export function ensureCsrfToken(request: FastifyRequest, reply: FastifyReply, isSecure: boolean): string {
  const existing = request.cookies[CSRF_COOKIE];
  return existing && existing.length >= 16 ? existing : issueCsrfToken(reply, isSecure);
}

export function verifyCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const cookie = request.cookies[CSRF_COOKIE];
  const header = request.headers[CSRF_HEADER];
  if (!cookie || typeof header !== 'string' || !constantTimeEqual(cookie, header)) {
    throw commonErrors.csrfFailed();
  }
}
