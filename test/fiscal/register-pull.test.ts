/**
 * Register data pulled by document id: the merchant's own register documents are registered in the ATOL
 * sandbox (as the merchant's cash registers would), then the cabinet pulls their reports over HTTP with
 * the shop's ATOL account; done ones become register receipts, a repeat pull is all duplicates, unknown
 * and malformed ids are named.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtolOnlineClient, buildAtolDocument, type AtolSandbox } from '../../src/modules/fiscal/index.js';
import { withFiscalTables } from '../../src/modules/fiscal/fiscal.tables.js';
import type { TestBrowser } from '../support/client.js';
import { createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  createSandboxGroup,
  draftOf,
  listenOnLoopback,
  sandboxOf,
  SHOP_INN,
  type SandboxGroup,
} from './helpers.js';

let context: TestContext;
let baseUrl: string;
let sandbox: AtolSandbox;
let admin: TestBrowser;
let shopId: string;
let group: SandboxGroup;

beforeAll(async () => {
  context = await createTestContext();
  ({ baseUrl } = await listenOnLoopback(context));
  sandbox = sandboxOf(context);
  admin = (await registerMerchant(context)).browser;
  shopId = (await createShopVia(admin)).id;
  group = await createSandboxGroup(sandbox);
  const saved = await admin.request('PUT', `/api/cabinet/shops/${shopId}/fiscal-settings`, {
    provider: 'atol',
    baseUrl,
    login: group.login,
    password: group.password,
    groupCode: group.groupCode,
    companyInn: SHOP_INN,
    paymentAddress: 'https://books.example.ru',
    sno: 'osn',
    companyEmail: 'shop@example.ru',
  });
  expect(saved.statusCode, saved.body).toBe(200);
}, 60_000);
afterAll(async () => context?.close());

/** A document of the merchant's own register, registered straight with ATOL (the sandbox). */
async function registerAtTheRegister(priceMinor: bigint): Promise<string> {
  const client = new AtolOnlineClient({
    clock: context.clock,
    logger: context.deps.logger,
    timeoutMs: 2_000,
  });
  const document = buildAtolDocument({
    externalId: `register-${randomBytes(6).toString('hex')}`,
    createdAt: context.clock.now(),
    company: {
      inn: SHOP_INN,
      sno: 'osn',
      paymentAddress: 'https://books.example.ru',
      email: 'shop@example.ru',
    },
    draft: draftOf(priceMinor),
  });
  const answer = await client.register(
    { baseUrl, login: group.login, password: group.password, groupCode: group.groupCode },
    { operation: 'sell', document },
  );
  if (answer.outcome !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(answer)}`);
  return answer.uuid;
}

const pull = (uuids: string[]) => admin.post(`/api/cabinet/shops/${shopId}/fiscal-import/pull`, { uuids });

describe('pulling register reports by document id', () => {
  it('stores the done documents as register receipts, once', async () => {
    const first = await registerAtTheRegister(50_000n);
    const second = await registerAtTheRegister(12_345n);
    const unknown = randomUUID();
    const answer = await pull([first, second.toUpperCase(), unknown]);
    expect(answer.statusCode, answer.body).toBe(200);
    const result = answer.json() as {
      imported: number;
      duplicates: number;
      pending: string[];
      failed: { uuid: string }[];
    };
    // The sandbox finishes documents at once by default: both are done, the unknown one is refused.
    expect(result).toMatchObject({ imported: 2, duplicates: 0, pending: [] });
    expect(result.failed.map((item) => item.uuid)).toEqual([unknown]);
    const rows = await withFiscalTables(context.deps.db)
      .selectFrom('imported_receipts')
      .select(['source', 'total_minor'])
      .where('shop_id', '=', shopId)
      .orderBy('total_minor')
      .execute();
    expect(rows).toEqual([
      { source: 'pull', total_minor: 12_345n },
      { source: 'pull', total_minor: 50_000n },
    ]);
    expect((await pull([first, second])).json()).toMatchObject({ imported: 0, duplicates: 2 });
  });

  it('names malformed ids and changes nothing', async () => {
    const answer = await pull(['not-a-uuid', randomUUID()]);
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.fields.uuids.code).toBe('invalid_uuids');
    expect((await pull([])).json().error.fields.uuids.code).toBe('invalid_uuids');
  });

  it("answers 404 for another account's shop", async () => {
    const stranger = (await registerMerchant(context)).browser;
    const answer = await stranger.post(`/api/cabinet/shops/${shopId}/fiscal-import/pull`, {
      uuids: [randomUUID()],
    });
    expect(answer.statusCode).toBe(404);
  });
});
