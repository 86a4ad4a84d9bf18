/**
 * Building blocks of the fault drills (test/faults/faults.ts): a fresh PostgreSQL database, a Kopek node
 * in a child process that can be killed with SIGKILL and started again (bench/kopek-server.ts, the same
 * entry the payment benchmark uses), the merchant's ResultURL server with switchable faults, and a buyer
 * who pays by card over HTTP and, like a person, tries again when the server is gone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ChildMessage } from '../../bench/kopek-server.js';
import { hashHex } from '../../src/modules/protocol/index.js';
import { DEMO } from '../../src/seed.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER_ENTRY = path.join(PROJECT_ROOT, 'bench', 'kopek-server.ts');
export const ADMIN_DATABASE_URL =
  process.env.FAULTS_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/* ---------------------------------------------------------------------------------------------- */
/* The database                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

export interface FaultDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createFaultDatabase(): Promise<FaultDatabase> {
  const name = `kopek_faults_${randomBytes(5).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/* ---------------------------------------------------------------------------------------------- */
/* A Kopek node in a child process                                                                  */
/* ---------------------------------------------------------------------------------------------- */

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Job lease and ResultURL deadline of the drill's nodes: short, so a killed node's jobs return soon. */
export const DRILL_LEASE_MS = 8_000;
export const DRILL_NOTIFY_TIMEOUT_MS = 3_000;

export class KopekNode {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly startTimesMs: number[] = [];
  kills = 0;

  private constructor(
    private readonly databaseUrl: string,
    readonly port: number,
    readonly role: 'all' | 'http' | 'worker' = 'all',
  ) {}

