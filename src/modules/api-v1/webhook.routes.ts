/**
 * Webhook endpoints and their deliveries in the JSON API v1 (under /api/v1, in the key's shop). The
 * secret is answered at creation and rotation only; the cabinet can reveal it again.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  DEFAULT_DELIVERIES_PAGE_SIZE,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  resendWebhookDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookActor,
  type WebhookScope,
} from '../webhooks/index.js';
import type { ApiClient } from './api-key.service.js';
import { commonErrorResponses, IdempotencyHeaders, postErrorResponses } from './api-v1.schemas.js';
import {
  CreateWebhookEndpointBody,
  IdParams,
  UpdateWebhookEndpointBody,
  WebhookDeliveriesQuery,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from './webhook.schemas.js';

const SECURITY = [{ apiKey: [] }];
const TAGS = ['webhooks'];

function scopeOf(client: ApiClient): WebhookScope {
  return { accountId: client.accountId, shopId: client.shopId };
}

function actorOf(client: ApiClient, request: FastifyRequest): WebhookActor {
  return { userId: null, apiKeyId: client.keyId, ip: request.ip };
}

/** Registers the routes on the /api/v1 context; `clientOf` is the authenticated key's client. */
export function registerWebhookApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  app.get(
    '/webhook-endpoints',
    {
      schema: {
        tags: TAGS,
        summary: "The shop's webhook endpoints",
        security: SECURITY,
        response: { 200: WebhookEndpointList, ...commonErrorResponses },
      },
    },
    async (request) => ({ items: await listWebhookEndpoints(deps, scopeOf(clientOf(request))) }),
  );

  app.post(
    '/webhook-endpoints',
    {
      // The answer carries the secret: the idempotency record keeps it sealed.
      config: { isAnswerSecret: true },
      schema: {
        tags: TAGS,
        summary: 'Add a webhook endpoint; the answer carries its signing secret',
        description: 'Requires an Idempotency-Key header. At most 16 endpoints per shop.',
        security: SECURITY,
        headers: IdempotencyHeaders,
        body: CreateWebhookEndpointBody,
        response: { 201: WebhookEndpointWithSecret, ...postErrorResponses },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const body = request.body as typeof CreateWebhookEndpointBody.static;
      const created = await createWebhookEndpoint(deps, scopeOf(client), body, actorOf(client, request));
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One webhook endpoint',
        security: SECURITY,
        params: IdParams,
        response: { 200: WebhookEndpoint, ...commonErrorResponses },
      },
    },
    async (request) =>
      getWebhookEndpoint(deps, scopeOf(clientOf(request)), (request.params as typeof IdParams.static).id),
  );

  app.patch(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags: TAGS,
        summary: "Change an endpoint's URL, events, description or switch it on and off",
        security: SECURITY,
        params: IdParams,
        body: UpdateWebhookEndpointBody,
        response: { 200: WebhookEndpoint, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const { id } = request.params as typeof IdParams.static;
      const changes = request.body as typeof UpdateWebhookEndpointBody.static;
      return updateWebhookEndpoint(deps, scopeOf(client), id, changes, actorOf(client, request));
    },
  );

  app.delete(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an endpoint; its pending deliveries stop',
        security: SECURITY,
        params: IdParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const { id } = request.params as typeof IdParams.static;
      await deleteWebhookEndpoint(deps, scopeOf(client), id, actorOf(client, request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/webhook-endpoints/:id/rotate-secret',
    {
      config: { isAnswerSecret: true },
      schema: {
        tags: TAGS,
        summary: 'Replace the signing secret; the previous one also signs for 24 hours',
        description: 'Requires an Idempotency-Key header.',
        security: SECURITY,
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: WebhookEndpointWithSecret, ...postErrorResponses },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const { id } = request.params as typeof IdParams.static;
      const rotated = await rotateWebhookSecret(deps, scopeOf(client), id, actorOf(client, request));
      return reply.header('cache-control', 'no-store').send(rotated);
    },
  );

  app.get(
    '/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags: TAGS,
        summary: "An endpoint's newest deliveries with their attempts",
        security: SECURITY,
        params: IdParams,
        querystring: WebhookDeliveriesQuery,
        response: { 200: WebhookDeliveryList, ...commonErrorResponses },
      },
    },
    async (request) => {
      const { id } = request.params as typeof IdParams.static;
      const { limit } = request.query as typeof WebhookDeliveriesQuery.static;
      const pageSize = limit === undefined ? DEFAULT_DELIVERIES_PAGE_SIZE : Number(limit);
      return { items: await listWebhookDeliveries(deps, scopeOf(clientOf(request)), id, pageSize) };
    },
  );

  app.post(
    '/webhook-deliveries/:id/resend',
    {
      schema: {
        tags: TAGS,
        summary: 'Send a delivery again now (same event id and body, a fresh signature)',
        description: 'Requires an Idempotency-Key header.',
        security: SECURITY,
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: WebhookDelivery, ...postErrorResponses },
      },
    },
    async (request) =>
      resendWebhookDelivery(deps, scopeOf(clientOf(request)), (request.params as typeof IdParams.static).id),
  );
}
