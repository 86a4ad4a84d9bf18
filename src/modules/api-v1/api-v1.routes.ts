/**
 * The JSON API v1 for merchants' code (under /api/v1): `Authorization: Bearer <API key>` selects the
 * shop, no cookies and no CSRF; every POST needs an Idempotency-Key (idempotency.ts). A payment of
 * another shop, even of the same account, is "not found".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { AppError, validationError } from '../../platform/http/errors.js';
import {
  credentialFailureLimiter,
  tooManyCredentialFailures,
} from '../../platform/http/credential-failures.js';
import { consumeRateLimit, type RateLimitRule } from '../../platform/http/rate-limit.js';
import { formatMinor, parseDecimalToMinor, type Currency } from '../../platform/money.js';
import { registerDealApiRoutes } from '../deals/index.js';
import { readShopBalances } from '../ledger/index.js';
// The payments module does not export its cabinet queries through index.ts yet; they are reused as they are.
import { decodeOperationCursor, getOperation, listOperations } from '../payments/index.js';
import { refundPayment } from '../refunds/index.js';
import { authenticateApiKey, type ApiClient } from './api-key.service.js';
import { apiV1Errors } from './api-v1.errors.js';
import { registerResourceApiRoutes } from './api-v1.resources.routes.js';
import {
  Balance,
  commonErrorResponses,
  IdempotencyHeaders,
  PaymentDetail,
  PaymentList,
  PaymentListQuery,
  PaymentParams,
  postErrorResponses,
  Refund,
  RefundBody,
} from './api-v1.schemas.js';
import { installIdempotency } from './idempotency.js';
import { registerWebhookApiRoutes } from './webhook.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiClient?: ApiClient;
  }
}

const SECURITY = [{ apiKey: [] }];
const DEFAULT_PAGE_SIZE = 50;
/**
 * Requests per API key: 200 in each 10-second window (20 a second on average), counted in PostgreSQL so
 * every node shares the count. Each key has its own counter row, so one busy key slows only itself.
 */
export const API_KEY_RATE_LIMIT: RateLimitRule = { name: 'api_v1_key', limit: 200, windowMs: 10_000 };

function requireClient(request: FastifyRequest): ApiClient {
  if (!request.apiClient) throw apiV1Errors.invalidApiKey();
  return request.apiClient;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The payment, if it belongs to the key's shop; otherwise "not found". */
async function findShopPayment(deps: Deps, client: ApiClient, paymentId: string) {
  const row = await deps.db
    .selectFrom('payments')
    .select(['id', 'currency'])
    .where('id', '=', paymentId)
    .where('shop_id', '=', client.shopId)
    .where('account_id', '=', client.accountId)
    .executeTakeFirst();
  if (!row) throw apiV1Errors.paymentNotFound();
  return row;
}

const INVALID_AMOUNT = {
  code: 'invalid',
  text: { ru: 'Неверная сумма.', en: 'The amount is not valid.' },
};
const INVALID_CURSOR = {
  code: 'invalid',
  text: { ru: 'Неверный курсор страницы.', en: 'The page cursor is not valid.' },
};

/** The platform's limiter answers too_many_requests; the API's documented code is rate_limited. */
async function consumeKeyRateLimit(deps: Deps, client: ApiClient): Promise<void> {
  try {
    await consumeRateLimit(deps.db, deps.clock, API_KEY_RATE_LIMIT, client.keyId);
  } catch (error) {
    if (error instanceof AppError && error.statusCode === 429)
      throw apiV1Errors.rateLimited({ seconds: Number(error.values.seconds ?? 1) });
    throw error;
  }
}

/**
 * Unknown, revoked or malformed keys count against the caller's address (platform/http/credential-
 * failures): past the limit the address is answered 429 rate_limited without the key being looked up.
 */
async function authenticateCountingFailures(deps: Deps, request: FastifyRequest): Promise<ApiClient> {
  const failures = credentialFailureLimiter(deps);
  const limited = failures.check(request.ip);
  if (limited.isRefused) throw tooManyCredentialFailures(limited.retryAfterSeconds);
  try {
    return await authenticateApiKey(deps, bearerOf(request));
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'invalid_api_key') throw error;
    const verdict = await failures.recordFailure(request.ip);
    throw verdict.isRefused ? tooManyCredentialFailures(verdict.retryAfterSeconds) : error;
  }
}

