/**
 * The cabinet's payment links (under /api/cabinet). Reading needs operations.read; creating and
 * deactivating a link need operations.manage (administrators and developers), the permission that
 * already lets a person act on the account's payments. Everything is scoped to the caller's account.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import {
  createCabinetInvoice,
  deactivateCabinetInvoice,
  findAccountInvoiceUrl,
  getAccountInvoice,
  listAccountInvoices,
} from './invoice.cabinet.js';
import { renderInvoiceQrSvg } from './invoice.qr.js';

const InvoiceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object({
  shopId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
});
const NewInvoiceBody = Type.Object(
  {
    shopId: Type.String({ minLength: 1, maxLength: 64 }),
    invoiceType: Type.Union([Type.Literal('OneTime'), Type.Literal('Reusable')]),
    amount: Type.String({ maxLength: 32 }),
    description: Type.String({ maxLength: 400 }),
    expiresAt: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    isTest: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function registerInvoiceRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  const idOf = (params: unknown) => (params as typeof InvoiceParams.static).id;

  app.get(
    '/invoices',
    { preHandler: requirePermission('operations.read'), schema: { querystring: ListQuery } },
    async (request) => {
      const query = request.query as typeof ListQuery.static;
      return listAccountInvoices(deps, requireMerchantActor(request).accountId, {
        shopId: query.shopId,
        page: Number(query.page ?? '1'),
      });
    },
  );

  app.post(
    '/invoices',
    { preHandler: requirePermission('operations.manage'), schema: { body: NewInvoiceBody } },
    async (request, reply) => {
      const body = request.body as typeof NewInvoiceBody.static;
      const invoice = await createCabinetInvoice(deps, requireMerchantActor(request), body, request.ip);
      return reply.code(201).send(invoice);
    },
  );

  app.get(
    '/invoices/:id',
    { preHandler: requirePermission('operations.read'), schema: { params: InvoiceParams } },
    async (request) => getAccountInvoice(deps, requireMerchantActor(request).accountId, idOf(request.params)),
  );

  app.post(
    '/invoices/:id/deactivate',
    { preHandler: requirePermission('operations.manage'), schema: { params: InvoiceParams } },
    async (request) =>
      deactivateCabinetInvoice(deps, requireMerchantActor(request), idOf(request.params), request.ip),
  );

  app.get(
    '/invoices/:id/qr.svg',
    { preHandler: requirePermission('operations.read'), schema: { params: InvoiceParams } },
    async (request, reply) => {
      const link = await findAccountInvoiceUrl(
        deps,
        requireMerchantActor(request).accountId,
        idOf(request.params),
      );
      const fileName = `payment-link-${link.invId === null ? 'reusable' : String(link.invId)}.svg`;
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="${fileName}"`)
        .send(await renderInvoiceQrSvg(link.url));
    },
  );
}
