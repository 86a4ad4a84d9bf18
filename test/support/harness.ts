/**
 * The test harness: a real PostgreSQL database, the app built exactly as in production (buildApp), a manual
 * clock, and a mail transport that records what the job worker delivers.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { JobWorker } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import type { MailTransport } from '../../src/platform/mail.js';
import { openRuntime, type RuntimeOverrides } from '../../src/runtime.js';
import { createTestDatabase } from './database.js';

export const TEST_MASTER_KEY = '11'.repeat(32);
export const TEST_PUBLIC_URL = 'http://kopek.test';

export interface SentMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export class RecordingTransport implements MailTransport {
  readonly name = 'smtp' as const;
  readonly sent: SentMail[] = [];

  async send(message: SentMail): Promise<void> {
    this.sent.push(message);
  }

  /** The newest Kopek link in mail to this address. */
  lastLinkTo(address: string): string {
    const mail = [...this.sent].reverse().find((item) => item.to === address);
    const link = mail?.text.match(new RegExp(`${TEST_PUBLIC_URL}/links/([\\w-]+)`));
    if (!link?.[1]) throw new Error(`no link mailed to ${address}`);
    return link[1];
  }
}

export interface TestContext {
  readonly deps: Deps;
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly worker: JobWorker;
  readonly mail: RecordingTransport;
  /** Delivers queued mail (and any other due jobs). */
  deliverMail(): Promise<void>;
  close(): Promise<void>;
}

export async function createTestContext(
  environment: Record<string, string> = {},
  providers: RuntimeOverrides['providers'] = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    KOPEK_MASTER_KEY: TEST_MASTER_KEY,
    PUBLIC_URL: TEST_PUBLIC_URL,
    ...environment,
  });
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const mail = new RecordingTransport();
  const runtime = await openRuntime(config, {
    clock,
    mailTransport: mail,
    logger: createLogger(config.logLevel),
    signInFailureDelayMs: 0,
    providers,
  });
  const app = await buildApp(runtime.deps, { webRoot: '/nonexistent' });
  return {
    deps: runtime.deps,
    app,
    clock,
    worker: runtime.worker,
    mail,
    deliverMail: () => runtime.worker.drain(),
    async close() {
      await app.close();
      await runtime.close();
      await database.drop();
    },
  };
}
