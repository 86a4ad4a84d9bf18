/**
 * HTTP routes of fiscalisation.
 * - Cabinet (under /api/cabinet, scoped to the caller's account; another account's shop or receipt is
 *   404): a shop's fiscal settings (read: shops.read; change: shops.write, so developers may enter the
 *   ATOL password but, like shop passwords, never read it back), the receipts (operations.read) and a
 *   retry (operations.manage).
 * - ATOL's callback, public: `POST /fiscal/atol/callback/:receiptId` with the report JSON. It only moves
 *   the receipt's next report poll to now; the poll decides. Answered 200 whatever it says, so it tells a
 *   caller nothing about which receipts exist.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import {
  acceptProviderCallback,
  DEFAULT_RECEIPT_PAGE_SIZE,
  getFiscalReceipt,
  listFiscalReceipts,
  MAX_RECEIPT_PAGE_SIZE,
  retryFiscalReceipt,
} from './fiscal-receipt.service.js';
import { readFiscalSettings, saveFiscalSettings } from './fiscal-settings.service.js';

const optionalText = (maxLength: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));
const FiscalSettingsBody = Type.Object(
  {
    provider: Type.String({ maxLength: 16 }),
    baseUrl: optionalText(1000),
    login: optionalText(200),
    password: optionalText(200),
    groupCode: optionalText(200),
    companyInn: optionalText(32),
    paymentAddress: optionalText(600),
    sno: optionalText(32),
    companyEmail: optionalText(200),
  },
  { additionalProperties: false },
);
const ShopParams = Type.Object({ shopId: Type.String({ minLength: 1, maxLength: 64 }) });
const ReceiptParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ReceiptQuery = Type.Object({
  shopId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  paymentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(
    Type.Union(['pending', 'wait', 'done', 'fail'].map((status) => Type.Literal(status))),
  ),
  limit: Type.Optional(Type.String({ maxLength: 4 })),
});
const CallbackParams = Type.Object({ receiptId: Type.String({ minLength: 1, maxLength: 64 }) });

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RECEIPT_PAGE_SIZE;
  const limit = /^\d{1,3}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > MAX_RECEIPT_PAGE_SIZE)
    throw validationError({
      limit: {
        code: 'out_of_range',
        text: { ru: 'Целое число от 1 до {max}.', en: 'A whole number from 1 to {max}.' },
        values: { max: MAX_RECEIPT_PAGE_SIZE },
      },
    });
  return limit;
}

export function registerFiscalRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.get(
    '/shops/:shopId/fiscal-settings',
    { preHandler: requirePermission('shops.read'), schema: { params: ShopParams } },
    async (request) =>
      readFiscalSettings(
        deps,
        requireMerchantActor(request).accountId,
        (request.params as typeof ShopParams.static).shopId,
      ),
  );

  app.put(
    '/shops/:shopId/fiscal-settings',
    {
      preHandler: requirePermission('shops.write'),
      schema: { params: ShopParams, body: FiscalSettingsBody },
    },
    async (request) =>
      saveFiscalSettings(
        deps,
        requireMerchantActor(request),
        (request.params as typeof ShopParams.static).shopId,
        request.body as typeof FiscalSettingsBody.static,
        request.ip,
      ),
  );

  app.get(
    '/fiscal-receipts',
    { preHandler: requirePermission('operations.read'), schema: { querystring: ReceiptQuery } },
    async (request) => {
      const query = request.query as typeof ReceiptQuery.static;
      return listFiscalReceipts(deps, requireMerchantActor(request).accountId, {
        shopId: query.shopId,
        paymentId: query.paymentId,
        status: query.status as 'pending' | 'wait' | 'done' | 'fail' | undefined,
        limit: parseLimit(query.limit),
      });
    },
  );

  app.get(
    '/fiscal-receipts/:id',
    { preHandler: requirePermission('operations.read'), schema: { params: ReceiptParams } },
    async (request) =>
      getFiscalReceipt(
        deps,
        requireMerchantActor(request).accountId,
        (request.params as typeof ReceiptParams.static).id,
      ),
  );

  app.post(
    '/fiscal-receipts/:id/retry',
    { preHandler: requirePermission('operations.manage'), schema: { params: ReceiptParams } },
    async (request) =>
      retryFiscalReceipt(
        deps,
        requireMerchantActor(request),
        (request.params as typeof ReceiptParams.static).id,
        request.ip,
      ),
  );
}

/** ATOL's callback: outside the cabinet (no session, no CSRF); see the header. */
export function registerFiscalCallbackRoutes(app: FastifyInstance, deps: Deps): void {
  app.post('/fiscal/atol/callback/:receiptId', { schema: { params: CallbackParams } }, async (request) => {
    const body = request.body as { uuid?: unknown } | undefined;
    const uuid = typeof body?.uuid === 'string' ? body.uuid : undefined;
    const receiptId = (request.params as typeof CallbackParams.static).receiptId;
    if (uuid !== undefined) await acceptProviderCallback(deps, receiptId, uuid);
    return { ok: true };
  });
}
