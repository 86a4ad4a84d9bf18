/** Helpers for payment tests: signed Robokassa requests for the demo shop and a merchant's ResultURL stub. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { hashHex } from '../../src/modules/protocol/index.js';
import { DEMO, seedDemoData } from '../../src/seed.js';
import type { TestContext } from './harness.js';

export interface InitOptions {
  readonly outSum?: string;
  readonly invId?: string;
  readonly isTest?: boolean;
  readonly shp?: Record<string, string>;
  readonly extra?: Record<string, string>;
  readonly password?: string;
}

/** A signed payment request URL for the demo shop, built the way a merchant's site builds it. */
export function demoInitUrl(options: InitOptions = {}): string {
  const outSum = options.outSum ?? '100.00';
  const invId = options.invId ?? '';
  const password = options.password ?? (options.isTest ? DEMO.shop.testPassword1 : DEMO.shop.password1);
  const shp = Object.entries(options.shp ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const base = [
    DEMO.shop.merchantLogin,
    outSum,
    invId,
    password,
    ...shp.map(([name, value]) => `${name}=${value}`),
  ].join(':');
  const query = new URLSearchParams({
    MerchantLogin: DEMO.shop.merchantLogin,
    OutSum: outSum,
    ...(invId ? { InvId: invId } : {}),
    Description: 'Тестовый заказ',
    SignatureValue: hashHex('MD5', base),
    ...(options.isTest ? { IsTest: '1' } : {}),
    ...Object.fromEntries(shp),
    ...options.extra,
  });
  return `/Merchant/Index.aspx?${query.toString()}`;
}

export interface ReceivedCall {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly fields: URLSearchParams;
}

/** The merchant's server: answers OK<InvId> unless told otherwise, and keeps every call. */
export class MerchantStub {
  readonly calls: ReceivedCall[] = [];
  answer: (fields: URLSearchParams) => { status: number; body: string } = (fields) => ({
    status: 200,
    body: `OK${fields.get('InvId') ?? ''}`,
  });
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const query = new URL(request.url ?? '/', 'http://stub').searchParams;
        const fields = request.method === 'POST' ? new URLSearchParams(body) : query;
        this.calls.push({ method: request.method ?? '', url: request.url ?? '', body, fields });
        const { status, body: answer } = this.answer(fields);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/result`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Seeds the demo shop and points its ResultURL at the stub. */
export async function prepareDemoShop(context: TestContext, stub: MerchantStub): Promise<void> {
  await seedDemoData(context.deps);
  await context.deps.db
    .updateTable('shops')
    .set({ result_url: stub.url, result_method: 'POST' })
    .where('merchant_login', '=', 'demo')
    .execute();
}

export function paymentIdFrom(location: string | undefined): string {
  const match = /\/Merchant\/Index\/(pay_\w+)$/.exec(location ?? '');
  if (!match?.[1]) throw new Error(`not a payment page location: ${location}`);
  return match[1];
}

export async function startDemoPayment(app: FastifyInstance, options: InitOptions = {}): Promise<string> {
  const response = await app.inject({ method: 'GET', url: demoInitUrl(options) });
  if (response.statusCode !== 303)
    throw new Error(`payment request refused (${response.statusCode}): ${response.body.slice(0, 500)}`);
  return paymentIdFrom(response.headers.location as string);
}

export function cardForm(
  cardNumber: string,
  submissionKey = `key-${Math.random()}`,
  extra: Record<string, string> = {},
) {
  return new URLSearchParams({ cardNumber, expiry: '12/30', cvc: '123', submissionKey, ...extra }).toString();
}

export async function submitCard(app: FastifyInstance, paymentId: string, form: string) {
  return app.inject({
    method: 'POST',
    url: `/Merchant/Index/${paymentId}/card`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form,
  });
}
