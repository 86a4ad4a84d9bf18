/** Broadcasts in the back-office API (operators only): send one, list what was sent. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireSessionUser } from '../accounts/index.js';
import { BROADCAST_CATEGORIES, createBroadcast, listBroadcasts } from './broadcast.service.js';

const Localized = (maxLength: number) =>
  Type.Object({ ru: Type.String({ maxLength }), en: Type.String({ maxLength }) });

const BroadcastBody = Type.Object({
  category: Type.Union(BROADCAST_CATEGORIES.map((category) => Type.Literal(category))),
  title: Localized(400),
  body: Localized(20_000),
  accounts: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 2_000 })),
});

export function registerBroadcastRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.broadcasts') };
  app.get('/broadcasts', operatorOnly, async () => ({ items: await listBroadcasts(deps.db) }));
  app.post('/broadcasts', { ...operatorOnly, schema: { body: BroadcastBody } }, async (request, reply) => {
    const view = await createBroadcast(
      deps,
      { userId: requireSessionUser(request).userId, ip: request.ip },
      request.body as typeof BroadcastBody.static,
    );
    return reply.code(202).send(view);
  });
}
