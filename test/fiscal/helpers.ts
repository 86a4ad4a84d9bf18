/**
 * Helpers for the fiscal tests: the app listening on loopback (so the ATOL client and the sandbox talk
 * real HTTP), sandbox groups, payment and refund rows, receipt drafts, a log capture, and a small HTTP
 * server that records callbacks.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import {
  AtolSandbox,
  type FiscalReceiptDraft,
  type SandboxBehaviour,
} from '../../src/modules/fiscal/index.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestContext } from '../support/harness.js';

/** A valid INN (check digits) other than the sandbox's public one. */
export const SHOP_INN = '7707083893';

/** Starts the test app on 127.0.0.1 with a free port; answers the sandbox's v5 base URL. */
export async function listenOnLoopback(context: TestContext): Promise<{ origin: string; baseUrl: string }> {
  await context.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (context.app.server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return { origin, baseUrl: `${origin}/atol-sandbox/possystem/v5/` };
}

let groups = 0;

export interface SandboxGroup {
  readonly groupCode: string;
  readonly login: string;
  readonly password: string;
  readonly inn: string;
}

/** A fresh sandbox account with its own group (documents and counters of its own). */
export async function createSandboxGroup(
  sandbox: AtolSandbox,
  behaviour: Partial<SandboxBehaviour> = {},
  inn = SHOP_INN,
): Promise<SandboxGroup> {
  groups += 1;
  const suffix = `${process.pid % 1000}-${groups}-${randomBytes(3).toString('hex')}`;
  const group = {
    groupCode: `test-group_${suffix}`,
    login: `test-login-${suffix}`,
    password: `pass-${suffix}`,
    inn,
  };
  await sandbox.configureGroup(group.groupCode, {
    login: group.login,
    password: group.password,
    inn,
    behaviour,
  });
  return group;
}

export function sandboxOf(context: TestContext): AtolSandbox {
  return new AtolSandbox({ db: context.deps.db, clock: context.clock, logger: context.deps.logger });
}

let invIds = 0;

/** A paid payment row of the shop (what markPaymentPaid leaves), inserted directly. */
export async function insertPayment(
  context: TestContext,
  shop: { readonly shopId: string; readonly accountId: string },
  amountMinor: bigint,
  options: { readonly isTest?: boolean; readonly currency?: string } = {},
): Promise<string> {
  invIds += 1;
  const id = `pay_fiscal${process.pid % 1000}x${invIds}${randomBytes(4).toString('hex')}`;
  const now = context.clock.now();
  await sql`
    insert into payments (id, shop_id, account_id, inv_id, is_inv_id_assigned, is_test, status, out_sum_text,
      amount_minor, currency, description, email, created_at, updated_at, paid_at)
    values (${id}, ${shop.shopId}, ${shop.accountId}, ${invIds}, false, ${options.isTest ?? false}, 'paid',
      ${(Number(amountMinor) / 100).toFixed(2)}, ${amountMinor}, ${options.currency ?? 'RUB'}, 'Заказ',
      'buyer@example.ru', ${now}, ${now}, ${now})`.execute(context.deps.db);
  return id;
}

export async function insertRefund(
  context: TestContext,
  shop: { readonly shopId: string; readonly accountId: string },
  paymentId: string,
  amountMinor: bigint,
): Promise<string> {
  const id = `rfd_fiscal${randomBytes(8).toString('hex')}`;
  const now = context.clock.now();
  await sql`
    insert into refunds (id, payment_id, shop_id, account_id, amount_minor, currency, status, source,
      request_id, created_at, finished_at)
    values (${id}, ${paymentId}, ${shop.shopId}, ${shop.accountId}, ${amountMinor}, 'RUB', 'finished',
      'cabinet', gen_random_uuid(), ${now}, ${now})`.execute(context.deps.db);
  return id;
}

/** One line: `quantity` pieces at `priceMinor`, VAT 20%. */
export function draftOf(
  priceMinor: bigint,
  quantity = 1n,
  overrides: Partial<FiscalReceiptDraft> = {},
): FiscalReceiptDraft {
  return {
    items: [
      {
        name: 'Кофе в зёрнах, 1 кг',
        priceMinor,
        quantityThousandths: quantity * 1000n,
        sumMinor: priceMinor * quantity,
        paymentMethod: 'full_prepayment',
        paymentObject: 'commodity',
        vat: 'vat20',
      },
    ],
    client: { email: 'buyer@example.ru' },
    ...overrides,
  };
}

/** A logger whose every line is kept, to check what the client logs. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

export interface ReceivedCallback {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A server that keeps every POST (the callback target). */
export async function startCallbackServer(): Promise<{
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/atol-callback`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits (real time) until the condition holds; callbacks are sent after the answer, asynchronously. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
