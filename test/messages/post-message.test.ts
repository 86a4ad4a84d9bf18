/**
 * postMessage against real PostgreSQL: the message is stored once in both languages, and its e-mail goes
 * to exactly the people who should get it (active, allowed to see the category, subscribed), in each
 * person's language, with RFC 8058 unsubscribe header fields (none on security mail). A real SMTP server
 * shows the header fields survive the transport.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postMessage } from '../../src/modules/messages/index.js';
import { createMailDeliveryHandler, createSmtpTransport } from '../../src/platform/mail.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
import { deliveredSince, inbox, post, unsubscribeUrlOf } from './messages-support.js';

let context: TestContext;
const a = {} as {
  accountId: string;
  admin: TestBrowser;
  adminId: string;
  adminEmail: string;
  accountant: TestBrowser;
  accountantEmail: string;
  developerEmail: string;
  viewer: TestBrowser;
  viewerId: string;
  viewerEmail: string;
  disabledEmail: string;
  invitedEmail: string;
};
let otherAccountEmail: string;

beforeAll(async () => {
  context = await createTestContext();
  const merchant = await registerMerchant(context);
  a.accountId = merchant.me.account.id;
  a.admin = merchant.browser;
  a.adminId = merchant.me.user.id;
  a.adminEmail = merchant.form.email as string;
  const accountant = await addEmployee(context, a.admin, 'accountant');
  a.accountant = accountant.browser;
  a.accountantEmail = accountant.email;
  a.developerEmail = (await addEmployee(context, a.admin, 'developer')).email;
  const viewer = await addEmployee(context, a.admin, 'viewer');
  a.viewer = viewer.browser;
  a.viewerId = viewer.id;
  a.viewerEmail = viewer.email;
  await context.deps.db.updateTable('users').set({ language: 'en' }).where('id', '=', viewer.id).execute();
  const disabled = await addEmployee(context, a.admin, 'administrator');
  a.disabledEmail = disabled.email;
  await context.deps.db
    .updateTable('users')
    .set({ status: 'disabled' })
    .where('id', '=', disabled.id)
    .execute();
  a.invitedEmail = 'invited-only@example.ru';
  const invited = await a.admin.post('/api/cabinet/employees', {
    login: 'invited-only',
    email: a.invitedEmail,
    role: 'administrator',
  });
  expect(invited.statusCode, invited.body).toBe(201);
  otherAccountEmail = (await registerMerchant(context)).form.email as string;
  await context.deliverMail();
});
afterAll(async () => context?.close());

describe('postMessage', () => {
  it('stores one message in both languages and mails only the people who follow the category', async () => {
    const off = await a.accountant.request('PUT', '/api/cabinet/message-subscriptions/payouts', {
      delivery: 'off',
    });
    expect(off.statusCode, off.body).toBe(200);
    const before = context.mail.sent.length;
    const posted = await post(context, {
      accountId: a.accountId,
      category: 'payouts',
      title: { ru: 'Выплата 1 000,00 ₽ исполнена', en: 'Payout of RUB 1,000.00 executed' },
      body: { ru: 'Деньги ушли на счёт.', en: 'The money went to the account.' },
      link: '/cabinet/balance',
    });
    expect(posted).not.toBeNull();
    // Administrator and viewer see payouts (balance.read); the developer does not; the accountant turned
    // payouts off; disabled and invited people get nothing; another account never.
    expect([...(posted?.mailedUserIds ?? [])].sort()).toEqual([a.adminId, a.viewerId].sort());
    const mail = await deliveredSince(context, before);
    expect(mail.map((item) => item.to).sort()).toEqual([a.adminEmail, a.viewerEmail].sort());
    for (const email of [
      a.accountantEmail,
      a.developerEmail,
      a.disabledEmail,
      a.invitedEmail,
      otherAccountEmail,
    ])
      expect(mail.some((item) => item.to === email)).toBe(false);

    const russian = mail.find((item) => item.to === a.adminEmail);
    const english = mail.find((item) => item.to === a.viewerEmail);
    expect(russian?.subject).toBe('Kopek: Выплата 1 000,00 ₽ исполнена');
    expect(russian?.text).toContain('Деньги ушли на счёт.');
    expect(russian?.text).toContain(`${TEST_PUBLIC_URL}/cabinet/balance`);
    expect(russian?.text).toContain(`${TEST_PUBLIC_URL}/cabinet/messages/${posted?.id}`);
    expect(english?.subject).toBe('Kopek: Payout of RUB 1,000.00 executed');
    expect(english?.text).toContain('The money went to the account.');

    const row = await context.deps.db
      .withTables<{
        messages: { id: string; title_ru: string; title_en: string; body_en: string; user_id: string | null };
      }>()
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', posted?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      title_ru: 'Выплата 1 000,00 ₽ исполнена',
      title_en: 'Payout of RUB 1,000.00 executed',
      body_en: 'The money went to the account.',
      user_id: null,
    });
  });

  it('puts RFC 8058 one-click unsubscribe header fields and links into every mail that can be turned off', async () => {
    const before = context.mail.sent.length;
    await post(context, {
      accountId: a.accountId,
      category: 'refunds',
      title: { ru: 'Возврат <b>по платежу</b>', en: 'Refund <b>done</b>' },
    });
    const [mail] = (await deliveredSince(context, before)).filter((item) => item.to === a.adminEmail);
    expect(mail?.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = unsubscribeUrlOf(mail!);
    expect(url).toMatch(new RegExp(`^${TEST_PUBLIC_URL}/unsubscribe/${a.adminId}\\.refunds\\.[\\w-]{22}$`));
    expect(mail?.text).toContain(`Отписаться от этих писем: ${url}`);
    expect(mail?.text).toContain('«Возвраты»');
    expect(mail?.html).toContain('Возврат &#60;b&#62;по платежу&#60;/b&#62;');
    expect(mail?.html).not.toContain('<b>по платежу');
  });

  it('mails security notices to everyone allowed to see them, without unsubscribe, and they cannot be turned off', async () => {
    const refused = await a.admin.request('PUT', '/api/cabinet/message-subscriptions/security', {
      delivery: 'off',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.delivery.code).toBe('delivery_not_allowed');
    const before = context.mail.sent.length;
    const posted = await post(context, {
      accountId: a.accountId,
      category: 'security',
      title: { ru: 'Создан новый ключ API', en: 'A new API key was created' },
    });
    const mail = await deliveredSince(context, before);
    // Account-wide security notices are for administrators (audit.read): the only active one here.
    expect(mail.map((item) => item.to)).toEqual([a.adminEmail]);
    expect(posted?.mailedUserIds).toEqual([a.adminId]);
    expect(mail[0]?.headers ?? {}).not.toHaveProperty('List-Unsubscribe');
    expect(mail[0]?.text).not.toContain('/unsubscribe/');
    expect(mail[0]?.text).toContain('их нельзя отключить');
  });

  it('sends news only to people who turned it on', async () => {
    const news = { accountId: a.accountId, category: 'news' as const };
    let before = context.mail.sent.length;
    expect((await post(context, news))?.mailedUserIds).toEqual([]);
    expect(await deliveredSince(context, before)).toEqual([]);

    const on = await a.viewer.request('PUT', '/api/cabinet/message-subscriptions/news', {
      delivery: 'immediate',
    });
    expect(on.statusCode, on.body).toBe(200);
    before = context.mail.sent.length;
    await post(context, news);
    expect((await deliveredSince(context, before)).map((item) => item.to)).toEqual([a.viewerEmail]);
  });

  it('a personal message is seen and mailed only by its person', async () => {
    const before = context.mail.sent.length;
    const posted = await post(context, {
      accountId: a.accountId,
      userId: a.viewerId,
      category: 'payouts',
      title: { ru: 'Личное сообщение', en: 'A personal message' },
    });
    expect((await deliveredSince(context, before)).map((item) => item.to)).toEqual([a.viewerEmail]);
    expect((await inbox(a.viewer)).items.find((item) => item.id === posted?.id)).toMatchObject({
      isPersonal: true,
    });
    expect((await inbox(a.admin)).items.some((item) => item.id === posted?.id)).toBe(false);
    expect((await a.admin.get(`/api/cabinet/messages/${posted?.id}`)).statusCode).toBe(404);
  });

  it('posts a message with a used dedup key only once', async () => {
    const before = context.mail.sent.length;
    const first = await post(context, { accountId: a.accountId, dedupKey: 'test:once' });
    const second = await post(context, { accountId: a.accountId, dedupKey: 'test:once' });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    const mail = await deliveredSince(context, before);
    expect(mail.filter((item) => item.to === a.adminEmail)).toHaveLength(1);
  });

  it('stores and mails nothing when the caller rolls back', async () => {
    const mailRows = async () =>
      Number(
        (
          await context.deps.db
            .selectFrom('mail_messages')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const rowsBefore = await mailRows();
    const failed = context.deps.db.transaction().execute(async (trx) => {
      await postMessage(trx, context.deps, {
        accountId: a.accountId,
        category: 'payouts',
        title: { ru: 'Откатится', en: 'Rolled back' },
        body: { ru: '', en: '' },
      });
      throw new Error('the caller failed after posting');
    });
    await expect(failed).rejects.toThrow('the caller failed');
    expect(await mailRows()).toBe(rowsBefore);
    expect((await inbox(a.admin, '?q=' + encodeURIComponent('Откатится'))).items).toEqual([]);
  });

  it('refuses outside links and digests of other categories, and clips overlong texts', async () => {
    await expect(post(context, { accountId: a.accountId, link: 'https://evil.example/x' })).rejects.toThrow(
      'link',
    );
    await expect(post(context, { accountId: a.accountId, link: '/cabinet/../x"><script>' })).rejects.toThrow(
      'link',
    );
    await expect(
      post(context, { accountId: a.accountId, category: 'refunds', delivery: 'digest' }),
    ).rejects.toThrow('delivery');
    await expect(post(context, { accountId: a.accountId, title: { ru: '  ', en: 'x' } })).rejects.toThrow(
      'title.ru',
    );
    const long = await post(context, {
      accountId: a.accountId,
      title: { ru: 'Я'.repeat(500), en: 'E'.repeat(500) },
    });
    const found = await a.admin.get(`/api/cabinet/messages/${long?.id}`);
    expect(found.json().title.ru).toHaveLength(200);
    expect(found.json().title.ru.endsWith('…')).toBe(true);
  });
});

describe('the header fields on the wire', () => {
  it('reach a real SMTP server through the SMTP transport', async () => {
    const received: { lines: readonly { key: string; line: string }[]; subject: string }[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            received.push({ lines: parsed.headerLines, subject: parsed.subject ?? '' });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const posted = await post(context, {
        accountId: a.accountId,
        userId: a.adminId,
        category: 'payouts',
        title: { ru: 'Письмо через SMTP', en: 'Mail through SMTP' },
      });
      const row = await context.deps.db
        .selectFrom('mail_messages')
        .select('id')
        .where('kind', '=', 'message.payouts')
        .where('to_address', '=', a.adminEmail)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(posted).not.toBeNull();
      const deliver = createMailDeliveryHandler({
        db: context.deps.db,
        clock: context.clock,
        transport: createSmtpTransport(`smtp://127.0.0.1:${port}`),
        from: 'Kopek <noreply@kopek.test>',
      });
      await deliver({ messageId: String(row.id) }, { jobId: 0n, attempt: 1, logger: context.deps.logger });
      expect(received).toHaveLength(1);
      const header = (name: string) =>
        received[0]?.lines.find((line) => line.key === name)?.line.replace(/\r?\n\s+/g, ' ');
      expect(received[0]?.subject).toBe('Kopek: Письмо через SMTP');
      expect(header('list-unsubscribe')).toMatch(
        new RegExp(`^List-Unsubscribe: <${TEST_PUBLIC_URL}/unsubscribe/${a.adminId}\\.payouts\\.[\\w-]+>$`),
      );
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
