/**
 * The cabinet's bank details, payouts and payout settings (under /api/cabinet). Reading needs
 * balance.read; changing bank details or a shop's payout settings and ordering a payout need
 * balance.manage (administrators). Everything is scoped to the caller's
 * account: another account's shop or payout is "not found".
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { requestLanguage } from '../../platform/http/request.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { readBankDetails, saveBankDetails } from './bank-details.service.js';
import { RECIPIENT_NAME_MAX_LENGTH } from './bank-details.validation.js';
import {
  createPayout,
  DEFAULT_PAYOUT_PAGE_SIZE,
  findPayout,
  listPayouts,
  MAX_PAYOUT_PAGE_SIZE,
} from './payout.service.js';
import { buildPayoutStatement } from './payout.statement.js';
import { readPayoutSettings, saveShopPayoutSettings } from './payout-settings.service.js';

const field = (maxLength: number) => Type.String({ maxLength });
const BankDetailsBody = Type.Object(
  {
    bik: field(32),
    settlementAccount: field(64),
    correspondentAccount: field(64),
    inn: field(32),
    kpp: Type.Optional(Type.Union([field(32), Type.Null()])),
    recipientName: field(RECIPIENT_NAME_MAX_LENGTH * 2),
  },
  { additionalProperties: false },
);
const PayoutBody = Type.Object(
  {
    shopId: Type.String({ minLength: 1, maxLength: 64 }),
    amount: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
const PayoutSettingsBody = Type.Object(
  {
    frequency: Type.Union([Type.Literal('off'), Type.Literal('daily'), Type.Literal('weekly')]),
    weekday: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 7 }), Type.Null()])),
    time: Type.Optional(Type.String({ maxLength: 16 })),
    minimum: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const ShopParams = Type.Object({ shopId: Type.String({ minLength: 1, maxLength: 64 }) });
const PayoutListQuery = Type.Object({
  shopId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.String({ maxLength: 4 })),
});
const PayoutParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const StatementQuery = Type.Object({
  lang: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')])),
});

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAYOUT_PAGE_SIZE;
  const limit = /^\d{1,3}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > MAX_PAYOUT_PAGE_SIZE)
    throw validationError({
      limit: {
        code: 'out_of_range',
        text: { ru: 'Целое число от 1 до {max}.', en: 'A whole number from 1 to {max}.' },
        values: { max: MAX_PAYOUT_PAGE_SIZE },
      },
    });
  return limit;
}

export function registerPayoutRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  const canRead = requirePermission('balance.read');
  const canManage = requirePermission('balance.manage');

  app.get('/bank-details', { preHandler: canRead }, async (request) => ({
    bankDetails: await readBankDetails(deps.db, requireMerchantActor(request).accountId),
  }));

  app.put('/bank-details', { preHandler: canManage, schema: { body: BankDetailsBody } }, async (request) => ({
    bankDetails: await saveBankDetails(
      deps,
      requireMerchantActor(request),
      request.body as typeof BankDetailsBody.static,
      request.ip,
    ),
  }));

  app.get('/payout-settings', { preHandler: canRead }, async (request) =>
    readPayoutSettings(deps, requireMerchantActor(request).accountId),
  );

  app.put(
    '/payout-settings/:shopId',
    { preHandler: canManage, schema: { params: ShopParams, body: PayoutSettingsBody } },
    async (request) =>
      saveShopPayoutSettings(
        deps,
        requireMerchantActor(request),
        (request.params as typeof ShopParams.static).shopId,
        request.body as typeof PayoutSettingsBody.static,
        request.ip,
      ),
  );

  app.get('/payouts', { preHandler: canRead, schema: { querystring: PayoutListQuery } }, async (request) => {
    const query = request.query as typeof PayoutListQuery.static;
    return listPayouts(deps.db, requireMerchantActor(request).accountId, {
      shopId: query.shopId,
      limit: parseLimit(query.limit),
    });
  });

  app.post('/payouts', { preHandler: canManage, schema: { body: PayoutBody } }, async (request, reply) => {
    const actor = requireMerchantActor(request);
    const body = request.body as typeof PayoutBody.static;
    const payout = await createPayout(deps, {
      ...actor,
      shopId: body.shopId,
      amount: body.amount,
      ip: request.ip,
    });
    return reply.code(201).send(payout);
  });

  app.get(
    '/payouts/:id/statement',
    { preHandler: canRead, schema: { params: PayoutParams, querystring: StatementQuery } },
    async (request, reply) => {
      const accountId = requireMerchantActor(request).accountId;
      const payout = await findPayout(deps.db, accountId, (request.params as typeof PayoutParams.static).id);
      const shop = await deps.db
        .selectFrom('shops')
        .select('name')
        .where('id', '=', payout.shop_id)
        .executeTakeFirstOrThrow();
      const language = (request.query as typeof StatementQuery.static).lang ?? requestLanguage(request);
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="kopek-payout-${payout.id}.txt"`)
        .header('cache-control', 'no-store')
        .send(buildPayoutStatement(payout, shop.name, language));
    },
  );
}
