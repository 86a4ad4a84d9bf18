/** The operator's staff list in the back-office API (under /api/backoffice): administrators only. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireSessionUser } from './auth.js';
import type { RequestMeta } from './session.service.js';
import { inviteStaff, listStaff, updateStaff } from './staff.service.js';

const text = (maxLength: number) => Type.String({ maxLength });
const InviteBody = Type.Object({ login: text(64), email: text(254), role: text(32) });
const UpdateBody = Type.Object({ role: Type.Optional(text(32)), status: Type.Optional(text(32)) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const metaOf = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
});

export function registerStaffRoutes(app: FastifyInstance, deps: Deps): void {
  const administrators = { preHandler: createAuthGuard(deps)('backoffice.staff') };
  app.get('/staff', administrators, async () => ({ items: await listStaff(deps) }));
  app.post('/staff', { ...administrators, schema: { body: InviteBody } }, async (request, reply) => {
    const member = await inviteStaff(
      deps,
      requireSessionUser(request).userId,
      request.body as typeof InviteBody.static,
      metaOf(request),
    );
    return reply.code(201).send(member);
  });
  app.patch(
    '/staff/:id',
    { ...administrators, schema: { params: IdParams, body: UpdateBody } },
    async (request) =>
      updateStaff(
        deps,
        requireSessionUser(request).userId,
        (request.params as typeof IdParams.static).id,
        request.body as typeof UpdateBody.static,
        metaOf(request),
      ),
  );
}
