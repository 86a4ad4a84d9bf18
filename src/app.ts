/**
 * buildApp(deps) composes the HTTP surfaces into one Fastify instance. It never listens: main.ts does,
 * and tests use app.inject(). Each surface is its own context with its own authentication.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { sql } from 'kysely';
import type { Deps } from './deps.js';
import { registerAccountRoutes, registerStaffRoutes } from './modules/accounts/index.js';
import { registerApiKeyRoutes, registerApiV1, registerWebhookCabinetRoutes } from './modules/api-v1/index.js';
import { registerAnalyticsRoutes } from './modules/analytics/index.js';
import { registerBackofficeRoutes } from './modules/backoffice/index.js';
import { registerBalanceRoutes } from './modules/balances/index.js';
import { registerBroadcastRoutes } from './modules/broadcasts/index.js';
import { registerTariffAdminRoutes, registerTariffCabinetRoutes } from './modules/tariffs/index.js';
import { registerCheckoutRoutes } from './modules/checkout/index.js';
import {
  registerDealBackofficeRoutes,
  registerDealPageRoutes,
  registerDealRoutes,
} from './modules/deals/index.js';
import {
  documentSettingsFromEnv,
  registerDocumentBackofficeRoutes,
  registerDocumentRoutes,
} from './modules/documents/index.js';
import { registerDemoStoreRoutes } from './modules/demo-store/index.js';
import {
  registerAtolSandbox,
  registerFiscalCallbackRoutes,
  registerFiscalRoutes,
  registerSecondReceiptRoutes,
} from './modules/fiscal/index.js';
import {
  registerInvoiceApiRoutes,
  registerInvoicePayRoutes,
  registerInvoiceRoutes,
} from './modules/invoices/index.js';
import {
  registerAttemptReviewRoutes,
  registerMethodCallbackRoutes,
  registerOperationRoutes,
  registerWebServiceRoutes,
} from './modules/payments/index.js';
import {
  registerMethodBackofficeRoutes,
  registerMethodCabinetRoutes,
  registerSandboxMethodPages,
} from './modules/methods/index.js';
import { registerSigningKeyRoutes } from './modules/notifications/index.js';
import {
  registerHoldRoutes,
  registerRecurringBackofficeRoutes,
  registerRecurringRoutes,
} from './modules/payments/index.js';
import { registerMessageRoutes, registerUnsubscribeRoutes } from './modules/messages/index.js';
import { registerPayoutQueueRoutes, registerPayoutRoutes } from './modules/payouts/index.js';
import { registerRefundApiRoutes, registerRefundRoutes } from './modules/refunds/index.js';
import { registerModerationRoutes, registerShopRoutes } from './modules/shops/index.js';
import { registerSupportDeskRoutes, registerSupportRoutes } from './modules/support/index.js';
import { registerKycModerationRoutes, registerKycRoutes } from './modules/kyc/index.js';
import { ensureCsrfToken, verifyCsrf } from './platform/http/csrf.js';
import { registerDevMailbox } from './platform/http/dev-mailbox.js';
import { protocolErrorSurfaces } from './error-surfaces.js';
import { createFrameworkErrorHandler, installErrorHandler } from './platform/http/error-handler.js';
import { commonErrors } from './platform/http/errors.js';
import { containsNulCharacter, parseFormBody } from './platform/http/request.js';
import { createMetrics } from './platform/metrics.js';
import { projectRoot } from './platform/paths.js';
import { DEMO } from './seed.js';

export interface AppOptions {
  /** Where the built cabinet lives; tests that do not need it leave it out. */
  readonly webRoot?: string;
  readonly collectProcessMetrics?: boolean;
}

const SPA_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  // Links in e-mails carry tokens in the path: never pass them on as a referrer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export const DEFAULT_WEB_ROOT = path.join(projectRoot, 'dist', 'web');

