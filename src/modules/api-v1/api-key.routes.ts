/** The cabinet's API keys of a shop (under /api/cabinet): create (the secret shown once), list, revoke. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key.service.js';

const ShopParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const KeyParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  keyId: Type.String({ minLength: 1, maxLength: 64 }),
});
const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) },
  { additionalProperties: false },
);

export function registerApiKeyRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.post(
    '/shops/:id/api-keys',
    {
      preHandler: requirePermission('api_keys.manage'),
      schema: { params: ShopParams, body: CreateBody },
    },
    async (request, reply) => {
      const actor = requireMerchantActor(request);
      const { id } = request.params as typeof ShopParams.static;
      const { name } = request.body as typeof CreateBody.static;
      const created = await createApiKey(deps, actor, id, name, request.ip);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/shops/:id/api-keys',
    { preHandler: requirePermission('api_keys.manage'), schema: { params: ShopParams } },
    async (request) => {
      const { id } = request.params as typeof ShopParams.static;
      return { items: await listApiKeys(deps, requireMerchantActor(request).accountId, id) };
    },
  );

  app.delete(
    '/shops/:id/api-keys/:keyId',
    { preHandler: requirePermission('api_keys.manage'), schema: { params: KeyParams } },
    async (request) => {
      const { id, keyId } = request.params as typeof KeyParams.static;
      return revokeApiKey(deps, requireMerchantActor(request), id, keyId, request.ip);
    },
  );
}
