/**
 * Request authentication for the cabinet and back-office APIs: the session cookie resolves to a user,
 * and a route declares the permission it needs. Handlers then read `requireActor(request)`.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Deps } from '../../deps.js';
import { issueCsrfToken } from '../../platform/http/csrf.js';
import { commonErrors } from '../../platform/http/errors.js';
import { hasPermission, type Permission } from './permissions.js';
import { findSessionUser, SESSION_MAX_AGE_MS, type NewSession, type SessionUser } from './session.service.js';

export const SESSION_COOKIE = 'kopek_session';

declare module 'fastify' {
  interface FastifyRequest {
    sessionUser?: SessionUser;
  }
}

/** A merchant's person acting inside their own account: what every cabinet query is scoped by. */
export interface MerchantActor {
  readonly userId: string;
  readonly accountId: string;
  readonly role: SessionUser['role'];
}

export function createAuthGuard(deps: Pick<Deps, 'db' | 'clock'>) {
  return function requirePermission(permission?: Permission): preHandlerAsyncHookHandler {
    return async (request: FastifyRequest) => {
      const token = request.cookies[SESSION_COOKIE];
      const user = token ? await findSessionUser(deps, token) : undefined;
      if (!user) throw commonErrors.unauthenticated();
      if (permission && !hasPermission(user.role, permission, user.staffRole)) throw commonErrors.forbidden();
      request.sessionUser = user;
    };
  };
}

export function requireSessionUser(request: FastifyRequest): SessionUser {
  if (!request.sessionUser) throw commonErrors.unauthenticated();
  return request.sessionUser;
}

export function requireMerchantActor(request: FastifyRequest): MerchantActor {
  const user = requireSessionUser(request);
  if (user.accountId === null) throw commonErrors.forbidden();
  return { userId: user.userId, accountId: user.accountId, role: user.role };
}

export function setSessionCookie(reply: FastifyReply, session: NewSession, isSecure: boolean): void {
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecure,
    maxAge: SESSION_MAX_AGE_MS / 1000,
  });
  // A new session gets a new CSRF token, so a token planted before sign-in is worthless after it.
  issueCsrfToken(reply, isSecure);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
