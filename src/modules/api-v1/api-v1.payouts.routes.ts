/**
 * Payouts in the JSON API v1, in the key's shop: the list, one payout, and an on-demand payout of the
 * shop's available money (all of it or an amount) to the account's bank details. They reuse the payouts
 * module, so the rules are the cabinet's: the minimum, the available balance read under the shop's money
 * lock, the ledger transfer and the send job in one transaction. The audit log names no user (the key).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import {
  createPayout,
  DEFAULT_PAYOUT_PAGE_SIZE,
  findPayout,
  listPayouts,
  toPayoutView,
} from '../payouts/index.js';
import type { ApiClient } from './api-key.service.js';
import { apiV1Errors } from './api-v1.errors.js';
import { IdParams, Payout, PayoutBody, PayoutList, PayoutListQuery } from './api-v1.resources.schemas.js';
import { commonErrorResponses, IdempotencyHeaders, postErrorResponses } from './api-v1.schemas.js';

const SECURITY = [{ apiKey: [] }];
const TAGS = ['payouts'];

export function registerPayoutApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  app.get(
    '/payouts',
    {
      schema: {
        tags: TAGS,
        summary: "The shop's payouts, newest first",
        security: SECURITY,
        querystring: PayoutListQuery,
        response: { 200: PayoutList, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const { limit } = request.query as typeof PayoutListQuery.static;
      return listPayouts(deps.db, client.accountId, {
        shopId: client.shopId,
        limit: limit === undefined ? DEFAULT_PAYOUT_PAGE_SIZE : Number(limit),
      });
    },
  );

  app.get(
    '/payouts/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One payout of the shop',
        security: SECURITY,
        params: IdParams,
        response: { 200: Payout, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const { id } = request.params as typeof IdParams.static;
      // Another account's payout is "not found" there; another shop's of the same account is here.
      const row = await findPayout(deps.db, client.accountId, id);
      if (row.shop_id !== client.shopId) throw apiV1Errors.payoutNotFound();
      return toPayoutView(row);
    },
  );

  app.post(
    '/payouts',
    {
      schema: {
        tags: TAGS,
        summary: "Pay out the shop's available money now",
        description:
          "Requires an Idempotency-Key header. Without `amount`, all the shop's available money. Refused " +
          '(409) without bank details, below the minimum or above the available balance.',
        security: SECURITY,
        headers: IdempotencyHeaders,
        body: PayoutBody,
        response: { 201: Payout, ...postErrorResponses },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const body = (request.body ?? {}) as typeof PayoutBody.static;
      const payout = await createPayout(deps, {
        accountId: client.accountId,
        userId: null,
        shopId: client.shopId,
        amount: body.amount,
        ip: request.ip,
      });
      return reply.code(201).send(payout);
    },
  );
}
