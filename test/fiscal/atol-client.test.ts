/**
 * The ATOL Online v5 client against Kopek's ATOL sandbox over real HTTP on loopback: tokens (cached,
 * renewed after error 11 and after 23 hours), registration answers (accepted, error 33 repeat, schema
 * error 32, wrong password 12, HTTP 500), a timeout followed by a resend that registers nothing new,
 * report states (wait then done, by polls and by the clock; fail), callbacks, and logs without secrets.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AtolOnlineClient,
  buildAtolDocument,
  FiscalProviderUnavailableError,
  type AtolDocument,
  type AtolSandbox,
  type FiscalAccount,
  type ReportAnswer,
  type SandboxBehaviour,
} from '../../src/modules/fiscal/index.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import {
  captureLogs,
  createSandboxGroup,
  draftOf,
  eventually,
  listenOnLoopback,
  sandboxOf,
  SHOP_INN,
  startCallbackServer,
  type SandboxGroup,
} from './helpers.js';

let context: TestContext;
let baseUrl: string;
let sandbox: AtolSandbox;
const logs = captureLogs();

beforeAll(async () => {
  context = await createTestContext();
  ({ baseUrl } = await listenOnLoopback(context));
  sandbox = sandboxOf(context);
}, 60_000);

afterAll(async () => {
  await context?.close();
});

/** A client whose fetch records every call's method and path. */
function createClient(timeoutMs = 2_000) {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
  const client = new AtolOnlineClient({ clock: context.clock, logger: logs.logger, timeoutMs, fetchImpl });
  const tokenCalls = () => calls.filter((call) => call.endsWith('/getToken')).length;
  return { client, calls, tokenCalls };
}

function accountOf(group: SandboxGroup): FiscalAccount {
  return { baseUrl, login: group.login, password: group.password, groupCode: group.groupCode };
}

function documentFor(
  group: SandboxGroup,
  options: { priceMinor?: bigint; inn?: string; callbackUrl?: string } = {},
): AtolDocument {
  const document = buildAtolDocument({
    externalId: `ext-${randomBytes(6).toString('hex')}`,
    createdAt: context.clock.now(),
    company: {
      inn: options.inn ?? group.inn,
      sno: 'osn',
      paymentAddress: 'https://books.example.ru',
      email: 'shop@example.ru',
    },
    draft: draftOf(options.priceMinor ?? 149_000n),
  });
  return options.callbackUrl ? { ...document, service: { callback_url: options.callbackUrl } } : document;
}

