/**
 * Starts Kopek for a browser journey exactly as `kopek start` does (HTTP and worker in one process), on a
 * fresh PostgreSQL database, sending mail to a MailCatcher. The built cabinet (dist/web) is served.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { seedDemoData } from '../../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { MailCatcher } from './mail-server.js';

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningKopek {
  readonly baseUrl: string;
  readonly mail: MailCatcher;
  readonly runtime: Runtime;
  stop(): Promise<void>;
}

/** `environment`: settings of this server beyond the tests' defaults (e.g. a sandbox's delay). */
export async function startKopek(environment: Readonly<Record<string, string>> = {}): Promise<RunningKopek> {
  const mail = new MailCatcher();
  await mail.start();
  const database: TestDatabase = await createTestDatabase();
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    KOPEK_MASTER_KEY: '22'.repeat(32),
    PUBLIC_URL: baseUrl,
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...environment,
  });
  const runtime = await openRuntime(config, { signInFailureDelayMs: 0 });
  await seedDemoData(runtime.deps);
  const app: FastifyInstance = await buildApp(runtime.deps);
  await app.listen({ port, host: '127.0.0.1' });
  runtime.worker.start();
  return {
    baseUrl,
    mail,
    runtime,
    async stop() {
      await app.close();
      await runtime.close();
      await mail.stop();
      await database.drop();
    },
  };
}
