#!/usr/bin/env node
/**
 * The `kopek` command: start [--role=http|worker|all], migrate, seed.
 * One process kind; roles let several nodes split HTTP and background work over one PostgreSQL.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openRuntime, type Runtime } from './runtime.js';
import { DEMO, seedDemoData } from './seed.js';

type Role = 'http' | 'worker' | 'all';

function parseRole(argv: readonly string[]): Role {
  const flag = argv.find((argument) => argument.startsWith('--role='));
  const role = flag?.slice('--role='.length) ?? 'all';
  if (role === 'http' || role === 'worker' || role === 'all') return role;
  throw new ConfigError('--role', `expected http, worker or all, got "${role}"`);
}

function printWelcome(config: Config, runtime: Runtime, role: Role): void {
  const url = config.publicUrl;
  const lines = [
    '',
    `Kopek is running (${role}, database: ${runtime.database.kind === 'embedded' ? `embedded in ${config.dataDir}/pg` : 'PostgreSQL'})`,
    `  Cabinet:       ${url}/login`,
    `  Registration:  ${url}/reg`,
    `  Back-office:   ${url}/backoffice`,
    `  Health:        ${url}/health    Metrics: ${url}/metrics`,
  ];
  if (!config.isProduction) {
    lines.push(
      `  Mailbox (dev): ${url}/dev/mailbox`,
      `  Demo store:    ${url}/demo-store  (pays through the sandbox; test cards in the README)`,
      '',
      'Demo data (see README):',
      `  Merchant administrator: ${DEMO.administrator.email} / ${DEMO.administrator.password} (account login "${DEMO.account.login}", personal login "${DEMO.administrator.login}")`,
      `  Operator:               ${DEMO.operator.email} / ${DEMO.operator.password}`,
      `  Demo shop MerchantLogin "${DEMO.shop.merchantLogin}": Password #1 ${DEMO.shop.password1}, #2 ${DEMO.shop.password2}, #3 ${DEMO.shop.password3}, test ${DEMO.shop.testPassword1} / ${DEMO.shop.testPassword2}, MD5`,
      `  Promo code:             ${DEMO.promoCode}`,
    );
  }
  console.log(lines.join('\n') + '\n');
}

async function start(config: Config, role: Role): Promise<void> {
  const runtime = await openRuntime(config);
  for (const warning of config.warnings) runtime.deps.logger.warn(warning);
  if (!config.isProduction) await seedDemoData(runtime.deps);
  const app = role === 'worker' ? undefined : await buildApp(runtime.deps, { collectProcessMetrics: true });
  if (app) await app.listen({ port: config.port, host: config.host });
  if (role !== 'http') runtime.worker.start();
  printWelcome(config, runtime, role);
  const shutdown = async (signal: string) => {
    runtime.deps.logger.info({ signal }, 'shutting down');
    await app?.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(argv: readonly string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start':
      return start(config, parseRole(rest));
    case 'migrate': {
      const runtime = await openRuntime(config);
      console.log('Migrations applied; the database is up to date.');
      return runtime.close();
    }
    case 'seed': {
      const runtime = await openRuntime(config);
      const { created } = await seedDemoData(runtime.deps);
      console.log(created ? 'Demo data created.' : 'Demo data already present; nothing changed.');
      return runtime.close();
    }
    default:
      console.error(
        `Unknown command "${command}". Usage: kopek start [--role=http|worker|all] | migrate | seed`,
      );
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
