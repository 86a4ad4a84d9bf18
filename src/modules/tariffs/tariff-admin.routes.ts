/**
 * Tariffs and promo codes in the back-office API (backoffice.tariffs: administrators and finance), and
 * the merchant's view of a shop's tariffs in the cabinet (current terms and the next scheduled change).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireMerchantActor, requireSessionUser } from '../accounts/index.js';
import { listPaymentMethods } from '../methods/index.js';
import { createPromoCode, deactivatePromoCode, listPromoCodes } from './promo-admin.service.js';
import {
  cancelTariffChange,
  listTariffs,
  scheduleTariffChange,
  TARIFF_INCREASE_NOTICE_DAYS,
} from './tariff-admin.service.js';
import { listShopTariffs } from './tariff-cabinet.service.js';

const Text = (maxLength: number) => Type.String({ maxLength });
const Optional = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

const TariffBody = Type.Object({
  shop: Optional(100),
  methodGroup: Text(40),
  percent: Text(10),
  fixed: Type.Optional(Text(20)),
  minimum: Type.Optional(Text(20)),
  effectiveFrom: Optional(10),
});
const TariffQuery = Type.Object({ shop: Type.Optional(Text(100)) });
const IdParams = Type.Object({ id: Text(64) });

const PromoBody = Type.Object({
  code: Text(64),
  description: Text(1000),
  discountPercent: Type.Integer(),
  discountDays: Type.Integer(),
  validUntil: Optional(10),
  usageLimit: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
const CodeParams = Type.Object({ code: Text(64) });

const operatorOf = (request: FastifyRequest) => ({
  userId: requireSessionUser(request).userId,
  ip: request.ip,
});

export function registerTariffAdminRoutes(app: FastifyInstance, deps: Deps): void {
  const tariffsStaff = { preHandler: createAuthGuard(deps)('backoffice.tariffs') };
  app.get('/tariffs', { ...tariffsStaff, schema: { querystring: TariffQuery } }, async (request) => {
    const { shop } = request.query as typeof TariffQuery.static;
    return {
      items: await listTariffs(deps, { scope: shop === 'default' ? '' : shop }),
      methodGroups: listPaymentMethods().map((group) => ({
        code: group.code,
        description: group.description,
      })),
      increaseNoticeDays: TARIFF_INCREASE_NOTICE_DAYS,
    };
  });
  app.post('/tariffs', { ...tariffsStaff, schema: { body: TariffBody } }, async (request, reply) => {
    const body = request.body as typeof TariffBody.static;
    const view = await scheduleTariffChange(deps, operatorOf(request), {
      ...body,
      fixed: body.fixed ?? '0',
      minimum: body.minimum ?? '0',
    });
    return reply.code(201).send(view);
  });
  app.post('/tariffs/:id/cancel', { ...tariffsStaff, schema: { params: IdParams } }, async (request) =>
    cancelTariffChange(deps, operatorOf(request), (request.params as typeof IdParams.static).id),
  );
  app.get('/promo-codes', tariffsStaff, async () => ({ items: await listPromoCodes(deps) }));
  app.post('/promo-codes', { ...tariffsStaff, schema: { body: PromoBody } }, async (request, reply) => {
    const view = await createPromoCode(deps, operatorOf(request), request.body as typeof PromoBody.static);
    return reply.code(201).send(view);
  });
  app.post(
    '/promo-codes/:code/deactivate',
    { ...tariffsStaff, schema: { params: CodeParams } },
    async (request) =>
      deactivatePromoCode(deps, operatorOf(request), (request.params as typeof CodeParams.static).code),
  );
}

/** The cabinet: a shop's tariffs per method group, now and next; another account's shop answers 404. */
export function registerTariffCabinetRoutes(app: FastifyInstance, deps: Deps): void {
  const readers = { preHandler: createAuthGuard(deps)('shops.read'), schema: { params: IdParams } };
  app.get('/shops/:id/tariffs', readers, async (request) => ({
    items: await listShopTariffs(
      deps,
      requireMerchantActor(request).accountId,
      (request.params as typeof IdParams.static).id,
    ),
  }));
}