/** Registers the routes on a context mounted at /api/v1. */
export function registerApiV1Routes(app: FastifyInstance, deps: Deps): void {
  app.addHook('onRequest', async (request) => {
    request.apiClient = await authenticateCountingFailures(deps, request);
    // Counted before the idempotency claim, so a refused request never takes its key.
    await consumeKeyRateLimit(deps, request.apiClient);
  });
  installIdempotency(app, deps, (request) => requireClient(request).shopId);
  registerWebhookApiRoutes(app, deps, requireClient);
  registerResourceApiRoutes(app, deps, requireClient);
  registerDealApiRoutes(app, deps, requireClient);

  app.get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: "The shop's payments, newest first",
        security: SECURITY,
        querystring: PaymentListQuery,
        response: { 200: PaymentList, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = requireClient(request);
      const query = request.query as typeof PaymentListQuery.static;
      const before = query.before === undefined ? undefined : decodeOperationCursor(query.before);
      if (query.before !== undefined && before === undefined)
        throw validationError({ before: INVALID_CURSOR });
      return listOperations(deps.db, client.accountId, {
        shopId: client.shopId,
        status: query.status,
        before,
        limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      });
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        tags: ['payments'],
        summary: 'One payment of the shop',
        security: SECURITY,
        params: PaymentParams,
        response: { 200: PaymentDetail, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = requireClient(request);
      const { id } = request.params as typeof PaymentParams.static;
      await findShopPayment(deps, client, id);
      return (await getOperation(deps.db, client.accountId, id)).operation;
    },
  );

  app.post(
    '/payments/:id/refunds',
    {
      schema: {
        tags: ['payments'],
        summary: 'Refund a paid payment, in part or in full',
        description: 'Requires an Idempotency-Key header.',
        security: SECURITY,
        params: PaymentParams,
        headers: IdempotencyHeaders,
        body: RefundBody,
        response: { 201: Refund, ...postErrorResponses },
      },
    },
    async (request, reply) => {
      const client = requireClient(request);
      const { id } = request.params as typeof PaymentParams.static;
      const body = (request.body ?? {}) as typeof RefundBody.static;
      const payment = await findShopPayment(deps, client, id);
      let amountMinor: bigint | undefined;
      if (body.amount !== undefined) {
        amountMinor = parseDecimalToMinor(body.amount.trim(), payment.currency);
        if (amountMinor === undefined || amountMinor <= 0n) throw validationError({ amount: INVALID_AMOUNT });
      }
      // RefundSource has no 'api' yet: 'refund_api' (a refund asked by the shop's code, no cabinet user).
      const refund = await refundPayment(deps, {
        paymentId: payment.id,
        accountId: client.accountId,
        ...(amountMinor !== undefined ? { amountMinor } : {}),
        source: 'refund_api',
        requestedBy: null,
        ip: request.ip,
      });
      return reply.code(201).send(refund);
    },
  );

  app.get(
    '/balance',
    {
      schema: {
        tags: ['balance'],
        summary: 'What the platform owes the shop, per currency',
        security: SECURITY,
        response: { 200: Balance, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = requireClient(request);
      const currencies = await shopCurrencies(deps, client);
      const balances = [];
      for (const currency of currencies) {
        const minor = await readShopBalances(deps.db, client.shopId, currency);
        balances.push({
          currency,
          pending: formatMinor(minor.pendingMinor, currency),
          available: formatMinor(minor.availableMinor, currency),
          onHold: formatMinor(minor.onHoldMinor, currency),
          inPayout: formatMinor(minor.inPayoutMinor, currency),
        });
      }
      return { shopId: client.shopId, balances };
    },
  );
}

/** The account's currency first, then any other currency the ledger holds for this shop. */
async function shopCurrencies(deps: Deps, client: ApiClient): Promise<Currency[]> {
  const account = await deps.db
    .selectFrom('accounts')
    .select('currency')
    .where('id', '=', client.accountId)
    .executeTakeFirstOrThrow();
  const rows = await deps.db
    .selectFrom('ledger_accounts')
    .select('currency')
    .distinct()
    .where('owner_kind', '=', 'shop')
    .where('owner_id', '=', client.shopId)
    .where('currency', '!=', account.currency)
    .orderBy('currency')
    .execute();
  return [account.currency, ...rows.map((row) => row.currency)];
}
