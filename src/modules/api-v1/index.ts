/**
 * JSON API v1 for merchants' code: per-shop API keys (created, listed and revoked in the cabinet; stored
 * as SHA-256 hashes, the secret shown once), `/api/v1` authenticated by `Authorization: Bearer <key>`,
 * Idempotency-Key on every POST, and the OpenAPI document generated from the route schemas.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { registerApiDocsRoutes } from './api-docs.js';
import { registerApiV1Routes } from './api-v1.routes.js';

export { registerApiKeyRoutes } from './api-key.routes.js';
export { API_KEY_PREFIX, type ApiClient, type ApiKeyView, type NewApiKey } from './api-key.service.js';

/**
 * Registers the OpenAPI generator, the /api/v1 context, /api/openapi.json and /api/docs. Routes
 * registered before this call are not seen by the generator; only tagged (v1) routes are documented.
 */
export async function registerApiV1(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Kopek API',
        version: '1',
        description:
          "JSON API for the shop's own code. Authenticate with `Authorization: Bearer <API key>` (create keys " +
          'in the cabinet, shop → API keys). Every POST needs an `Idempotency-Key` header. Errors are ' +
          '`{ "error": { "code", "message", "fields"? } }`.',
      },
      servers: [{ url: deps.config.publicUrl }],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'kpk_live_…' } },
      },
      tags: [
        { name: 'payments', description: "The shop's payments and their refunds" },
        { name: 'balance', description: 'What the platform owes the shop' },
      ],
    },
    hideUntagged: true,
  });
  await app.register(async (v1) => registerApiV1Routes(v1, deps), { prefix: '/api/v1' });
  registerApiDocsRoutes(app, () => app.swagger());
}
