/**
 * Canned answers over HTTP on real PostgreSQL: support agents and administrators create, list, edit and
 * delete them (each change audited); titles are unique regardless of case; a body in at least one
 * language; every problem is a field error and stores nothing; finance, moderators and merchants are
 * refused, and a missing answer is "not found".
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let admin: { id: string; browser: TestBrowser };
let agent: { id: string; browser: TestBrowser };
let finance: { id: string; browser: TestBrowser };
let moderator: { id: string; browser: TestBrowser };
let merchant: TestBrowser;

interface CannedAnswer {
  id: string;
  title: string;
  bodyRu: string | null;
  bodyEn: string | null;
  category: string | null;
  createdAt: string;
  updatedAt: string;
}

const PATH = '/api/backoffice/support/canned-answers';

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  admin = await createOperator(context, 'administrator');
  agent = await createOperator(context, 'support');
  finance = await createOperator(context, 'finance');
  moderator = await createOperator(context, 'moderator');
  merchant = (await registerMerchant(context)).browser;
}, 60_000);
afterAll(async () => context?.close());

async function listAnswers(browser: TestBrowser): Promise<CannedAnswer[]> {
  const response = await browser.get(PATH);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { items: CannedAnswer[] }).items;
}

async function countAnswers(): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from support_canned_answers`.execute(
    context.deps.db,
  );
  return result.rows[0]!.n;
}

describe('canned answers', () => {
  it('lets a support agent create answers, listed by title, with bodies trimmed and blanks as null', async () => {
    const created = await agent.browser.post(PATH, {
      title: '  Не пришёл ResultURL  ',
      bodyRu: '  Проверьте, что ваш сервер отвечает OK{InvId}.  ',
      bodyEn: 'Check that your server answers OK{InvId}.',
      category: 'integration',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      title: 'Не пришёл ResultURL',
      bodyRu: 'Проверьте, что ваш сервер отвечает OK{InvId}.',
      bodyEn: 'Check that your server answers OK{InvId}.',
      category: 'integration',
    });
    expect((created.json() as CannedAnswer).id).toMatch(/^cna_/);

    const englishOnly = await admin.browser.post(PATH, {
      title: 'Refund timing',
      bodyRu: '   ',
      bodyEn: 'Refunds reach the card within 30 days.',
    });
    expect(englishOnly.statusCode, englishOnly.body).toBe(201);
    expect(englishOnly.json()).toMatchObject({ bodyRu: null, category: null });

    expect((await listAnswers(agent.browser)).map((answer) => answer.title)).toEqual([
      'Refund timing',
      'Не пришёл ResultURL',
    ]);
    const entries = await auditEntries(context, 'support.canned_answer_created', { actorUserId: agent.id });
    expect(entries.map((entry) => [entry.target, entry.details, entry.account_id])).toEqual([
      [(created.json() as CannedAnswer).id, { title: 'Не пришёл ResultURL' }, null],
    ]);
  });

  it('refuses a blank title, no body in any language, too long texts, a taken title and a bad category', async () => {
    const before = await countAnswers();
    const empty = await agent.browser.post(PATH, { title: ' ', bodyRu: '', bodyEn: null });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().error.fields).toMatchObject({
      title: { code: 'required' },
      bodyRu: { code: 'body_required' },
    });

    const tooLong = await agent.browser.post(PATH, { title: 'x'.repeat(201), bodyEn: 'y'.repeat(10_001) });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().error.fields).toMatchObject({
      title: { code: 'too_long' },
      bodyEn: { code: 'too_long' },
    });

    const taken = await agent.browser.post(PATH, { title: 'REFUND TIMING', bodyRu: 'Другой текст' });
    expect(taken.statusCode).toBe(422);
    expect(taken.json().error.fields.title.code).toBe('title_taken');

    const badCategory = await agent.browser.post(PATH, {
      title: 'Новый',
      bodyRu: 'Текст',
      category: 'gossip',
    });
    expect(badCategory.statusCode).toBe(422);
    expect(await countAnswers()).toBe(before);
  });

  it('edits an answer (the title stays unique) and deletes it, auditing both', async () => {
    const [refund, resultUrl] = await listAnswers(agent.browser);
    const edited = await agent.browser.request('PUT', `${PATH}/${resultUrl!.id}`, {
      title: 'ResultURL не доходит',
      bodyRu: 'Новый текст',
      bodyEn: null,
      category: 'payments',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      id: resultUrl!.id,
      title: 'ResultURL не доходит',
      bodyRu: 'Новый текст',
      bodyEn: null,
      category: 'payments',
    });

    const clash = await agent.browser.request('PUT', `${PATH}/${resultUrl!.id}`, {
      title: 'refund timing',
      bodyRu: 'Текст',
    });
    expect(clash.statusCode).toBe(422);
    expect(clash.json().error.fields.title.code).toBe('title_taken');

    const deleted = await admin.browser.delete(`${PATH}/${refund!.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await listAnswers(admin.browser)).map((answer) => answer.title)).toEqual([
      'ResultURL не доходит',
    ]);
    expect(
      await auditEntries(context, 'support.canned_answer_updated', { target: resultUrl!.id }),
    ).toHaveLength(1);
    expect(
      await auditEntries(context, 'support.canned_answer_deleted', {
        target: refund!.id,
        actorUserId: admin.id,
      }),
    ).toHaveLength(1);

    expect((await admin.browser.delete(`${PATH}/${refund!.id}`)).statusCode).toBe(404);
    const missing = await admin.browser.request('PUT', `${PATH}/cna_missing`, {
      title: 'Нет',
      bodyRu: 'Нет',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('canned_answer_not_found');
  });

  it('refuses finance, moderators and merchants, and changes nothing for them', async () => {
    const [answer] = await listAnswers(agent.browser);
    const before = await countAnswers();
    for (const browser of [finance.browser, moderator.browser, merchant]) {
      expect((await browser.get(PATH)).statusCode).toBe(403);
      expect((await browser.post(PATH, { title: 'Чужой', bodyRu: 'Текст' })).statusCode).toBe(403);
      const put = await browser.request('PUT', `${PATH}/${answer!.id}`, { title: 'Чужой', bodyRu: 'Текст' });
      expect(put.statusCode).toBe(403);
      expect((await browser.delete(`${PATH}/${answer!.id}`)).statusCode).toBe(403);
    }
    expect(await countAnswers()).toBe(before);
    expect((await listAnswers(agent.browser))[0]).toEqual(answer);
  });
});
