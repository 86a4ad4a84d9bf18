/**
 * Methods and providers in the back-office API: the catalogue with the provider of each method, provider
 * health, provider settings (switched off and on with a reason), shop search and each shop's switches
 * (every operator may look; changing needs backoffice.methods, administrators only). In the cabinet: the
 * methods the merchant's own shop takes.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireMerchantActor, requireSessionUser } from '../accounts/index.js';
import {
  changeShopMethods,
  describeCatalog,
  readShopMethodsForMerchant,
  readShopMethodsForOperator,
  searchShops,
} from './method-admin.service.js';
import { HEALTH_WINDOWS, readMethodHealth, type HealthWindow } from './method-health.js';
import {
  listProviderSettings,
  PROVIDER_REASON_MAX_LENGTH,
  readProviderSettings,
  switchProvider,
} from './provider-settings.service.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const HealthQuery = Type.Object({
  window: Type.Optional(
    Type.Union(Object.keys(HEALTH_WINDOWS).map((window) => Type.Literal(window as HealthWindow))),
  ),
});
const ProviderParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
const ProviderSwitchBody = Type.Object({
  isEnabled: Type.Boolean(),
  reason: Type.String({ maxLength: PROVIDER_REASON_MAX_LENGTH }),
});
const ShopSearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) });
const SwitchesBody = Type.Object({
  changes: Type.Array(Type.Object({ label: Type.String({ maxLength: 64 }), isEnabled: Type.Boolean() }), {
    minItems: 1,
    maxItems: 50,
  }),
});

export function registerMethodBackofficeRoutes(app: FastifyInstance, deps: Deps): void {
  const guard = createAuthGuard(deps);
  const viewers = { preHandler: guard('backoffice') };
  const changers = { preHandler: guard('backoffice.methods') };

  app.get('/methods', viewers, async () => describeCatalog(deps.providers));

  app.get('/methods/health', { ...viewers, schema: { querystring: HealthQuery } }, async (request) => {
    const window = (request.query as typeof HealthQuery.static).window ?? '24h';
    return readMethodHealth(deps.db, deps.providers, deps.clock.now(), window);
  });

  app.get('/methods/providers', viewers, async () => listProviderSettings(deps));

  app.get('/methods/providers/:name', { ...viewers, schema: { params: ProviderParams } }, async (request) =>
    readProviderSettings(deps, (request.params as typeof ProviderParams.static).name),
  );

  app.put(
    '/methods/providers/:name',
    { ...changers, schema: { params: ProviderParams, body: ProviderSwitchBody } },
    async (request) =>
      switchProvider(
        deps,
        { userId: requireSessionUser(request).userId, ip: request.ip },
        (request.params as typeof ProviderParams.static).name,
        request.body as typeof ProviderSwitchBody.static,
      ),
  );

  app.get('/methods/shops', { ...viewers, schema: { querystring: ShopSearchQuery } }, async (request) => ({
    items: await searchShops(deps.db, (request.query as typeof ShopSearchQuery.static).q ?? ''),
  }));

  app.get('/shops/:id/methods', { ...viewers, schema: { params: IdParams } }, async (request) =>
    readShopMethodsForOperator(deps, (request.params as typeof IdParams.static).id),
  );

  app.put(
    '/shops/:id/methods',
    { ...changers, schema: { params: IdParams, body: SwitchesBody } },
    async (request) =>
      changeShopMethods(
        deps,
        { userId: requireSessionUser(request).userId, ip: request.ip },
        (request.params as typeof IdParams.static).id,
        (request.body as typeof SwitchesBody.static).changes,
      ),
  );
}

/** The cabinet: which methods the signed-in account's shop takes; another account's shop answers 404. */
export function registerMethodCabinetRoutes(app: FastifyInstance, deps: Deps): void {
  const readers = { preHandler: createAuthGuard(deps)('shops.read'), schema: { params: IdParams } };
  app.get('/shops/:id/methods', readers, async (request) =>
    readShopMethodsForMerchant(
      deps,
      requireMerchantActor(request).accountId,
      (request.params as typeof IdParams.static).id,
    ),
  );
}
