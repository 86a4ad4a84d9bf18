/**
 * The cabinet's inbox over HTTP: tenant and role scoping (another account's id is 404), search that
 * folds Russian case and ё, the category and unread filters, keyset pagination, read state per person,
 * the unread count, and the subscription settings API with its audit and CSRF check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { inbox, post, unreadCount, type InboxItem } from './messages-support.js';

let context: TestContext;
const a = {} as {
  accountId: string;
  admin: TestBrowser;
  adminId: string;
  developer: TestBrowser;
  viewer: TestBrowser;
};
const b = {} as { accountId: string; admin: TestBrowser };

beforeAll(async () => {
  context = await createTestContext();
  const merchant = await registerMerchant(context);
  a.accountId = merchant.me.account.id;
  a.admin = merchant.browser;
  a.adminId = merchant.me.user.id;
  a.developer = (await addEmployee(context, a.admin, 'developer')).browser;
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  const other = await registerMerchant(context);
  b.accountId = other.me.account.id;
  b.admin = other.browser;
});
afterAll(async () => context?.close());

const later = () => context.clock.advanceMs(1000);

describe('scoping', () => {
  it('shows a person only their account’s messages of the categories their role may see', async () => {
    later();
    const payout = await post(context, { accountId: a.accountId, category: 'payouts' });
    later();
    const moderation = await post(context, {
      accountId: a.accountId,
      category: 'moderation',
      title: { ru: 'Магазин активирован', en: 'The shop is active' },
    });
    later();
    const theirs = await post(context, { accountId: b.accountId, category: 'payouts' });
    const ids = (items: InboxItem[]) => items.map((item) => item.id);

    expect(ids((await inbox(a.admin)).items)).toEqual(expect.arrayContaining([payout!.id, moderation!.id]));
    expect(ids((await inbox(a.admin)).items)).not.toContain(theirs!.id);
    // Developers see moderation (they fix shops) but not payouts (no balance.read); viewers the reverse.
    expect(ids((await inbox(a.developer)).items)).toContain(moderation!.id);
    expect(ids((await inbox(a.developer)).items)).not.toContain(payout!.id);
    expect(ids((await inbox(a.viewer)).items)).toContain(payout!.id);
    expect(ids((await inbox(a.viewer)).items)).not.toContain(moderation!.id);

    for (const [browser, id] of [
      [a.admin, theirs!.id],
      [b.admin, payout!.id],
      [a.developer, payout!.id],
    ] as const) {
      const shown = await browser.get(`/api/cabinet/messages/${id}`);
      expect(shown.statusCode).toBe(404);
      expect(shown.json().error.code).toBe('message_not_found');
      expect((await browser.post(`/api/cabinet/messages/${id}/read`)).statusCode).toBe(404);
    }
    expect((await a.admin.get('/api/cabinet/messages/msg_doesnotexist')).json()).toEqual(
      (await a.admin.get(`/api/cabinet/messages/${theirs!.id}`)).json(),
    );
    // b's message stays unread for b: a's attempt to mark it read wrote nothing.
    expect((await b.admin.get(`/api/cabinet/messages/${theirs!.id}`)).json()).toMatchObject({
      isRead: false,
    });
  });

  it('needs a session, and operators have no inbox', async () => {
    expect((await new TestBrowser(context.app).get('/api/cabinet/messages')).statusCode).toBe(401);
    expect((await new TestBrowser(context.app).get('/api/cabinet/messages/unread-count')).statusCode).toBe(
      401,
    );
    const withoutCsrf = await context.app.inject({
      method: 'POST',
      url: '/api/cabinet/messages/read-all',
      headers: { cookie: `kopek_session=${a.admin.cookie('kopek_session')}` },
    });
    expect(withoutCsrf.statusCode).toBe(403);
  });
});

describe('search and filters', () => {
  it('finds words in any case and either language, with ё as е, and takes % literally', async () => {
    later();
    const hit = await post(context, {
      accountId: a.accountId,
      category: 'refunds',
      title: { ru: 'Возврат по заказу 77-ЁЖ', en: 'Refund for order 77-YO' },
      body: { ru: 'Покупатель получил ДЕНЬГИ обратно: скидка 50%.', en: 'The buyer got the money back.' },
    });
    later();
    await post(context, {
      accountId: a.accountId,
      category: 'refunds',
      title: { ru: 'Другой возврат', en: 'Another refund' },
      body: { ru: 'Ничего общего: 5 0 процентов.', en: 'Nothing alike.' },
    });
    const search = async (text: string) =>
      (await inbox(a.admin, `?q=${encodeURIComponent(text)}`)).items.map((item) => item.id);
    for (const text of ['деньги', 'ДеНьГи', 'ёж', 'ЕЖ', '77-е', 'money BACK', '50%', '  деньги  '])
      expect(await search(text), text).toEqual([hit!.id]);
    expect(await search('5_%')).toEqual([]);
    expect(await search('нет такого слова')).toEqual([]);
    expect(
      (await inbox(a.admin, '?category=refunds')).items.every((item) => item.category === 'refunds'),
    ).toBe(true);
    expect((await inbox(a.admin, '?category=payouts&q=деньги')).items).toEqual([]);
    expect((await a.admin.get('/api/cabinet/messages?category=ads')).statusCode).toBe(422);
  });
});

describe('pagination', () => {
  it('walks newest first through every message once, page by page', async () => {
    const fresh = await registerMerchant(context);
    const posted: string[] = [];
    for (let index = 0; index < 23; index += 1) {
      // Several messages share a timestamp: the id breaks the tie, and no page loses or repeats one.
      if (index % 3 === 0) later();
      posted.push((await post(context, { accountId: fresh.me.account.id, category: 'news' }))!.id);
    }
    const seen: InboxItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: InboxItem[]; nextCursor: string | null } = await inbox(
        fresh.browser,
        `?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((item) => item.id).sort()).toEqual([...posted].sort());
    const order = seen.map((item) => [item.createdAt, item.id] as const);
    for (let index = 1; index < order.length; index += 1) {
      const [previous, current] = [order[index - 1]!, order[index]!];
      expect(previous[0] > current[0] || (previous[0] === current[0] && previous[1] > current[1])).toBe(true);
    }
    expect((await fresh.browser.get('/api/cabinet/messages?cursor=bm9wZQ')).statusCode).toBe(422);
    expect((await fresh.browser.get('/api/cabinet/messages?limit=51')).statusCode).toBe(422);
  });
});

describe('read state', () => {
  it('counts unread per person, marks one or all read, and is idempotent', async () => {
    const fresh = await registerMerchant(context);
    const viewer = (await addEmployee(context, fresh.browser, 'viewer')).browser;
    const accountId = fresh.me.account.id;
    later();
    const first = await post(context, {
      accountId,
      category: 'payouts',
      body: { ru: 'Первый', en: 'First' },
    });
    later();
    await post(context, { accountId, category: 'payouts' });
    later();
    await post(context, { accountId, category: 'moderation' });
    expect(await unreadCount(fresh.browser)).toBe(3);
    expect(await unreadCount(viewer)).toBe(2);

    const opened = await fresh.browser.get(`/api/cabinet/messages/${first!.id}`);
    expect(opened.json()).toMatchObject({ isRead: false, body: { ru: 'Первый', en: 'First' } });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect((await fresh.browser.post(`/api/cabinet/messages/${first!.id}/read`)).statusCode).toBe(204);
    }
    expect(await unreadCount(fresh.browser)).toBe(2);
    expect(await unreadCount(viewer)).toBe(2);
    expect((await fresh.browser.get(`/api/cabinet/messages/${first!.id}`)).json().isRead).toBe(true);
    expect((await inbox(fresh.browser, '?unread=1')).items.map((item) => item.id)).not.toContain(first!.id);
    expect((await inbox(fresh.browser, '?unread=1')).items).toHaveLength(2);

    const all = await fresh.browser.post('/api/cabinet/messages/read-all');
    expect(all.json()).toEqual({ marked: 2 });
    expect(await unreadCount(fresh.browser)).toBe(0);
    expect((await fresh.browser.post('/api/cabinet/messages/read-all')).json()).toEqual({ marked: 0 });
    expect(await unreadCount(viewer)).toBe(2);
    expect((await inbox(fresh.browser)).items.every((item) => item.isRead)).toBe(true);

    // Someone who joins later gets the history as read, and what comes after as unread.
    later();
    const newcomer = (await addEmployee(context, fresh.browser, 'viewer')).browser;
    expect(await unreadCount(newcomer)).toBe(0);
    expect((await inbox(newcomer)).items).toHaveLength(2);
    later();
    await post(context, { accountId, category: 'payouts' });
    expect(await unreadCount(newcomer)).toBe(1);
  });
});

describe('subscription settings', () => {
  it('lists what the role may receive with defaults, saves a choice and audits it', async () => {
    const list = await a.developer.get('/api/cabinet/message-subscriptions');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as {
      category: string;
      delivery: string;
      choices: string[];
      isLocked: boolean;
    }[];
    expect(items.map((item) => item.category)).toEqual([
      'payments',
      'refunds',
      'payment_changes',
      'news',
      'moderation',
      'support',
    ]);
    expect(items.find((item) => item.category === 'payments')).toEqual({
      category: 'payments',
      delivery: 'digest',
      choices: ['immediate', 'digest', 'off'],
      isLocked: false,
    });
    expect(items.find((item) => item.category === 'news')?.delivery).toBe('off');

    const adminItems = (await a.admin.get('/api/cabinet/message-subscriptions')).json().items as {
      category: string;
      isLocked: boolean;
      choices: string[];
    }[];
    expect(adminItems.find((item) => item.category === 'security')).toMatchObject({
      isLocked: true,
      choices: ['immediate'],
    });

    const saved = await a.admin.request('PUT', '/api/cabinet/message-subscriptions/payments', {
      delivery: 'immediate',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ category: 'payments', delivery: 'immediate' });
    expect(
      (await auditEntries(context, 'messages.subscription_changed', { actorUserId: a.adminId })).at(-1),
    ).toMatchObject({
      target: 'payments',
      details: { delivery: 'immediate', previous: 'digest', channel: 'cabinet' },
    });

    const refusals = [
      [a.admin, 'refunds', { delivery: 'digest' }, 422],
      [a.admin, 'ads', { delivery: 'off' }, 404],
      [a.developer, 'payouts', { delivery: 'off' }, 404],
      [a.admin, 'refunds', { delivery: 'sometimes' }, 422],
    ] as const;
    for (const [browser, category, body, status] of refusals) {
      const answer = await browser.request('PUT', `/api/cabinet/message-subscriptions/${category}`, body);
      expect(answer.statusCode, `${category} ${JSON.stringify(body)}`).toBe(status);
    }
    const withoutCsrf = await context.app.inject({
      method: 'PUT',
      url: '/api/cabinet/message-subscriptions/news',
      headers: { cookie: `kopek_session=${a.admin.cookie('kopek_session')}` },
      payload: { delivery: 'immediate' },
    });
    expect(withoutCsrf.statusCode).toBe(403);
  });
});
