/**
 * Feedback over HTTP: a merchant sends ideas, problems and praise with an optional rating, sees the
 * account's history with the operator's status and answer; the operator triages it by status, the answer
 * reaches the author's messages, every decision is audited, and accounts never see each other's feedback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { inbox } from '../messages/messages-support.js';
import { countSupportRows } from './support-desk-helpers.js';

let context: TestContext;
let merchantA: TestBrowser;
let merchantB: TestBrowser;
let operator: { id: string; browser: TestBrowser };

interface FeedbackItem {
  id: string;
  category: string;
  body: string;
  rating: number | null;
  status: string;
  answer: string | null;
}

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  merchantA = (await registerMerchant(context)).browser;
  merchantB = (await registerMerchant(context)).browser;
  operator = await createOperator(context);
}, 60_000);
afterAll(async () => context?.close());

async function history(browser: TestBrowser): Promise<FeedbackItem[]> {
  const response = await browser.get('/api/cabinet/feedback');
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { items: FeedbackItem[] }).items;
}

describe('feedback', () => {
  it('records feedback with and without a rating, newest first, status "received"', async () => {
    const idea = await merchantA.post('/api/cabinet/feedback', {
      category: 'idea',
      body: 'Добавьте выгрузку в 1С',
      rating: 4,
    });
    expect(idea.statusCode, idea.body).toBe(201);
    context.clock.advanceMs(1000);
    const praise = await merchantA.post('/api/cabinet/feedback', { category: 'praise', body: 'Спасибо!' });
    expect(praise.statusCode).toBe(201);
    const items = await history(merchantA);
    expect(items.map((item) => [item.category, item.rating, item.status])).toEqual([
      ['praise', null, 'received'],
      ['idea', 4, 'received'],
    ]);
  });

  it('refuses a bad category, a rating outside 1–5 and a blank text, storing nothing', async () => {
    const before = await countSupportRows(context);
    for (const body of [
      { category: 'rant', body: 'x' },
      { category: 'idea', body: 'x', rating: 6 },
      { category: 'idea', body: 'x', rating: 0 },
      { category: 'idea', body: 'x', rating: 2.5 },
      { category: 'problem', body: '   ' },
    ]) {
      const response = await merchantA.post('/api/cabinet/feedback', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.json().error.fields, JSON.stringify(body)).toBeDefined();
    }
    expect(await countSupportRows(context)).toEqual(before);
  });

  it('lets the operator set a status with an answer that reaches the author, and audits it', async () => {
    const [, idea] = await history(merchantA);
    const queue = await operator.browser.get('/api/backoffice/feedback?status=received');
    expect(queue.json().items.map((item: FeedbackItem) => item.id)).toContain(idea!.id);

    const planned = await operator.browser.post(`/api/backoffice/feedback/${idea!.id}/status`, {
      status: 'planned',
      answer: 'Сделаем во втором квартале.',
    });
    expect(planned.statusCode, planned.body).toBe(200);
    const seen = (await history(merchantA)).find((item) => item.id === idea!.id);
    expect(seen).toMatchObject({ status: 'planned', answer: 'Сделаем во втором квартале.' });
    const messages = await inbox(merchantA, '?category=support');
    expect(messages.items[0]).toMatchObject({ link: '/cabinet/support/feedback', isPersonal: true });
    expect(messages.items[0]!.preview.ru).toContain('Сделаем во втором квартале.');

    // A status without an answer keeps the last answer and posts no message.
    const done = await operator.browser.post(`/api/backoffice/feedback/${idea!.id}/status`, {
      status: 'done',
    });
    expect(done.json()).toMatchObject({ status: 'done', answer: 'Сделаем во втором квартале.' });
    expect((await inbox(merchantA, '?category=support')).items).toHaveLength(1);

    const entries = await auditEntries(context, 'support.feedback_status_changed', {
      target: idea!.id,
      actorUserId: operator.id,
    });
    expect(entries.map((entry) => entry.details)).toEqual([
      { from: 'received', to: 'planned', hasAnswer: true },
      { from: 'planned', to: 'done', hasAnswer: false },
    ]);
  });

  it('keeps each account’s feedback to itself and the desk to operators', async () => {
    expect(await history(merchantB)).toEqual([]);
    const [item] = await history(merchantA);
    const refused = await merchantB.post(`/api/backoffice/feedback/${item!.id}/status`, {
      status: 'declined',
    });
    expect(refused.statusCode).toBe(403);
    const missing = await operator.browser.post('/api/backoffice/feedback/fdb_nonexistent/status', {
      status: 'declined',
    });
    expect(missing.statusCode).toBe(404);
    expect((await history(merchantA))[0]!.status).toBe('received');
  });

  it('limits feedback to 20 an hour per account, without storing the refused one', async () => {
    context.clock.advanceMs(3_600_000);
    for (let index = 0; index < 20; index += 1) {
      const sent = await merchantB.post('/api/cabinet/feedback', {
        category: 'other',
        body: `Отзыв ${index}`,
      });
      expect(sent.statusCode, sent.body).toBe(201);
    }
    const refused = await merchantB.post('/api/cabinet/feedback', { category: 'other', body: 'Ещё один' });
    expect(refused.statusCode).toBe(429);
    expect(await history(merchantB)).toHaveLength(20);
    // Another account is not held back by B's limit.
    expect(
      (await merchantA.post('/api/cabinet/feedback', { category: 'idea', body: 'Идея' })).statusCode,
    ).toBe(201);
    context.clock.advanceMs(3_600_000);
    expect(
      (await merchantB.post('/api/cabinet/feedback', { category: 'other', body: 'Через час' })).statusCode,
    ).toBe(201);
  });

  it('shows the merchant each triage status, "under review" included, in the cabinet', async () => {
    const sent = await merchantA.post('/api/cabinet/feedback', { category: 'idea', body: 'Тёмная тема' });
    expect(sent.statusCode, sent.body).toBe(201);
    const { id } = sent.json() as FeedbackItem;
    for (const status of ['under_review', 'planned', 'declined']) {
      const set = await operator.browser.post(`/api/backoffice/feedback/${id}/status`, { status });
      expect(set.statusCode, set.body).toBe(200);
      expect((await history(merchantA)).find((item) => item.id === id)?.status).toBe(status);
    }
    const reviewing = await operator.browser.post(`/api/backoffice/feedback/${id}/status`, {
      status: 'under_review',
      answer: 'Обсуждаем с дизайнерами.',
    });
    expect(reviewing.statusCode).toBe(200);
    const queue = await operator.browser.get('/api/backoffice/feedback?status=under_review');
    expect(queue.json().items.map((item: FeedbackItem) => item.id)).toEqual([id]);
    expect((await history(merchantA)).find((item) => item.id === id)).toMatchObject({
      status: 'under_review',
      answer: 'Обсуждаем с дизайнерами.',
    });
    const messages = await inbox(merchantA, '?category=support');
    expect(messages.items[0]!.preview.ru).toContain('на рассмотрении');
  });
});