async function registerNew(client: AtolOnlineClient, group: SandboxGroup, document = documentFor(group)) {
  const answer = await client.register(accountOf(group), { operation: 'sell', document });
  if (answer.outcome !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(answer)}`);
  return { uuid: answer.uuid, document };
}

describe('tokens', () => {
  it('caches the token, and after error 11 (expired) gets a new one and sends the request once more', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client, tokenCalls } = createClient();
    const { uuid } = await registerNew(client, group);
    await client.fetchReport(accountOf(group), uuid);
    expect(tokenCalls()).toBe(1);

    expect(await sandbox.expireTokens(group.groupCode)).toBe(1);
    const report = await client.fetchReport(accountOf(group), uuid);
    expect(report.status).toBe('done');
    expect(tokenCalls()).toBe(2);
    // The renewed token is cached again.
    await registerNew(client, group);
    expect(tokenCalls()).toBe(2);
  });

  it('asks for a new token after 23 hours of the clock, before ATOL would refuse it', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client, tokenCalls } = createClient();
    await registerNew(client, group);
    context.clock.advanceMs(22 * 3_600_000);
    await registerNew(client, group);
    expect(tokenCalls()).toBe(1);
    context.clock.advanceMs(3_600_000);
    await registerNew(client, group);
    expect(tokenCalls()).toBe(2);
  });

  it('sends the request once more only once: a token refused twice is "no answer", nothing is rejected', async () => {
    const group = await createSandboxGroup(sandbox, { tokenLifetimeSeconds: 0 });
    const { client, tokenCalls } = createClient();
    await expect(
      client.register(accountOf(group), { operation: 'sell', document: documentFor(group) }),
    ).rejects.toThrow(FiscalProviderUnavailableError);
    expect(tokenCalls()).toBe(2);
    expect(await sandbox.listDocuments(group.groupCode)).toHaveLength(0);
  });
});

describe('registration answers', () => {
  const cases: {
    name: string;
    behaviour?: Partial<SandboxBehaviour>;
    account?: (group: SandboxGroup) => FiscalAccount;
    document?: (group: SandboxGroup) => AtolDocument;
    expected: { outcome: 'accepted' | 'rejected' | 'unavailable'; code?: number };
    documents: number;
  }[] = [
    { name: 'a valid document is accepted (wait, uuid)', expected: { outcome: 'accepted' }, documents: 1 },
    {
      name: 'a schema error is rejected with 32',
      document: (group) => {
        const document = documentFor(group);
        return { ...document, receipt: { ...document.receipt, items: [] } };
      },
      expected: { outcome: 'rejected', code: 32 },
      documents: 0,
    },
    {
      name: 'a wrong password is rejected with 12',
      account: (group) => ({ ...accountOf(group), password: 'wrong' }),
      expected: { outcome: 'rejected', code: 12 },
      documents: 0,
    },
    {
      name: 'another group with this token is rejected with 20',
      account: (group) => ({ ...accountOf(group), groupCode: 'v5-online-atol-ru_5179' }),
      expected: { outcome: 'rejected', code: 20 },
      documents: 0,
    },
    {
      name: 'HTTP 500 (error 50) is "no answer": try again later',
      behaviour: { unavailableAnswers: 1 },
      expected: { outcome: 'unavailable' },
      documents: 0,
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const group = await createSandboxGroup(sandbox, testCase.behaviour ?? {});
      const { client } = createClient();
      const account = testCase.account?.(group) ?? accountOf(group);
      const document = testCase.document?.(group) ?? documentFor(group);
      const result = await client
        .register(account, { operation: 'sell', document })
        .catch((error: unknown) =>
          error instanceof FiscalProviderUnavailableError ? 'unavailable' : Promise.reject(error),
        );
      if (testCase.expected.outcome === 'unavailable') expect(result).toBe('unavailable');
      else {
        expect(result).toMatchObject({ outcome: testCase.expected.outcome });
        if (testCase.expected.code !== undefined)
          expect(result).toMatchObject({ error: { code: testCase.expected.code } });
      }
      expect(await sandbox.listDocuments(group.groupCode)).toHaveLength(testCase.documents);
    });
  }

  it('a repeated external_id answers error 33 with the first uuid, taken as success; one document', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client } = createClient();
    const first = await registerNew(client, group);
    const again = await client.register(accountOf(group), { operation: 'sell', document: first.document });
    expect(again).toEqual({ outcome: 'accepted', uuid: first.uuid, isRepeat: true });
    const documents = await sandbox.listDocuments(group.groupCode);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ uuid: first.uuid, timesReceived: 2 });
  });

  it('a timeout is "no answer"; the resend with the same external_id gets the same uuid and registers nothing new', async () => {
    const group = await createSandboxGroup(sandbox, { answerDelayMs: 1_500, delayedAnswers: 1 });
    const { client } = createClient(300);
    const document = documentFor(group);
    await expect(client.register(accountOf(group), { operation: 'sell', document })).rejects.toThrow(
      /no answer within 300 ms/,
    );
    // The sandbox had stored the document before its answer was late, as ATOL may have.
    const [stored] = await sandbox.listDocuments(group.groupCode);
    expect(stored?.externalId).toBe(document.external_id);

    const resent = await client.register(accountOf(group), { operation: 'sell', document });
    expect(resent).toEqual({ outcome: 'accepted', uuid: stored?.uuid, isRepeat: true });
    const documents = await sandbox.listDocuments(group.groupCode);
    expect(documents).toHaveLength(1);
    expect(documents[0]?.timesReceived).toBe(2);
  });

  it('a refused connection is "no answer"', async () => {
    const { client } = createClient();
    const account = {
      baseUrl: 'http://127.0.0.1:1/possystem/v5/',
      login: 'x',
      password: 'y',
      groupCode: 'g',
    };
    await expect(
      client.register(account, {
        operation: 'sell',
        document: documentFor({ groupCode: 'g', login: 'x', password: 'y', inn: SHOP_INN }),
      }),
    ).rejects.toThrow(FiscalProviderUnavailableError);
  });
});

describe('reports', () => {
  const cases: {
    name: string;
    behaviour?: Partial<SandboxBehaviour>;
    document?: (group: SandboxGroup) => AtolDocument;
    /** Clock milliseconds to move before each poll. */
    advanceMs?: number;
    statuses: ReportAnswer['status'][];
    errorCode?: number;
  }[] = [
    { name: 'done at the first poll', statuses: ['done'] },
    {
      name: 'wait for two polls (error 34), then done',
      behaviour: { waitPolls: 2 },
      statuses: ['wait', 'wait', 'done'],
    },
    {
      name: 'wait 30 seconds of the clock, then done',
      behaviour: { waitSeconds: 30 },
      advanceMs: 20_000,
      statuses: ['wait', 'done'],
    },
    {
      name: 'fail when the register refuses the receipt',
      behaviour: { outcome: 'fail' },
      statuses: ['fail'],
      errorCode: 2009,
    },
    {
      name: "fail with 2009 for another company's INN",
      document: (group) => documentFor(group, { inn: '5544332219' }),
      statuses: ['fail'],
      errorCode: 2009,
    },
    {
      name: 'fail with 16 when a line sum is not price × quantity',
      document: (group) => {
        const document = documentFor(group);
        const [item] = document.receipt.items;
        return { ...document, receipt: { ...document.receipt, items: [{ ...item!, sum: item!.sum + 1 }] } };
      },
      statuses: ['fail'],
      errorCode: 16,
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const group = await createSandboxGroup(sandbox, testCase.behaviour ?? {});
      const { client } = createClient();
      const { uuid, document } = await registerNew(client, group, testCase.document?.(group));
      const seen: ReportAnswer[] = [];
      for (let poll = 0; poll < testCase.statuses.length; poll += 1) {
        context.clock.advanceMs(testCase.advanceMs ?? 1_000);
        seen.push(await client.fetchReport(accountOf(group), uuid));
      }
      expect(seen.map((answer) => answer.status)).toEqual(testCase.statuses);
      const last = seen.at(-1);
      if (last?.status === 'fail') expect(last.error.code).toBe(testCase.errorCode);
      if (last?.status === 'done') {
        expect(last.fiscal.fnNumber).toMatch(/^\d{16}$/);
        expect(last.fiscal.fiscalDocumentNumber).toBeGreaterThan(0n);
        expect(last.fiscal.totalMinor).toBe(BigInt(Math.round(document.receipt.total * 100)));
        expect(last.fiscal.receiptDatetime).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);
      }
    });
  }

  it('numbers documents within the group and its shift', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client } = createClient();
    const numbers: [bigint, number][] = [];
    for (let index = 0; index < 3; index += 1) {
      const { uuid } = await registerNew(client, group);
      const report = await client.fetchReport(accountOf(group), uuid);
      if (report.status !== 'done') throw new Error('not done');
      numbers.push([report.fiscal.fiscalDocumentNumber, report.fiscal.fiscalReceiptNumber]);
    }
    expect(numbers).toEqual([
      [1n, 1],
      [2n, 2],
      [3n, 3],
    ]);
  });

  it('an unknown uuid is "no answer" (error 30), never a failed receipt', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client } = createClient();
    await expect(client.fetchReport(accountOf(group), 'no-such-uuid')).rejects.toThrow(/error 30/);
  });
});

describe('callbacks', () => {
  it('POSTs the report to callback_url when the document is done', async () => {
    const server = await startCallbackServer();
    try {
      const group = await createSandboxGroup(sandbox);
      const { client } = createClient();
      const { uuid } = await registerNew(client, group, documentFor(group, { callbackUrl: server.url }));
      await eventually(() => server.received.length === 1);
      expect(server.received[0]?.body).toMatchObject({ uuid, status: 'done', group_code: group.groupCode });
      expect((server.received[0]?.body.payload as { fn_number: string }).fn_number).toMatch(/^\d{16}$/);
      await eventually(
        async () => (await sandbox.listDocuments(group.groupCode))[0]?.callbackResult === 'HTTP 200',
      );
    } finally {
      await server.close();
    }
  });

  it('POSTs a failed report too, when its wait ends with time', async () => {
    const server = await startCallbackServer();
    try {
      const group = await createSandboxGroup(sandbox, { waitSeconds: 60, outcome: 'fail' });
      const { client } = createClient();
      const { uuid } = await registerNew(client, group, documentFor(group, { callbackUrl: server.url }));
      expect(await sandbox.processDueDocuments()).toBe(0);
      context.clock.advanceMs(61_000);
      expect(await sandbox.processDueDocuments()).toBeGreaterThanOrEqual(1);
      await eventually(() => server.received.some((call) => call.body.uuid === uuid));
      expect(server.received.find((call) => call.body.uuid === uuid)?.body).toMatchObject({ status: 'fail' });
    } finally {
      await server.close();
    }
  });

  it('a callback_url outside the mask is reported in warnings and never called', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client } = createClient();
    const { uuid } = await registerNew(
      client,
      group,
      documentFor(group, { callbackUrl: 'ftp://example.ru/x' }),
    );
    const report = await client.fetchReport(accountOf(group), uuid);
    expect(report.status).toBe('done');
    const [document] = await sandbox.listDocuments(group.groupCode);
    expect(document?.callbackResult).toBeNull();
  });
});

describe('logs', () => {
  it('say what was called and answered, and never hold a password or a token', async () => {
    const group = await createSandboxGroup(sandbox);
    const { client } = createClient();
    const { uuid } = await registerNew(client, group);
    await client.fetchReport(accountOf(group), uuid);
    const text = logs.lines.join('\n');
    expect(text).toContain('fiscal provider answered');
    expect(text).toContain(`/${group.groupCode}/sell`);
    const tokens = await context.deps.db
      .withTables<{ atol_sandbox_tokens: { token: string; login: string } }>()
      .selectFrom('atol_sandbox_tokens')
      .select('token')
      .execute();
    expect(tokens.length).toBeGreaterThan(0);
    for (const { token } of tokens) expect(text).not.toContain(token);
    expect(text).not.toContain(group.password);
    // Nor the buyer's contact, which the document carries.
    expect(text).not.toContain('buyer@example.ru');
  });
});