  /** role as `kopek start --role` (bench/kopek-server.ts BENCH_ROLE); the cluster drill starts http and worker nodes. */
  static async start(databaseUrl: string, role: 'all' | 'http' | 'worker' = 'all'): Promise<KopekNode> {
    const node = new KopekNode(databaseUrl, await findFreePort(), role);
    await node.boot();
    return node;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until it listens (migrations and demo data included). */
  async boot(): Promise<void> {
    const startedAt = performance.now();
    const child = fork(SERVER_ENTRY, [], {
      execArgv: process.execArgv,
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        PORT: String(this.port),
        PUBLIC_URL: this.baseUrl,
        BENCH_WORKER: 'fast',
        BENCH_ROLE: this.role,
        BENCH_POLL_MS: '20',
        BENCH_WORKERS: '1',
        BENCH_LEASE_MS: String(DRILL_LEASE_MS),
        BENCH_NOTIFY_TIMEOUT_MS: String(DRILL_NOTIFY_TIMEOUT_MS),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Kopek did not start within 60 s')), 60_000);
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'ready' && message.type !== 'failed') return;
        clearTimeout(timer);
        if (message.type === 'failed') reject(new Error(`Kopek failed to start: ${message.message}`));
        else resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Kopek exited (code ${code}) before it was ready`));
      });
    });
    this.startTimesMs.push(performance.now() - startedAt);
  }

  /** kill -9: no handler runs, open transactions are cut, in-flight requests lose their connection. */
  async killHard(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.kills += 1;
  }

  /** A clean stop, as at the end of a drill. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Points the demo shop's ResultURL at the stub (POST), as the payment benchmark does. */
export async function pointResultUrlAt(database: FaultDatabase, resultUrl: string): Promise<void> {
  await database.pool.query(
    `update shops set result_url = $1, result_method = 'POST' where merchant_login = $2`,
    [resultUrl, DEMO.shop.merchantLogin],
  );
}

/* ---------------------------------------------------------------------------------------------- */
/* The merchant's ResultURL server                                                                  */
/* ---------------------------------------------------------------------------------------------- */

/** How the merchant answers: OK<InvId>, 503 (down), no answer within the deadline (slow), or garbage. */
export type MerchantMode = 'ok' | 'down' | 'slow' | 'garbage';

export class ResultUrlStub {
  /** InvId → how many times its ResultURL arrived (duplicates are allowed and counted). */
  readonly received = new Map<string, number>();
  readonly problems: string[] = [];
  /** The mode per InvId; InvIds without one get `defaultMode`. */
  readonly modes = new Map<string, MerchantMode>();
  defaultMode: MerchantMode = 'ok';
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/result`;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const invId = fields.get('InvId') ?? '';
      const expected = hashHex('MD5', `${fields.get('OutSum') ?? ''}:${invId}:${DEMO.shop.password2}`);
      if ((fields.get('SignatureValue') ?? '').toLowerCase() !== expected)
        this.problems.push(`InvId ${invId}: ResultURL signature does not match Password #2`);
      const mode = this.modes.get(invId) ?? this.defaultMode;
      if (mode === 'down') {
        response.writeHead(503).end('Service Unavailable');
      } else if (mode === 'slow') {
        // Longer than Kopek's deadline: the attempt must be recorded as "no answer".
        setTimeout(() => response.writeHead(200).end(`OK${invId}`), DRILL_NOTIFY_TIMEOUT_MS + 2_000);
      } else if (mode === 'garbage') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Thanks!</html>');
      } else {
        this.received.set(invId, (this.received.get(invId) ?? 0) + 1);
        response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK${invId}`);
      }
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* The buyer                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

export type BuyerOutcome =
  | { readonly kind: 'paid'; readonly retries: number }
  /** The card attempt's outcome is unknown to Kopek (it died between recording and the bank's answer). */
  | { readonly kind: 'unresolved'; readonly retries: number; readonly detail: string }
  | { readonly kind: 'refused'; readonly retries: number; readonly detail: string };

const CARD_NUMBER = '4111 1111 1111 1111'; // sandbox: approved without 3-D Secure

interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
}

/**
 * One payment as a buyer makes it. Network errors (the node is being killed or restarted) are retried
 * every 200 ms; the flow then resumes from what the payment page says, so no step is skipped or doubled:
 * Index.aspx with the same InvId reuses the unpaid payment, and the card form is posted again with the
 * same submissionKey, which Kopek answers with the attempt it already recorded.
 */
export class Buyer {
  retries = 0;

  constructor(
    private readonly baseUrl: () => string,
    private readonly deadlineMs: number,
  ) {}

  private async call(pathOrUrl: string, init: RequestInit = {}): Promise<Answer> {
    for (;;) {
      try {
        const response = await fetch(new URL(pathOrUrl, this.baseUrl()), {
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
          ...init,
        });
        return {
          status: response.status,
          location: response.headers.get('location'),
          body: await response.text(),
        };
      } catch {
        this.retries += 1;
        await sleep(200);
      }
    }
  }

  async pay(invId: string, outSum: string): Promise<BuyerOutcome> {
    const query = new URLSearchParams({
      MerchantLogin: DEMO.shop.merchantLogin,
      OutSum: outSum,
      InvId: invId,
      Description: `Fault drill ${invId}`,
      SignatureValue: hashHex('MD5', `${DEMO.shop.merchantLogin}:${outSum}:${invId}:${DEMO.shop.password1}`),
      Culture: 'en',
    });
    let init = await this.call(`/Merchant/Index.aspx?${query.toString()}`);
    while (init.status >= 500) init = await this.call(`/Merchant/Index.aspx?${query.toString()}`);
    if (init.status !== 303 || !init.location)
      return { kind: 'refused', retries: this.retries, detail: `init ${init.status} ${excerpt(init.body)}` };
    const paymentPath = new URL(init.location, this.baseUrl()).pathname;
    let submissionKey: string | undefined;
    const giveUpAt = performance.now() + this.deadlineMs;
    while (performance.now() < giveUpAt) {
      const page = await this.call(paymentPath);
      if (page.status === 200 && page.body.includes('Payment received'))
        return { kind: 'paid', retries: this.retries };
      const form = /name="submissionKey" value="([^"]+)"/.exec(page.body);
      const action = /<form method="post" action="([^"]+\/card)"/.exec(page.body)?.[1];
      if (form?.[1] && action) {
        submissionKey ??= form[1];
        await this.call(action, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            submissionKey,
            cardNumber: CARD_NUMBER,
            expiry: '12/35',
            cvc: '123',
          }).toString(),
        });
        continue;
      }
      if (page.status >= 500 || page.body.includes('http-equiv="refresh"')) {
        await sleep(300);
        continue;
      }
      return { kind: 'refused', retries: this.retries, detail: `page ${page.status} ${excerpt(page.body)}` };
    }
    return {
      kind: 'unresolved',
      retries: this.retries,
      detail: 'still waiting for the bank at the deadline',
    };
  }
}

function excerpt(body: string): string {
  return body
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}
