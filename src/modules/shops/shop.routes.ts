/** HTTP routes of shops: the cabinet's (under /api/cabinet) and the operator's moderation (under /api/backoffice). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireMerchantActor, requireSessionUser } from '../accounts/index.js';
import { setHoldAllowed } from './shop-holds.js';
import { decideModeration, listShopsByStatus } from './shop.moderation.js';
import { SITE_REQUIREMENTS } from './site-requirements.js';
import {
  createShop,
  getShop,
  listShops,
  revealShopPasswords,
  submitShopForModeration,
  updateShopSettings,
} from './shop.service.js';

const text = (maxLength = 2000) => Type.String({ maxLength });
const nullableText = () => Type.Optional(Type.Union([text(), Type.Null()]));
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const NewShopBody = Type.Object({
  name: text(200),
  siteUrl: text(),
  description: Type.Optional(text(2000)),
  merchantLogin: text(64),
});

const SettingsBody = Type.Object({
  name: Type.Optional(text(200)),
  siteUrl: Type.Optional(text()),
  description: Type.Optional(text()),
  hashAlgorithm: Type.Optional(text(16)),
  resultUrl: nullableText(),
  resultMethod: Type.Optional(text(8)),
  successUrl: nullableText(),
  successMethod: Type.Optional(text(8)),
  failUrl: nullableText(),
  failMethod: Type.Optional(text(8)),
  password1: Type.Optional(text(128)),
  password2: Type.Optional(text(128)),
  password3: Type.Optional(text(128)),
  testPassword1: Type.Optional(text(128)),
  testPassword2: Type.Optional(text(128)),
  isBuyerFee: Type.Optional(Type.Boolean()),
});

const PasswordBody = Type.Object({ password: text(256) });

export function registerShopRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  // Public: the /requirements page shows the same list the moderators tick.
  app.get('/site-requirements', async () => ({ items: SITE_REQUIREMENTS }));
  const meta = (request: { ip: string; headers: { 'user-agent'?: string | undefined } }) => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  });

  app.get('/shops', { preHandler: requirePermission('shops.read') }, async (request) => ({
    items: await listShops(deps, requireMerchantActor(request).accountId),
  }));

  app.post(
    '/shops',
    { preHandler: requirePermission('shops.create'), schema: { body: NewShopBody } },
    async (request, reply) => {
      const body = request.body as typeof NewShopBody.static;
      const shop = await createShop(
        deps,
        requireMerchantActor(request),
        { ...body, description: body.description ?? '' },
        meta(request),
      );
      return reply.code(201).send(shop);
    },
  );

  app.get(
    '/shops/:id',
    { preHandler: requirePermission('shops.read'), schema: { params: IdParams } },
    async (request) =>
      getShop(deps, requireMerchantActor(request).accountId, (request.params as typeof IdParams.static).id),
  );

  app.patch(
    '/shops/:id',
    { preHandler: requirePermission('shops.write'), schema: { params: IdParams, body: SettingsBody } },
    async (request) =>
      updateShopSettings(
        deps,
        requireMerchantActor(request),
        (request.params as typeof IdParams.static).id,
        request.body as typeof SettingsBody.static,
        meta(request),
      ),
  );

  app.post(
    '/shops/:id/passwords/reveal',
    { preHandler: requirePermission('shops.secrets'), schema: { params: IdParams, body: PasswordBody } },
    async (request) =>
      revealShopPasswords(
        deps,
        requireMerchantActor(request),
        (request.params as typeof IdParams.static).id,
        (request.body as typeof PasswordBody.static).password,
        meta(request),
      ),
  );

  app.post(
    '/shops/:id/moderation',
    { preHandler: requirePermission('shops.write'), schema: { params: IdParams } },
    async (request) =>
      submitShopForModeration(
        deps,
        requireMerchantActor(request),
        (request.params as typeof IdParams.static).id,
        meta(request),
      ),
  );
}

const StatusQuery = Type.Object({
  status: Type.Optional(
    Type.Union(['test', 'moderation', 'active', 'rejected'].map((status) => Type.Literal(status))),
  ),
});
// The reason may be left empty when the checklist names the unmet site requirements.
const RejectBody = Type.Object({
  reason: Type.Optional(text(1000)),
  unmetRequirements: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
});
const PermissionBody = Type.Object({ isAllowed: Type.Boolean() });

export function registerModerationRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice.moderation') };

  app.get('/shops', { ...operatorOnly, schema: { querystring: StatusQuery } }, async (request) => {
    const { status } = request.query as { status?: 'test' | 'moderation' | 'active' | 'rejected' };
    return { items: await listShopsByStatus(deps, status ?? 'moderation') };
  });

  app.get('/site-requirements', operatorOnly, async () => ({ items: SITE_REQUIREMENTS }));

  app.post('/shops/:id/activate', { ...operatorOnly, schema: { params: IdParams } }, async (request) =>
    decideModeration(
      deps,
      requireSessionUser(request).userId,
      (request.params as typeof IdParams.static).id,
      'active',
      '',
      clientIp(request),
    ),
  );

  app.post(
    '/shops/:id/reject',
    { ...operatorOnly, schema: { params: IdParams, body: RejectBody } },
    async (request) =>
      decideModeration(
        deps,
        requireSessionUser(request).userId,
        (request.params as typeof IdParams.static).id,
        'rejected',
        (request.body as typeof RejectBody.static).reason ?? '',
        clientIp(request),
        (request.body as typeof RejectBody.static).unmetRequirements ?? [],
      ),
  );

  // Holds (StepByStep) by agreement: without this switch a StepByStep request is refused with error 64.
  app.post(
    '/shops/:id/holds',
    { ...operatorOnly, schema: { params: IdParams, body: PermissionBody } },
    async (request) =>
      setHoldAllowed(deps, {
        operatorUserId: requireSessionUser(request).userId,
        shopId: (request.params as typeof IdParams.static).id,
        isAllowed: (request.body as typeof PermissionBody.static).isAllowed,
        ip: clientIp(request),
      }),
  );
}
