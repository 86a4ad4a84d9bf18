/**
 * Safe deals in the JSON API v1 (under /api/v1, in the API key's shop). Registered by api-v1 on its
 * context, so the key's authentication, its rate limit and Idempotency-Key on every POST apply as to
 * any v1 route. The buyer's link is never answered: Kopek mails it to the buyer (see deal.service.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import {
  commonErrorResponses,
  IdempotencyHeaders,
  postErrorResponses,
  type ApiClient,
} from '../api-v1/index.js';
import { createScopedDeal, getDeal, listDeals, MAX_DEAL_PAGE_SIZE } from './deal.queries.js';
import { cancelDeal } from './deal.service.js';
import { DEAL_STATUSES } from './deal.tables.js';

const SECURITY = [{ apiKey: [] }];
const TAGS = ['deals'];
const nullableString = Type.Union([Type.String(), Type.Null()]);
const StatusSchema = Type.Union(DEAL_STATUSES.map((status) => Type.Literal(status)));

const Deal = Type.Object({
  id: Type.String(),
  shopId: Type.String(),
  shopName: Type.String(),
  status: StatusSchema,
  amount: Type.String({ description: "Decimal in the currency's scale, e.g. 1490.00." }),
  currency: Type.String(),
  description: Type.String(),
  buyerEmail: Type.String(),
  language: Type.String(),
  deadlineDays: Type.Integer({ description: 'Days from payment to the automatic release.' }),
  isTest: Type.Boolean(),
  source: Type.String(),
  paymentId: nullableString,
  paidAt: nullableString,
  releaseAt: Type.Union([Type.String(), Type.Null()], {
    description: 'When the deadline releases the money.',
  }),
  disputedAt: nullableString,
  disputeText: nullableString,
  resolution: Type.Union([Type.String(), Type.Null()], {
    description: 'buyer_confirmed, deadline, cancelled_by_merchant, decided_for_seller or decided_for_buyer.',
  }),
  resolutionNote: nullableString,
  resolvedAt: nullableString,
  createdAt: Type.String(),
});
const DealList = Type.Object({
  items: Type.Array(Deal),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
const DealListQuery = Type.Object({
  status: Type.Optional(StatusSchema),
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  limit: Type.Optional(
    Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: `At most ${MAX_DEAL_PAGE_SIZE}.` }),
  ),
});
const DealParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const CreateDealBody = Type.Object(
  {
    amount: Type.String({ maxLength: 32, description: 'Roubles, e.g. "1490" or "1490.50".' }),
    description: Type.String({ maxLength: 1000, description: 'What is sold, 1 to 250 characters.' }),
    buyerEmail: Type.String({ maxLength: 320, description: 'Kopek mails the buyer the deal’s link.' }),
    deadlineDays: Type.Optional(
      Type.Integer({
        description:
          'Days from payment to the automatic release, 1 to 180; by default the installation’s (14 unless set otherwise).',
      }),
    ),
    language: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')])),
    isTest: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Registers the routes on the /api/v1 context; `clientOf` is the authenticated key's client. */
export function registerDealApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  const scopeOf = (request: FastifyRequest) => {
    const client = clientOf(request);
    return { accountId: client.accountId, shopId: client.shopId };
  };

  app.get(
    '/deals',
    {
      schema: {
        tags: TAGS,
        summary: "The shop's safe deals, newest first",
        security: SECURITY,
        querystring: DealListQuery,
        response: { 200: DealList, ...commonErrorResponses },
      },
    },
    async (request) => {
      const query = request.query as typeof DealListQuery.static;
      return listDeals(deps, scopeOf(request), {
        status: query.status,
        page: Number(query.page ?? '1'),
        ...(query.limit === undefined ? {} : { pageSize: Number(query.limit) }),
      });
    },
  );

  app.post(
    '/deals',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a safe deal; Kopek mails its link to the buyer',
        description:
          'Requires an Idempotency-Key header. The buyer pays by card on the link; the money waits in escrow ' +
          'until the buyer confirms receipt, the deadline passes, or an operator decides a dispute.',
        security: SECURITY,
        headers: IdempotencyHeaders,
        body: CreateDealBody,
        response: { 201: Deal, ...postErrorResponses },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const body = request.body as typeof CreateDealBody.static;
      const deal = await createScopedDeal(
        deps,
        { accountId: client.accountId, userId: null, apiKeyId: client.keyId, ip: request.ip, source: 'api' },
        scopeOf(request),
        { ...body, shopId: client.shopId },
      );
      return reply.code(201).send(deal);
    },
  );

  app.get(
    '/deals/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One safe deal of the shop',
        security: SECURITY,
        params: DealParams,
        response: { 200: Deal, ...commonErrorResponses },
      },
    },
    async (request) => getDeal(deps, scopeOf(request), (request.params as typeof DealParams.static).id),
  );

  app.post(
    '/deals/:id/cancel',
    {
      schema: {
        tags: TAGS,
        summary: 'Cancel a deal: unpaid, it ends; paid or disputed, the buyer gets the money back',
        description: 'Requires an Idempotency-Key header. A released deal cannot be cancelled (409).',
        security: SECURITY,
        headers: IdempotencyHeaders,
        params: DealParams,
        response: { 200: Deal, ...postErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const { id } = request.params as typeof DealParams.static;
      const scope = scopeOf(request);
      // The key's shop only: a deal of another shop of the same account is "not found".
      await getDeal(deps, scope, id);
      await cancelDeal(
        deps,
        { accountId: client.accountId, userId: null, apiKeyId: client.keyId, ip: request.ip },
        id,
      );
      return getDeal(deps, scope, id);
    },
  );
}
