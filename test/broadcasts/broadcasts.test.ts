/**
 * Broadcasts over HTTP on a real PostgreSQL: to every account or chosen ones, into the inbox of each and
 * by e-mail only to people subscribed to the category; a retried job posts nothing twice; bad input
 * changes nothing; merchants cannot send.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_QUEUE, createBroadcastHandler } from '../../src/modules/broadcasts/index.js';
import type { TestBrowser } from '../support/client.js';
import { createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let operator: TestBrowser;
const merchants: { browser: TestBrowser; accountId: string; login: string; email: string }[] = [];

beforeAll(async () => {
  context = await createTestContext();
  operator = (await createOperator(context)).browser;
  for (let index = 0; index < 3; index += 1) {
    const registered = await registerMerchant(context);
    const row = await context.deps.db
      .selectFrom('users')
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .select(['accounts.login', 'users.email'])
      .where('users.id', '=', registered.me.user.id)
      .executeTakeFirstOrThrow();
    merchants.push({ browser: registered.browser, accountId: registered.me.account.id, ...row });
  }
  // The first merchant turned news on; the others keep the default (off: news may count as advertising).
  const subscribed = await merchants[0]?.browser.request('PUT', '/api/cabinet/message-subscriptions/news', {
    delivery: 'immediate',
  });
  expect(subscribed?.statusCode).toBe(200);
  await context.deliverMail();
});
afterAll(async () => context?.close());

const news = (title: string) => ({
  category: 'news',
  title: { ru: title, en: `${title} (en)` },
  body: { ru: 'Мы запустили оплату через СБП.', en: 'We launched SBP payments.' },
});

async function inboxTitles(browser: TestBrowser): Promise<string[]> {
  const answer = (await browser.get('/api/cabinet/messages')).json() as {
    items: { title: { ru: string } }[];
  };
  return answer.items.map((item) => item.title.ru);
}

describe('broadcasts', () => {
  it('reaches every inbox, and the mailbox of people subscribed to news only', async () => {
    const mailsBefore = context.mail.sent.length;
    const created = await operator.post('/api/backoffice/broadcasts', news('Новость для всех'));
    expect(created.statusCode, created.body).toBe(202);
    expect(created.json()).toMatchObject({ status: 'sending', audience: 'all' });
    await context.deliverMail();
    for (const merchant of merchants)
      expect(await inboxTitles(merchant.browser)).toContain('Новость для всех');
    const mails = context.mail.sent.slice(mailsBefore);
    expect(mails.map((mail) => mail.to)).toEqual([merchants[0]?.email]);
    const list = (await operator.get('/api/backoffice/broadcasts')).json().items;
    expect(list[0]).toMatchObject({ status: 'sent', accountsDone: list[0].accountsTotal, mailsEnqueued: 1 });
  });

  it('reaches only the chosen accounts, named by login or id', async () => {
    const [first, second, third] = merchants;
    const created = await operator.post('/api/backoffice/broadcasts', {
      ...news('Только для двоих'),
      category: 'payment_changes',
      accounts: [first?.login.toUpperCase(), second?.accountId],
    });
    expect(created.statusCode, created.body).toBe(202);
    await context.deliverMail();
    expect(await inboxTitles(first!.browser)).toContain('Только для двоих');
    expect(await inboxTitles(second!.browser)).toContain('Только для двоих');
    expect(await inboxTitles(third!.browser)).not.toContain('Только для двоих');
  });

  it('posts nothing twice when its job runs again', async () => {
    await operator.post('/api/backoffice/broadcasts', news('Повтор'));
    await context.deliverMail();
    const broadcast = await sql<{ id: string }>`
      select id from broadcasts where title_ru = 'Повтор'`.execute(context.deps.db);
    const id = broadcast.rows[0]?.id ?? '';
    await sql`update broadcasts set status = 'sending' where id = ${id}`.execute(context.deps.db);
    await createBroadcastHandler(context.deps)(
      { broadcastId: id },
      {
        jobId: 0n,
        attempt: 2,
        logger: context.deps.logger,
      },
    );
    const count = await sql<{ n: string }>`
      select count(*)::text as n from messages where title_ru = 'Повтор'`.execute(context.deps.db);
    expect(Number(count.rows[0]?.n)).toBe(
      Number(
        (await sql<{ n: string }>`select count(*)::text as n from accounts`.execute(context.deps.db)).rows[0]
          ?.n,
      ),
    );
    expect(BROADCAST_QUEUE).toBe('broadcasts.send');
  });

  it('names bad input, changes nothing, and refuses merchants', async () => {
    const before = await sql<{ n: string }>`select count(*)::text as n from broadcasts`.execute(
      context.deps.db,
    );
    const empty = await operator.post('/api/backoffice/broadcasts', {
      ...news(''),
      body: { ru: 'Текст', en: '' },
    });
    expect(Object.keys(empty.json().error.fields).sort()).toEqual(['body.en', 'title.ru']);
    const unknown = await operator.post('/api/backoffice/broadcasts', {
      ...news('X'),
      accounts: ['no-such-shop'],
    });
    expect(unknown.json().error.fields.accounts.code).toBe('unknown_accounts');
    expect((await merchants[0]!.browser.post('/api/backoffice/broadcasts', news('Чужая'))).statusCode).toBe(
      403,
    );
    const after = await sql<{ n: string }>`select count(*)::text as n from broadcasts`.execute(
      context.deps.db,
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});
