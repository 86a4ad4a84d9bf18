/**
 * The runtime: opens the database (real PostgreSQL or embedded), applies migrations, and wires the
 * dependencies and the job worker. main.ts, the seed command and the test harness all start here.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import type { Deps, Providers } from './deps.js';
import type { Clock } from './platform/clock.js';
import { systemClock } from './platform/clock.js';
import { openEmbeddedDatabase, openPostgresDatabase, type DatabaseHandle } from './platform/db.js';
import { deleteFinishedJobs, JobWorker } from './platform/jobs.js';
import { deleteExpiredRateLimitWindows } from './platform/http/rate-limit.js';
import { deleteStaleSessionsAndLinks } from './modules/accounts/index.js';
import { deleteStaleIdempotencyRecords, IDEMPOTENCY_RETENTION_MS } from './modules/api-v1/index.js';
import { SETTLEMENT_INTERVAL_MS, settleAllDuePayments } from './modules/balances/index.js';
import { BROADCAST_QUEUE, createBroadcastHandler } from './modules/broadcasts/index.js';
import { createTariffNoticeHandler, TARIFF_NOTICE_QUEUE } from './modules/tariffs/index.js';
import {
  createDealSettlementHandler,
  DEAL_RELEASE_INTERVAL_MS,
  DEAL_SETTLEMENT_QUEUE,
  releaseDueDeals,
} from './modules/deals/index.js';
import {
  DOCUMENT_GENERATE_QUEUE,
  MONTHLY_DOCUMENTS_INTERVAL_MS,
  createDocumentGenerateHandler,
  runMonthlyDocuments,
} from './modules/documents/index.js';
import { AtolOnlineClient, createFiscalRegisterHandler, FISCAL_QUEUE } from './modules/fiscal/index.js';
import { LEDGER_CHECKPOINT_INTERVAL_MS, runLedgerCheckpoint } from './modules/ledger/index.js';
import { createSandboxMethodProviders, SandboxCardAcquirer } from './modules/methods/index.js';
import { createMethodRefundHandler, METHOD_REFUND_QUEUE } from './modules/refunds/index.js';
import { createNotificationDeliveryHandler, NOTIFICATION_QUEUE } from './modules/notifications/index.js';
import {
  createOperationExportHandler,
  createReconcileHandler,
  createRecurringChargeHandler,
  createSandboxCallbackHandler,
  deleteExpiredExports,
  expireMethodAttempts,
  METHOD_EXPIRY_INTERVAL_MS,
  OPERATION_EXPORT_QUEUE,
  RECONCILE_QUEUE,
  RECURRING_CHARGE_QUEUE,
  SANDBOX_CALLBACK_QUEUE,
} from './modules/payments/index.js';
import {
  createHoldReconcileHandler,
  HOLD_EXPIRY_INTERVAL_MS,
  HOLD_RECONCILE_QUEUE,
  releaseExpiredHolds,
} from './modules/payments/index.js';
import { createWebhookDeliveryHandler, WEBHOOK_QUEUE } from './modules/webhooks/index.js';
import { PAYMENT_DIGEST_INTERVAL_MS, runPaymentDigests } from './modules/messages/index.js';
import {
  checkSentPayouts,
  createPayoutSendHandler,
  PAYOUT_RECONCILE_INTERVAL_MS,
  PAYOUT_SCHEDULE_INTERVAL_MS,
  PAYOUT_SEND_QUEUE,
  PAYOUT_STATUS_INTERVAL_MS,
  reconcileStuckPayouts,
  runDuePayoutSchedules,
  SandboxBank,
} from './modules/payouts/index.js';
import { createLogger, type Logger } from './platform/logger.js';
import {
  createDevMailboxTransport,
  createMailDeliveryHandler,
  createSmtpTransport,
  MAIL_QUEUE,
  type MailTransport,
} from './platform/mail.js';
import { migrateToLatest } from './platform/migrations.js';
import { createPublicOnlyFetch } from './platform/network.js';
import type { Database } from './schema.js';

export interface Runtime {
  readonly deps: Deps;
  readonly database: DatabaseHandle<Database>;
  readonly worker: JobWorker;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly mailTransport?: MailTransport;
  readonly signInFailureDelayMs?: number;
  readonly providers?: Partial<Providers>;
}

export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseHandle<Database>> {
  if (config.databaseUrl) {
    return openPostgresDatabase<Database>(config.databaseUrl, 10, (error) =>
      logger.warn({ err: error }, 'an idle PostgreSQL connection failed; the pool will replace it'),
    );
  }
  const directory = path.join(config.dataDir, 'pg');
  mkdirSync(directory, { recursive: true });
  return openEmbeddedDatabase<Database>(directory);
}

export async function openRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  await migrateToLatest(database.db);
  const clock = overrides.clock ?? systemClock;
  const deps: Deps = {
    config,
    db: database.db,
    clock,
    logger,
    signInFailureDelayMs: overrides.signInFailureDelayMs ?? 300,
    providers: {
      cardAcquirer: overrides.providers?.cardAcquirer ?? new SandboxCardAcquirer({ db: database.db, clock }),
      methodProviders:
        overrides.providers?.methodProviders ??
        createSandboxMethodProviders({
          db: database.db,
          clock,
          masterKey: config.masterKey,
          publicUrl: config.publicUrl,
        }),
    },
  };
  const worker = new JobWorker({ db: database.db, clock, logger });
  const transport =
    overrides.mailTransport ??
    (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : createDevMailboxTransport(logger));
  worker.register(
    MAIL_QUEUE,
    createMailDeliveryHandler({ db: database.db, clock, transport, from: config.mailFrom }),
  );
  worker.register(NOTIFICATION_QUEUE, createNotificationDeliveryHandler(deps));
  worker.register(RECONCILE_QUEUE, createReconcileHandler(deps, deps.providers.cardAcquirer));
  // Recurring charges (/Merchant/Recurring): the card the parent saved is charged by this job.
  worker.register(RECURRING_CHARGE_QUEUE, createRecurringChargeHandler(deps, deps.providers.cardAcquirer));
  // Holds (StepByStep): a capture or release whose acquirer answer was lost is finished by its job; holds
  // nobody confirmed are released after KOPEK_HOLD_RELEASE_DAYS. Each release locks its payment, so every
  // worker node may run the task.
  worker.register(HOLD_RECONCILE_QUEUE, createHoldReconcileHandler(deps, deps.providers.cardAcquirer));
  worker.every('holds.release-expired', HOLD_EXPIRY_INTERVAL_MS, async () => {
    await releaseExpiredHolds(deps, deps.providers.cardAcquirer);
  });
  worker.register(WEBHOOK_QUEUE, createWebhookDeliveryHandler(deps));
  // Other payment methods: sandbox providers' callbacks arrive through the queue; attempts past their
  // time (QR codes, terminal codes, bank confirmations) are closed by the injected clock's judgement.
  worker.register(SANDBOX_CALLBACK_QUEUE, createSandboxCallbackHandler(deps));
  // Refunds of such payments go back through the method's provider (src/modules/refunds).
  worker.register(METHOD_REFUND_QUEUE, createMethodRefundHandler(deps));
  worker.every('methods.expire-attempts', METHOD_EXPIRY_INTERVAL_MS, async () => {
    await expireMethodAttempts(deps);
  });
  // Safe deals (src/modules/deals): deals past their deadline are released (each under its row lock, so
  // every node may run the sweep); released money is settled to available by its own job.
  worker.register(DEAL_SETTLEMENT_QUEUE, createDealSettlementHandler(deps));
  worker.every('deals.release-due', DEAL_RELEASE_INTERVAL_MS, async () => {
    await releaseDueDeals(deps);
  });
  // Exports of the operations list, streamed into chunks in the database (src/modules/payments).
  worker.register(OPERATION_EXPORT_QUEUE, createOperationExportHandler(deps));
  // Broadcasts: one message per account, in batches (src/modules/broadcasts).
  worker.register(BROADCAST_QUEUE, createBroadcastHandler(deps));
  // Tariff changes: the notice to each affected account, in batches (src/modules/tariffs).
  worker.register(TARIFF_NOTICE_QUEUE, createTariffNoticeHandler(deps));
  // Fiscal receipts through the shop's ATOL Online account (or another service speaking its protocol):
  // registration, then report polls (src/modules/fiscal). The base URL is the merchant's setting, so in
  // production the client connects only to public addresses, checked at connection time.
  const fiscalProvider = new AtolOnlineClient({
    clock,
    logger,
    timeoutMs: config.fiscalTimeoutMs,
    source: 'kopek',
    ...(config.isProduction ? { fetchImpl: createPublicOnlyFetch() } : {}),
  });
  worker.register(FISCAL_QUEUE, createFiscalRegisterHandler(deps, fiscalProvider));
  scheduleHousekeeping(worker, deps);
  // Settlement moves due payments' money from pending to available (src/modules/balances). Every worker
  // node may run it: each payment settles once, under a lock and an idempotency key.
  worker.every('settlement', SETTLEMENT_INTERVAL_MS, () => settleAllDuePayments(deps));
  // Balance checkpoints (src/modules/ledger): balances stay sums of entries, from a checkpoint on, so a
  // busy shop's balance reads a short tail. One node rolls at a time (a try-lock); the others skip.
  worker.every('ledger.checkpoint', LEDGER_CHECKPOINT_INTERVAL_MS, async () => {
    await runLedgerCheckpoint(database.db, clock);
  });
  // Payouts: the send job calls the bank outside any transaction; the periodic check asks it about sent
  // payouts and records executed or returned (src/modules/payouts). Idempotent on every node.
  // The sandbox bank keeps its records in the database, as a real bank would on its side.
  const payoutProvider = new SandboxBank({ db: database.db, clock });
  worker.register(PAYOUT_SEND_QUEUE, createPayoutSendHandler(deps, payoutProvider));
  worker.every('payouts.status', PAYOUT_STATUS_INTERVAL_MS, async () => {
    await checkSentPayouts(deps, payoutProvider);
  });
  // Payouts whose send attempts ran out: ask the bank by payout id; give the money back if it never
  // got it. Scheduled payouts: once per shop and period, under a row lock and a unique key.
  worker.every('payouts.reconcile', PAYOUT_RECONCILE_INTERVAL_MS, async () => {
    await reconcileStuckPayouts(deps, payoutProvider);
  });
  worker.every('payouts.schedule', PAYOUT_SCHEDULE_INTERVAL_MS, async () => {
    await runDuePayoutSchedules(deps);
  });
  // Closing documents (src/modules/documents): last month's set for every active account, issued once
  // per account, kind and period (a unique key), so the hourly run is a no-op once the month is done.
  worker.register(DOCUMENT_GENERATE_QUEUE, createDocumentGenerateHandler(deps));
  worker.every('documents.monthly', MONTHLY_DOCUMENTS_INTERVAL_MS, async () => {
    await runMonthlyDocuments(deps);
  });
  // The daily payment digest (src/modules/messages): once per person and Moscow day, on every node.
  worker.every('messages.payment-digest', PAYMENT_DIGEST_INTERVAL_MS, async () => {
    await runPaymentDigests(deps);
  });
  return {
    deps,
    database,
    worker,
    async close() {
      await worker.stop();
      await database.close();
    },
  };
}

const DAY_MS = 24 * 3_600_000;

function scheduleHousekeeping(worker: JobWorker, deps: Deps): void {
  const daysAgo = (days: number) => new Date(deps.clock.now().getTime() - days * DAY_MS);
  worker.every('housekeeping', 3_600_000, async () => {
    await deleteExpiredRateLimitWindows(deps.db, daysAgo(1));
    await deleteFinishedJobs(deps.db, daysAgo(14));
    await deleteStaleSessionsAndLinks(deps.db, daysAgo(30));
    // Idempotency-Key answers are remembered for 24 hours (README, JSON API v1).
    const idempotencyCutoff = new Date(deps.clock.now().getTime() - IDEMPOTENCY_RETENTION_MS);
    await deleteStaleIdempotencyRecords(deps.db, idempotencyCutoff);
    await deleteExpiredExports(deps.db, deps.clock.now());
  });
}
