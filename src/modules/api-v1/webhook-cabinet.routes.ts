/**
 * The cabinet's webhooks of a shop (under /api/cabinet, permission api_keys.manage, like API keys):
 * endpoints, the secret shown at creation and rotation or revealed again after the user re-enters their
 * own password (audited), and deliveries with "send again".
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { confirmOwnPassword, createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  DEFAULT_DELIVERIES_PAGE_SIZE,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  resendWebhookDelivery,
  revealWebhookSecret,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookActor,
  type WebhookScope,
} from '../webhooks/index.js';
import {
  CreateWebhookEndpointBody,
  UpdateWebhookEndpointBody,
  WebhookDeliveriesQuery,
} from './webhook.schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const ShopParams = Type.Object({ id: Id });
const EndpointParams = Type.Object({ id: Id, endpointId: Id });
const DeliveryParams = Type.Object({ id: Id, deliveryId: Id });
const PasswordBody = Type.Object(
  { password: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);

/** The signed-in user's account and the shop named in the path (checked by the service). */
function scopeOf(request: FastifyRequest): WebhookScope {
  return {
    accountId: requireMerchantActor(request).accountId,
    shopId: (request.params as { id: string }).id,
  };
}

function actorOf(request: FastifyRequest): WebhookActor {
  return { userId: requireMerchantActor(request).userId, ip: request.ip };
}

export function registerWebhookCabinetRoutes(app: FastifyInstance, deps: Deps): void {
  const preHandler = createAuthGuard(deps)('api_keys.manage');
  const base = '/shops/:id/webhook-endpoints';

  app.get(base, { preHandler, schema: { params: ShopParams } }, async (request) => ({
    items: await listWebhookEndpoints(deps, scopeOf(request)),
  }));

  app.post(
    base,
    { preHandler, schema: { params: ShopParams, body: CreateWebhookEndpointBody } },
    async (request, reply) => {
      const body = request.body as typeof CreateWebhookEndpointBody.static;
      const created = await createWebhookEndpoint(deps, scopeOf(request), body, actorOf(request));
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.patch(
    `${base}/:endpointId`,
    { preHandler, schema: { params: EndpointParams, body: UpdateWebhookEndpointBody } },
    async (request) => {
      const { endpointId } = request.params as typeof EndpointParams.static;
      const changes = request.body as typeof UpdateWebhookEndpointBody.static;
      return updateWebhookEndpoint(deps, scopeOf(request), endpointId, changes, actorOf(request));
    },
  );

  app.delete(
    `${base}/:endpointId`,
    { preHandler, schema: { params: EndpointParams } },
    async (request, reply) => {
      const { endpointId } = request.params as typeof EndpointParams.static;
      await deleteWebhookEndpoint(deps, scopeOf(request), endpointId, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    `${base}/:endpointId/rotate-secret`,
    { preHandler, schema: { params: EndpointParams } },
    async (request, reply) => {
      const { endpointId } = request.params as typeof EndpointParams.static;
      const rotated = await rotateWebhookSecret(deps, scopeOf(request), endpointId, actorOf(request));
      return reply.header('cache-control', 'no-store').send(rotated);
    },
  );

  app.post(
    `${base}/:endpointId/reveal-secret`,
    { preHandler, schema: { params: EndpointParams, body: PasswordBody } },
    async (request, reply) => {
      const { endpointId } = request.params as typeof EndpointParams.static;
      const scope = scopeOf(request);
      // The endpoint must be the caller's before the password is even checked: another's id is 404.
      await getWebhookEndpoint(deps, scope, endpointId);
      const { password } = request.body as typeof PasswordBody.static;
      await confirmOwnPassword(deps, requireMerchantActor(request).userId, password);
      const revealed = await revealWebhookSecret(deps, scope, endpointId, actorOf(request));
      return reply.header('cache-control', 'no-store').send(revealed);
    },
  );

  app.get(
    `${base}/:endpointId/deliveries`,
    { preHandler, schema: { params: EndpointParams, querystring: WebhookDeliveriesQuery } },
    async (request) => {
      const { endpointId } = request.params as typeof EndpointParams.static;
      const { limit } = request.query as typeof WebhookDeliveriesQuery.static;
      const pageSize = limit === undefined ? DEFAULT_DELIVERIES_PAGE_SIZE : Number(limit);
      return { items: await listWebhookDeliveries(deps, scopeOf(request), endpointId, pageSize) };
    },
  );

  app.post(
    '/shops/:id/webhook-deliveries/:deliveryId/resend',
    { preHandler, schema: { params: DeliveryParams } },
    async (request) => {
      const { deliveryId } = request.params as typeof DeliveryParams.static;
      return resendWebhookDelivery(deps, scopeOf(request), deliveryId);
    },
  );
}
