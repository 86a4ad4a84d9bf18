/**
 * HTTP routes of fiscalisation.
 * - Cabinet (under /api/cabinet, scoped to the caller's account; another account's shop or receipt is
 *   404): a shop's fiscal settings (read: shops.read; change: shops.write, so developers may enter the
 *   ATOL password but, like shop passwords, never read it back; "check connection" asks the service for a
 *   token with the stored credentials, shops.write), the receipts and a registered
 *   receipt's fiscal QR code as SVG (operations.read), and a retry (operations.manage).
 * - ATOL register data (register-import.*): the import state, a new secret callback URL (shops.write)
 *   and CSV/JSON uploads (shops.write); the callback itself, public, `POST /fiscal/atol/import/:token`.
 * - ATOL's callback, public: `POST /fiscal/atol/callback/:receiptId` with the report JSON. It only moves
 *   the receipt's next report poll to now; the poll decides. Answered 200 whatever it says, so it tells a
 *   caller nothing about which receipts exist.
 */
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
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
import { createPublicOnlyFetch } from '../../platform/network.js';
import { checkFiscalConnection, readFiscalSettings, saveFiscalSettings } from './fiscal-settings.service.js';
import { AtolOnlineClient } from './providers/atol-online.client.js';
import { MAX_IMPORT_BYTES } from './register-import.parse.js';
import {
  acceptImportCallback,
  createImportCallbackUrl,
  IMPORT_CALLBACK_PATH,
  importRegisterFile,
  pullRegisterReports,
  readImportState,
} from './register-import.service.js';
import { fiscalErrors } from './fiscal.errors.js';

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
  registerImportRoutes(app, deps, requirePermission);

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

  // "Check connection": one getToken call with the stored credentials, through a client like the job's.
  const client = new AtolOnlineClient({
    clock: deps.clock,
    logger: deps.logger,
    timeoutMs: deps.config.fiscalTimeoutMs,
    source: 'kopek',
    ...(deps.config.isProduction ? { fetchImpl: createPublicOnlyFetch() } : {}),
  });
  app.post(
    '/shops/:shopId/fiscal-settings/check',
    { preHandler: requirePermission('shops.write'), schema: { params: ShopParams } },
    async (request) =>
      checkFiscalConnection(
        deps,
        client,
        requireMerchantActor(request).accountId,
        (request.params as typeof ShopParams.static).shopId,
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

  // The fiscal QR code (t=…&s=…&fn=…&i=…&fp=…&n=…) of a registered receipt, drawn as SVG.
  app.get(
    '/fiscal-receipts/:id/qr.svg',
    { preHandler: requirePermission('operations.read'), schema: { params: ReceiptParams } },
    async (request, reply) => {
      const receipt = await getFiscalReceipt(
        deps,
        requireMerchantActor(request).accountId,
        (request.params as typeof ReceiptParams.static).id,
      );
      if (receipt.fiscal === null) throw fiscalErrors.receiptNotRegistered();
      // Level M, as printed receipts use: it survives a smudge and keeps the code small.
      const svg = await QRCode.toString(receipt.fiscal.qr, {
        type: 'svg',
        errorCorrectionLevel: 'M',
        margin: 2,
      });
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="receipt-${receipt.id}.svg"`)
        .send(svg);
    },
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

const PullBody = Type.Object({
  uuids: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1_000 }),
});
const ImportFileBody = Type.Object(
  {
    format: Type.Union([Type.Literal('csv'), Type.Literal('json')]),
    content: Type.String({ maxLength: MAX_IMPORT_BYTES }),
  },
  { additionalProperties: false },
);

/** ATOL register data for sales analytics (register-import.service.ts): state, callback URL, files. */
function registerImportRoutes(
  app: FastifyInstance,
  deps: Deps,
  requirePermission: ReturnType<typeof createAuthGuard>,
): void {
  // Pulling reports of the shop's own documents: a client like the job's (public addresses only in production).
  const client = new AtolOnlineClient({
    clock: deps.clock,
    logger: deps.logger,
    timeoutMs: deps.config.fiscalTimeoutMs,
    source: 'kopek',
    ...(deps.config.isProduction ? { fetchImpl: createPublicOnlyFetch() } : {}),
  });
  app.post(
    '/shops/:shopId/fiscal-import/pull',
    { preHandler: requirePermission('shops.write'), schema: { params: ShopParams, body: PullBody } },
    async (request) =>
      pullRegisterReports(
        deps,
        client,
        requireMerchantActor(request),
        (request.params as typeof ShopParams.static).shopId,
        (request.body as typeof PullBody.static).uuids,
        request.ip,
      ),
  );

  app.get(
    '/shops/:shopId/fiscal-import',
    { preHandler: requirePermission('shops.read'), schema: { params: ShopParams } },
    async (request) =>
      readImportState(
        deps,
        requireMerchantActor(request).accountId,
        (request.params as typeof ShopParams.static).shopId,
      ),
  );

  app.post(
    '/shops/:shopId/fiscal-import/callback-url',
    { preHandler: requirePermission('shops.write'), schema: { params: ShopParams } },
    async (request) =>
      createImportCallbackUrl(
        deps,
        requireMerchantActor(request),
        (request.params as typeof ShopParams.static).shopId,
        request.ip,
      ),
  );

  app.post(
    '/shops/:shopId/fiscal-import/files',
    {
      preHandler: requirePermission('shops.write'),
      schema: { params: ShopParams, body: ImportFileBody },
      // A JSON body holding a 2 MiB export, escaped.
      bodyLimit: MAX_IMPORT_BYTES * 2,
    },
    async (request) =>
      importRegisterFile(
        deps,
        requireMerchantActor(request),
        (request.params as typeof ShopParams.static).shopId,
        request.body as typeof ImportFileBody.static,
        request.ip,
      ),
  );
}

/** ATOL's callback: outside the cabinet (no session, no CSRF); see the header. */
export function registerFiscalCallbackRoutes(app: FastifyInstance, deps: Deps): void {
  // A shop's own registers' receipts for analytics: the secret in the path is the credential.
  app.post(
    `${IMPORT_CALLBACK_PATH}/:token`,
    { schema: { params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }) } },
    async (request) => {
      await acceptImportCallback(deps, (request.params as { token: string }).token, request.body);
      return { ok: true };
    },
  );
  app.post('/fiscal/atol/callback/:receiptId', { schema: { params: CallbackParams } }, async (request) => {
    const body = request.body as { uuid?: unknown } | undefined;
    const uuid = typeof body?.uuid === 'string' ? body.uuid : undefined;
    const receiptId = (request.params as typeof CallbackParams.static).receiptId;
    if (uuid !== undefined) await acceptProviderCallback(deps, receiptId, uuid);
    return { ok: true };
  });
}
