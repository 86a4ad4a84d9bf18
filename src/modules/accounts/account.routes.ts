/** HTTP routes of the accounts module, mounted under /api/cabinet. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { ensureCsrfToken } from '../../platform/http/csrf.js';
import { clientIp, requestLanguage, sendNoContent } from '../../platform/http/request.js';
import { listAccountAudit } from '../audit/index.js';
import {
  clearSessionCookie,
  createAuthGuard,
  requireMerchantActor,
  requireSessionUser,
  setSessionCookie,
} from './auth.js';
import {
  changePassword,
  completeEmailLink,
  describeEmailLink,
  disableTotp,
  enableTotp,
  requestPasswordReset,
  startTotpSetup,
} from './credentials.service.js';
import { inviteEmployee, listEmployees, updateEmployee } from './employee.service.js';
import { loadProfile, updateLanguage } from './profile.service.js';
import { registerAccount, resendConfirmation } from './registration.service.js';
import { signIn, signOut, signOutEverywhere, type RequestMeta } from './session.service.js';

const text = (maxLength = 320) => Type.String({ maxLength });

const RegistrationBody = Type.Object({
  country: text(8),
  currency: text(8),
  documentFlow: text(32),
  legalForm: text(32),
  accountLogin: text(64),
  adminLogin: text(64),
  email: text(),
  promoCode: Type.Optional(text(64)),
  requirementsAccepted: Type.Boolean(),
  language: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')])),
});

const SignInBody = Type.Object({
  email: Type.Optional(text()),
  accountLogin: Type.Optional(text(64)),
  userLogin: Type.Optional(text(64)),
  password: text(256),
  totpCode: Type.Optional(text(32)),
});

const EmailBody = Type.Object({ email: text() });
const PasswordBody = Type.Object({ password: text(256) });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: clientIp(request), userAgent: request.headers['user-agent'] };
}

export function registerAccountRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  const signedIn = { preHandler: requirePermission() };
  const isSecure = deps.config.isProduction;

  app.get('/csrf', async (request, reply) => ({ csrfToken: ensureCsrfToken(request, reply, isSecure) }));

  app.post('/registrations', { schema: { body: RegistrationBody } }, async (request, reply) => {
    const body = request.body as typeof RegistrationBody.static;
    const result = await registerAccount(
      deps,
      { ...body, language: body.language ?? requestLanguage(request) },
      clientIp(request),
    );
    return reply.code(201).send(result);
  });

  app.post('/registrations/resend', { schema: { body: EmailBody } }, async (request, reply) => {
    await resendConfirmation(deps, (request.body as typeof EmailBody.static).email, clientIp(request));
    return reply.code(202).send({ ok: true });
  });

  app.post('/password-resets', { schema: { body: EmailBody } }, async (request, reply) => {
    await requestPasswordReset(deps, (request.body as typeof EmailBody.static).email, clientIp(request));
    return reply.code(202).send({ ok: true });
  });

  app.get('/email-links/:token', { schema: { params: TokenParams } }, async (request) =>
    describeEmailLink(deps, (request.params as typeof TokenParams.static).token),
  );

  app.post(
    '/email-links/:token/complete',
    { schema: { params: TokenParams, body: PasswordBody } },
    async (request, reply) => {
      const { token } = request.params as typeof TokenParams.static;
      const session = await completeEmailLink(
        deps,
        token,
        (request.body as typeof PasswordBody.static).password,
        requestMeta(request),
      );
      setSessionCookie(reply, session, isSecure);
      return loadProfile(deps, session.userId);
    },
  );

  app.post('/sessions', { schema: { body: SignInBody } }, async (request, reply) => {
    const session = await signIn(deps, request.body as typeof SignInBody.static, requestMeta(request));
    setSessionCookie(reply, session, isSecure);
    return loadProfile(deps, session.userId);
  });

  app.get('/me', signedIn, async (request) => loadProfile(deps, requireSessionUser(request).userId));

  const ProfileBody = Type.Object({ language: Type.Union([Type.Literal('ru'), Type.Literal('en')]) });
  app.patch('/me', { ...signedIn, schema: { body: ProfileBody } }, async (request) => {
    const userId = requireSessionUser(request).userId;
    await updateLanguage(deps, userId, (request.body as typeof ProfileBody.static).language);
    return loadProfile(deps, userId);
  });

  app.delete('/sessions/current', signedIn, async (request, reply) => {
    await signOut(deps, requireSessionUser(request), requestMeta(request));
    clearSessionCookie(reply);
    return sendNoContent(reply);
  });

  app.post('/sessions/revoke-all', signedIn, async (request, reply) => {
    await signOutEverywhere(deps, requireSessionUser(request), requestMeta(request));
    clearSessionCookie(reply);
    return sendNoContent(reply);
  });

  const ChangePasswordBody = Type.Object({ currentPassword: text(256), newPassword: text(256) });
  app.post('/me/password', { ...signedIn, schema: { body: ChangePasswordBody } }, async (request, reply) => {
    const body = request.body as typeof ChangePasswordBody.static;
    const user = requireSessionUser(request);
    await changePassword(deps, user.userId, user.sessionIdHash, body, requestMeta(request));
    return sendNoContent(reply);
  });

  app.post('/me/totp/setup', signedIn, async (request) =>
    startTotpSetup(deps, requireSessionUser(request).userId),
  );

  const CodeBody = Type.Object({ code: text(32) });
  app.post('/me/totp/enable', { ...signedIn, schema: { body: CodeBody } }, async (request) => ({
    recoveryCodes: await enableTotp(
      deps,
      requireSessionUser(request).userId,
      (request.body as typeof CodeBody.static).code,
      requestMeta(request),
    ),
  }));

  app.post('/me/totp/disable', { ...signedIn, schema: { body: PasswordBody } }, async (request, reply) => {
    await disableTotp(
      deps,
      requireSessionUser(request).userId,
      (request.body as typeof PasswordBody.static).password,
      requestMeta(request),
    );
    return sendNoContent(reply);
  });

  const manageEmployees = { preHandler: requirePermission('employees.manage') };
  app.get('/employees', manageEmployees, async (request) => ({
    items: await listEmployees(deps, requireMerchantActor(request).accountId),
  }));

  const InviteBody = Type.Object({ login: text(64), email: text(), role: text(32) });
  app.post('/employees', { ...manageEmployees, schema: { body: InviteBody } }, async (request, reply) => {
    const employee = await inviteEmployee(
      deps,
      requireMerchantActor(request),
      request.body as typeof InviteBody.static,
      requestMeta(request),
    );
    return reply.code(201).send(employee);
  });

  const UpdateEmployeeBody = Type.Object({ role: Type.Optional(text(32)), status: Type.Optional(text(32)) });
  app.patch(
    '/employees/:id',
    { ...manageEmployees, schema: { params: IdParams, body: UpdateEmployeeBody } },
    async (request) =>
      updateEmployee(
        deps,
        requireMerchantActor(request),
        (request.params as typeof IdParams.static).id,
        request.body as typeof UpdateEmployeeBody.static,
        requestMeta(request),
      ),
  );

  const AuditQuery = Type.Object({ before: Type.Optional(Type.String({ pattern: '^\\d{1,18}$' })) });
  app.get(
    '/audit',
    { preHandler: requirePermission('audit.read'), schema: { querystring: AuditQuery } },
    async (request) => {
      const { before } = request.query as typeof AuditQuery.static;
      return {
        items: await listAccountAudit(deps.db, requireMerchantActor(request).accountId, {
          limit: 100,
          ...(before ? { beforeId: BigInt(before) } : {}),
        }),
      };
    },
  );
}
