/**
 * The JSON API v1's holds, payouts, ledger entries and payment links, each in its own file, registered
 * together on the /api/v1 context (after authentication and Idempotency-Key are installed there).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import type { ApiClient } from './api-key.service.js';
import { registerHoldApiRoutes } from './api-v1.holds.routes.js';
import { registerLedgerApiRoutes } from './api-v1.ledger.routes.js';
import { registerPaymentLinkApiRoutes } from './api-v1.payment-links.routes.js';
import { registerPayoutApiRoutes } from './api-v1.payouts.routes.js';

export function registerResourceApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  registerHoldApiRoutes(app, deps, clientOf);
  registerPayoutApiRoutes(app, deps, clientOf);
  registerLedgerApiRoutes(app, deps, clientOf);
  registerPaymentLinkApiRoutes(app, deps, clientOf);
}
