/**
 * Payment links in the JSON API v1, in the key's shop: create one (one-time or reusable), list them,
 * read one with the payments it started, and deactivate one. They reuse the invoices module, so a link
 * made here is the cabinet's and the Invoice API's kind of link, with the same page, states and rules
 * (a live link needs an active shop). Links made here are marked source "api" and carry no Shp field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { parseDecimalToMinor } from '../../platform/money.js';
import {
  createInvoice,
  deactivateInvoice,
  findShopInvoice,
  getAccountInvoice,
  listAccountInvoices,
} from '../invoices/index.js';
import type { ApiClient } from './api-key.service.js';
import { apiV1Errors } from './api-v1.errors.js';
import {
  IdParams,
  PaymentLinkBody,
  PaymentLinkDetail,
  PaymentLinkList,
  PaymentLinkListQuery,
} from './api-v1.resources.schemas.js';
import { commonErrorResponses, IdempotencyHeaders, postErrorResponses } from './api-v1.schemas.js';

const SECURITY = [{ apiKey: [] }];
const TAGS = ['payment-links'];

const PROBLEMS = {
  amount: {
    code: 'invalid_amount',
    text: {
      ru: 'Сумма: положительное число, не больше двух знаков после запятой.',
      en: 'Amount: a positive number with at most two decimals.',
    },
  },
  description: {
    code: 'invalid_description',
    text: { ru: 'Назначение платежа: от 1 до 100 символов.', en: 'Description: from 1 to 100 characters.' },
  },
  expiresAt: {
    code: 'invalid_expiry',
    text: { ru: 'Срок действия: дата и время в будущем.', en: 'Valid until: a date and time in the future.' },
  },
} satisfies Record<string, FieldProblem>;

/** Meaning checks the schema cannot express: a positive amount, a description, an expiry in the future. */
function readTerms(deps: Deps, body: typeof PaymentLinkBody.static) {
  const problems: Record<string, FieldProblem> = {};
  const amountMinor = parseDecimalToMinor(body.amount.trim(), 'RUB');
  if (amountMinor === undefined || amountMinor <= 0n) problems.amount = PROBLEMS.amount;
  const description = body.description.trim();
  if (description === '') problems.description = PROBLEMS.description;
  const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
  if (expiresAt && !(expiresAt.getTime() > deps.clock.now().getTime()))
    problems.expiresAt = PROBLEMS.expiresAt;
  if (Object.keys(problems).length > 0 || amountMinor === undefined) throw validationError(problems);
  return { amountMinor, description, expiresAt };
}

async function findOwnShop(deps: Deps, client: ApiClient) {
  return deps.db
    .selectFrom('shops')
    .selectAll()
    .where('id', '=', client.shopId)
    .where('account_id', '=', client.accountId)
    .executeTakeFirstOrThrow();
}

/** The link, if it is the key's shop's; another shop's (even of the same account) is "not found". */
async function findOwnLink(deps: Deps, client: ApiClient, linkId: string) {
  const link = await findShopInvoice(deps, client.shopId, { id: linkId });
  if (!link) throw apiV1Errors.paymentLinkNotFound();
  return link;
}

export function registerPaymentLinkApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  app.post(
    '/payment-links',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a payment link',
        description: 'Requires an Idempotency-Key header. Answers the link with its `url` for the buyer.',
        security: SECURITY,
        headers: IdempotencyHeaders,
        body: PaymentLinkBody,
        response: { 201: PaymentLinkDetail, ...postErrorResponses },
      },
    },
    async (request, reply) => {
      const client = clientOf(request);
      const body = request.body as typeof PaymentLinkBody.static;
      const { amountMinor, description, expiresAt } = readTerms(deps, body);
      const row = await createInvoice(
        deps,
        await findOwnShop(deps, client),
        {
          invoiceType: body.invoiceType,
          invId: null,
          isTest: body.isTest ?? false,
          amountMinor,
          currency: 'RUB',
          description,
          merchantComments: null,
          culture: null,
          email: null,
          userFields: [],
          receipt: null,
          resultUrl2: null,
          successUrl2: null,
          successUrl2Method: null,
          failUrl2: null,
          failUrl2Method: null,
          expiresAt,
        },
        { source: 'api', createdBy: null, ip: request.ip },
      );
      return reply.code(201).send(await getAccountInvoice(deps, client.accountId, row.id));
    },
  );

  app.get(
    '/payment-links',
    {
      schema: {
        tags: TAGS,
        summary: "The shop's payment links, newest first",
        security: SECURITY,
        querystring: PaymentLinkListQuery,
        response: { 200: PaymentLinkList, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const { page } = request.query as typeof PaymentLinkListQuery.static;
      return listAccountInvoices(deps, client.accountId, {
        shopId: client.shopId,
        page: Number(page ?? '1'),
      });
    },
  );

  app.get(
    '/payment-links/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One payment link with the payments it started',
        security: SECURITY,
        params: IdParams,
        response: { 200: PaymentLinkDetail, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const link = await findOwnLink(deps, client, (request.params as typeof IdParams.static).id);
      return getAccountInvoice(deps, client.accountId, link.id);
    },
  );

  app.post(
    '/payment-links/:id/deactivate',
    {
      schema: {
        tags: TAGS,
        summary: 'Stop a payment link taking payments',
        description:
          'Requires an Idempotency-Key header. Deactivating twice changes nothing; payments made stand.',
        security: SECURITY,
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: PaymentLinkDetail, ...postErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const link = await findOwnLink(deps, client, (request.params as typeof IdParams.static).id);
      await deactivateInvoice(deps, link, { userId: null, ip: request.ip });
      return getAccountInvoice(deps, client.accountId, link.id);
    },
  );
}
