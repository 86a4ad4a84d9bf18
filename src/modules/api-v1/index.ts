/**
 * JSON API v1 for merchants' code: per-shop API keys (created, listed and revoked in the cabinet; stored
 * as SHA-256 hashes, the secret shown once), `/api/v1` authenticated by `Authorization: Bearer <key>`
 * and limited per key, Idempotency-Key on every POST (answers kept 24 hours), the HTTP surfaces of the
 * webhooks module (API and cabinet), and the OpenAPI document generated from the route schemas.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { registerApiDocsRoutes } from './api-docs.js';
import { registerApiV1Routes } from './api-v1.routes.js';

export { registerApiKeyRoutes } from './api-key.routes.js';
export { API_KEY_PREFIX, type ApiClient, type ApiKeyView, type NewApiKey } from './api-key.service.js';
export { API_KEY_RATE_LIMIT } from './api-v1.routes.js';
export { commonErrorResponses, IdempotencyHeaders, postErrorResponses } from './api-v1.schemas.js';
export { deleteStaleIdempotencyRecords, IDEMPOTENCY_RETENTION_MS } from './idempotency.js';
export { registerWebhookCabinetRoutes } from './webhook-cabinet.routes.js';

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
          'in the cabinet, page «API и вебхуки» / API and webhooks). Every POST needs an `Idempotency-Key` header; answers are ' +
          'remembered for 24 hours. Each key may make 200 requests per 10 seconds; more are answered 429 ' +
          '`rate_limited` with `Retry-After`. Errors are `{ "error": { "code", "message", "fields"? } }`. ' +
          'Webhooks are POSTed as JSON with `Kopek-Event-Id` and `Kopek-Signature: t=<unix>,v1=<hex>`, where ' +
          'the hex is HMAC-SHA256 of "<t>.<body>" keyed with the endpoint\'s secret; reject timestamps ' +
          'more than 5 minutes old. Any 2xx acknowledges; otherwise Kopek retries (1, 5, 15 min, 1, 3, 6, ' +
          '12, 24 h, then daily) for up to 72 hours.',
      },
      servers: [{ url: deps.config.publicUrl }],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'kpk_live_…' } },
      },
      tags: [
        { name: 'payments', description: "The shop's payments and their refunds" },
        {
          name: 'holds',
          description: 'Two-stage payments (StepByStep): capture or cancel the reserved amount',
        },
        { name: 'balance', description: 'What the platform owes the shop' },
        { name: 'ledger', description: "Entries of the shop's ledger accounts, with the balance after each" },
        {
          name: 'payouts',
          description: "Payouts of the shop's available money to the account's bank details",
        },
        {
          name: 'payment-links',
          description: 'Payment links: one-time or reusable pages that take payments',
        },
        { name: 'webhooks', description: "Endpoints that receive the shop's events, and their deliveries" },
        {
          name: 'deals',
          description: 'Safe deals: the buyer’s money waits in escrow until receipt is confirmed',
        },
      ],
    },
    hideUntagged: true,
  });
  await app.register(async (v1) => registerApiV1Routes(v1, deps), { prefix: '/api/v1' });
  registerApiDocsRoutes(app, () => app.swagger());
}