export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  // Errors answer in the shape of the surface they happen on (src/error-surfaces.ts), even those Fastify
  // raises before routing (a URL it cannot decode).
  const errorSurfaces = protocolErrorSurfaces(deps);
  const app = Fastify({
    frameworkErrors: createFrameworkErrorHandler(errorSurfaces),
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: process.env.TRUST_PROXY === '1',
    bodyLimit: 1_048_576,
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { parser: parseFormBody });
  installErrorHandler(app, errorSurfaces);
  refuseNulCharacters(app);
  if (deps.config.isProduction) {
    // Browsers that once reached Kopek over HTTPS never fall back to plain HTTP for a year.
    app.addHook('onSend', async (_request, reply) => {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    });
  }
  installMetrics(app, deps, options.collectProcessMetrics ?? false);

  app.get('/health', async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      deps.logger.error({ err: error }, 'health check: database unavailable');
      return reply.code(503).send({ status: 'error', database: 'unavailable' });
    }
  });

  if (!deps.config.isProduction) registerDevMailbox(app, deps.db);

  // Robokassa-compatible surfaces: authenticated by signatures, answered in Robokassa's formats.
  registerCheckoutRoutes(app, deps, deps.providers.cardAcquirer);
  // Other methods' providers call back here (signature-checked, deduplicated; src/modules/payments).
  await registerMethodCallbackRoutes(app, deps);
  registerWebServiceRoutes(app, deps);
  registerHoldRoutes(app, deps, deps.providers.cardAcquirer);
  registerRecurringRoutes(app, deps);
  // The public key that verifies ResultUrl2 notifications (JWKS).
  registerSigningKeyRoutes(app, deps);
  await registerRefundApiRoutes(app, deps);
  await registerInvoiceApiRoutes(app, deps);
  registerInvoicePayRoutes(app, deps);
  // The buyer's safe-deal page: a secret link, server-rendered like checkout.
  registerDealPageRoutes(app, deps);
  // One-click unsubscribe from e-mails (RFC 8058): no session, no CSRF; a signed token in the path.
  await registerUnsubscribeRoutes(app, deps);
  // ATOL Online's callback when a receipt is processed: only a hint to poll its report now.
  registerFiscalCallbackRoutes(app, deps);
  // Robokassa's second receipt (RoboFiscal Receipt/Attach and Receipt/Status), signed with Password #1.
  await registerSecondReceiptRoutes(app, deps);
  // An ATOL-protocol sandbox for development and tests; a sandbox never answers in production.
  if (!deps.config.isProduction && deps.config.isAtolSandboxEnabled) await registerAtolSandbox(app, deps);
  // The sandbox providers' own pages (SBP bank app, wallet, bank, terminal, apps, SMS log).
  if (!deps.config.isProduction) registerSandboxMethodPages(app, deps);
  if (!deps.config.isProduction) {
    registerDemoStoreRoutes(app, deps, {
      merchantLogin: DEMO.shop.merchantLogin,
      password1: DEMO.shop.password1,
      password2: DEMO.shop.password2,
      algorithm: 'MD5',
      paymentPageUrl: `${deps.config.publicUrl}/Merchant/Index.aspx`,
    });
  }

  await app.register(
    async (cabinet) => {
      cabinet.addHook('onRequest', async (request) => verifyCsrf(request));
      // Without a real acquirer the installation is a sandbox, and every surface says so.
      cabinet.get('/platform', async () => ({ isSandbox: deps.providers.cardAcquirer.isSandbox }));
      registerAccountRoutes(cabinet, deps);
      registerShopRoutes(cabinet, deps);
      registerTariffCabinetRoutes(cabinet, deps);
      registerOperationRoutes(cabinet, deps);
      registerBalanceRoutes(cabinet, deps);
      registerRefundRoutes(cabinet, deps);
      registerPayoutRoutes(cabinet, deps);
      registerApiKeyRoutes(cabinet, deps);
      registerInvoiceRoutes(cabinet, deps);
      registerWebhookCabinetRoutes(cabinet, deps);
      registerFiscalRoutes(cabinet, deps);
      registerMessageRoutes(cabinet, deps);
      registerDealRoutes(cabinet, deps);
      registerSupportRoutes(cabinet, deps);
      registerKycRoutes(cabinet, deps);
      registerAnalyticsRoutes(cabinet, deps);
      registerDocumentRoutes(cabinet, deps);
      registerMethodCabinetRoutes(cabinet, deps);
    },
    { prefix: '/api/cabinet' },
  );
  await app.register(
    async (backoffice) => {
      backoffice.addHook('onRequest', async (request) => verifyCsrf(request));
      registerModerationRoutes(backoffice, deps);
      registerBackofficeRoutes(backoffice, deps);
      registerBroadcastRoutes(backoffice, deps);
      registerTariffAdminRoutes(backoffice, deps);
      registerStaffRoutes(backoffice, deps);
      registerAttemptReviewRoutes(backoffice, deps, deps.providers.cardAcquirer);
      registerRecurringBackofficeRoutes(backoffice, deps);
      registerDealBackofficeRoutes(backoffice, deps);
      registerDocumentBackofficeRoutes(backoffice, deps);
      registerPayoutQueueRoutes(backoffice, deps, () => documentSettingsFromEnv().operator);
      registerSupportDeskRoutes(backoffice, deps);
      registerKycModerationRoutes(backoffice, deps);
      registerMethodBackofficeRoutes(backoffice, deps);
    },
    { prefix: '/api/backoffice' },
  );

  // JSON API v1 for merchants' code: API keys, no cookies or CSRF; /api/openapi.json and /api/docs.
  await registerApiV1(app, deps);

  await registerWebApp(app, deps, options.webRoot ?? DEFAULT_WEB_ROOT);
  return app;
}

/**
 * PostgreSQL text cannot hold U+0000, so a NUL in any input would fail deep in a query. It is refused at
 * the edge, on every surface, before any handler runs.
 */
function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if ([request.params, request.query, request.body].some((value) => containsNulCharacter(value))) {
      throw commonErrors.badRequest({ problem: 'U+0000 (NUL)' });
    }
  });
}

function installMetrics(app: FastifyInstance, deps: Deps, collectProcessMetrics: boolean): void {
  const metrics = createMetrics(deps.db, { collectProcessMetrics });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

const NOT_SPA_PATHS = /^\/(api|merchant|refundservice|invoiceservicewebapi|webservice)\//i;

/** Serves the built React app: its assets, and index.html for every client-side route. */
async function registerWebApp(app: FastifyInstance, deps: Deps, webRoot: string): Promise<void> {
  const indexFile = path.join(webRoot, 'index.html');
  const indexHtml = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
  if (existsSync(path.join(webRoot, 'assets'))) {
    await app.register(fastifyStatic, {
      root: path.join(webRoot, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
    });
  }
  const serveIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    // The API and Robokassa's paths are never the cabinet's routes: their 404 is answered in their format.
    if (NOT_SPA_PATHS.test(request.url)) throw commonErrors.routeNotFound();
    ensureCsrfToken(request, reply, deps.config.isProduction);
    reply.headers(SPA_SECURITY_HEADERS).header('cache-control', 'no-cache');
    if (indexHtml === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('Кабинет не собран: выполните npm run build.\nThe cabinet is not built: run npm run build.');
    }
    return reply.type('text/html; charset=utf-8').send(indexHtml);
  };
  app.get('/', serveIndex);
  app.get('/*', serveIndex);
}
