/**
 * Support tickets over HTTP on real PostgreSQL: opening with or without a shop and an operation (another
 * account's shop or operation is "not found"), attachment checks by content (and nothing stored when a
 * file is refused), downloads with safe headers, the thread's order, statuses and their timestamps, the
 * operator's reply reaching the merchant's messages and mail, internal notes the merchant never sees,
 * the revision the ticket page polls, the audit of every operator action, and tenant isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../src/modules/support/support.attachments.js';
import type { TestBrowser } from '../support/client.js';
import {
  addEmployee,
  auditEntries,
  createOperator,
  createShopVia,
  registerMerchant,
} from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { inbox } from '../messages/messages-support.js';
import { openLiveShop, startPayment } from '../refunds/refund-support.js';
import {
  countSupportRows,
  EXE_BYTES,
  file,
  openTicketVia,
  PDF_BYTES,
  PNG_BYTES,
  type TicketView,
} from './support-desk-helpers.js';

let context: TestContext;
const a = {} as { admin: TestBrowser; email: string; shopId: string; paymentId: string; viewer: TestBrowser };
const b = {} as { admin: TestBrowser; shopId: string; paymentId: string };
let operator: { id: string; browser: TestBrowser };

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  const merchantA = await registerMerchant(context);
  a.admin = merchantA.browser;
  a.email = merchantA.form.email as string;
  const shopA = await openLiveShop(context, a.admin);
  a.shopId = shopA.id;
  a.paymentId = await startPayment(context, shopA, '150.00');
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  const merchantB = await registerMerchant(context);
  b.admin = merchantB.browser;
  const shopB = await openLiveShop(context, b.admin);
  b.shopId = shopB.id;
  b.paymentId = await startPayment(context, shopB, '200.00');
  operator = await createOperator(context);
}, 60_000);
afterAll(async () => context?.close());

const later = (ms = 60_000) => context.clock.advanceMs(ms);

describe('opening a ticket', () => {
  it('opens a ticket without a shop or an operation, with the first post in the thread', async () => {
    const ticket = await openTicketVia(a.admin, { topic: 'account', subject: '  Смена директора  ' });
    expect(ticket).toMatchObject({
      topic: 'account',
      subject: 'Смена директора',
      status: 'open',
      shop: null,
      paymentId: null,
      firstRepliedAt: null,
      resolvedAt: null,
    });
    expect(ticket.id).toMatch(/^tkt_/);
    expect(ticket.posts).toHaveLength(1);
    expect(ticket.posts[0]).toMatchObject({
      authorKind: 'merchant',
      authorLogin: 'admin',
      isInternal: false,
    });
  });

  it('links the account’s own operation and takes the shop from it', async () => {
    const ticket = await openTicketVia(a.admin, { paymentId: a.paymentId });
    expect(ticket.paymentId).toBe(a.paymentId);
    expect(ticket.shop?.id).toBe(a.shopId);
    const both = await openTicketVia(a.admin, { shopId: a.shopId, paymentId: a.paymentId });
    expect(both.shop?.id).toBe(a.shopId);
  });

  it('answers "not found" for another account’s shop or operation and stores nothing', async () => {
    const before = await countSupportRows(context);
    const foreignShop = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'payments',
      subject: 'Чужой магазин',
      body: 'Текст',
      shopId: b.shopId,
    });
    expect(foreignShop.statusCode).toBe(404);
    expect(foreignShop.json().error.code).toBe('shop_not_found');
    const foreignPayment = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'payments',
      subject: 'Чужой платёж',
      body: 'Текст',
      paymentId: b.paymentId,
    });
    expect(foreignPayment.statusCode).toBe(404);
    expect(foreignPayment.json().error.code).toBe('operation_not_found');
    expect(await countSupportRows(context)).toEqual(before);
  });

  it('refuses an operation of another of the account’s shops, and blank fields, field by field', async () => {
    const otherShop = await createShopVia(a.admin);
    const mismatch = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'payments',
      subject: 'Не тот магазин',
      body: 'Текст',
      shopId: otherShop.id,
      paymentId: a.paymentId,
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().error.fields.paymentId.code).toBe('operation_of_other_shop');
    const blank = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'other',
      subject: ' ',
      body: '\n',
    });
    expect(blank.statusCode).toBe(422);
    expect(Object.keys(blank.json().error.fields).sort()).toEqual(['body', 'subject']);
    const badTopic = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'gossip',
      subject: 'x',
      body: 'y',
    });
    expect(badTopic.statusCode).toBe(422);
    expect(badTopic.json().error.fields).toHaveProperty('topic');
  });
});

describe('attachments', () => {
  it('stores PNG, PDF and text files with the type found in their bytes, and serves them as downloads', async () => {
    const ticket = await openTicketVia(a.admin, {
      attachments: [
        file('screen.png', PNG_BYTES),
        file('../../etc/receipt "copy".pdf', PDF_BYTES),
        file('log.txt', 'ResultURL: 500 Internal Server Error\nповтор через 5 минут\n'),
      ],
    });
    const files = ticket.posts[0]!.attachments;
    expect(files.map((item) => [item.fileName, item.contentType])).toEqual([
      ['screen.png', 'image/png'],
      ['receipt _copy_.pdf', 'application/pdf'],
      ['log.txt', 'text/plain'],
    ]);
    const download = await a.admin.get(`/api/cabinet/support/attachments/${files[0]!.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(PNG_BYTES)).toBe(true);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="screen.png"; filename*=UTF-8''screen.png`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    // Another person of the account may download it; another account and an operator's desk as well as
    // a stranger are checked below.
    expect((await a.viewer.get(`/api/cabinet/support/attachments/${files[0]!.id}`)).statusCode).toBe(200);
    expect((await b.admin.get(`/api/cabinet/support/attachments/${files[0]!.id}`)).statusCode).toBe(404);
    const desk = await operator.browser.get(`/api/backoffice/support/attachments/${files[1]!.id}`);
    expect(desk.statusCode).toBe(200);
    expect(desk.rawPayload.equals(PDF_BYTES)).toBe(true);
    expect(desk.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('refuses a file whose bytes are not an accepted type, whatever its name, and stores nothing', async () => {
    const before = await countSupportRows(context);
    const response = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'other',
      subject: 'Файл',
      body: 'Смотрите вложение',
      attachments: [file('ok.png', PNG_BYTES), file('photo.png', EXE_BYTES)],
    });
    expect(response.statusCode).toBe(422);
    const fields = response.json().error.fields;
    expect(Object.keys(fields)).toEqual(['attachments.1']);
    expect(fields['attachments.1'].code).toBe('file_type_not_allowed');
    expect(fields['attachments.1'].message).toContain('photo.png');
    expect(await countSupportRows(context)).toEqual(before);
  });

  it('accepts a file of exactly 5 MB, and explains a refused file in English when asked', async () => {
    const exact = Buffer.concat([PDF_BYTES, Buffer.alloc(MAX_ATTACHMENT_BYTES - PDF_BYTES.length, 0x20)]);
    const ticket = await openTicketVia(a.admin, { attachments: [file('exact.pdf', exact)] });
    expect(ticket.posts[0]!.attachments[0]!.sizeBytes).toBe(MAX_ATTACHMENT_BYTES);
    const english = await a.admin.post(
      '/api/cabinet/support/tickets',
      { topic: 'other', subject: 'File', body: 'Text', attachments: [file('tool.png', EXE_BYTES)] },
      { 'accept-language': 'en' },
    );
    expect(english.statusCode).toBe(422);
    expect(english.json().error.fields['attachments.0'].message).toBe(
      'The file "tool.png" is not a PNG, JPEG, PDF or plain text: such files are not accepted.',
    );
  });

  it('refuses a file over 5 MB, more than five files, damaged base64 and empty files', async () => {
    const before = await countSupportRows(context);
    const huge = Buffer.concat([PDF_BYTES, Buffer.alloc(MAX_ATTACHMENT_BYTES, 0x20)]);
    const tooLarge = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'other',
      subject: 'Большой файл',
      body: 'Текст',
      attachments: [file('big.pdf', huge)],
    });
    expect(tooLarge.statusCode).toBe(422);
    expect(tooLarge.json().error.fields['attachments.0'].code).toBe('file_too_large');

    const six = Array.from({ length: 6 }, (_, index) => file(`${index}.png`, PNG_BYTES));
    const tooMany = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'other',
      subject: 'Много файлов',
      body: 'Текст',
      attachments: six,
    });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.fields.attachments.code).toBe('too_many_files');

    const damaged = await a.admin.post('/api/cabinet/support/tickets', {
      topic: 'other',
      subject: 'Битый файл',
      body: 'Текст',
      attachments: [{ fileName: 'a.png', contentBase64: 'not base64!' }, file('empty.txt', '')],
    });
    expect(damaged.statusCode).toBe(422);
    expect(damaged.json().error.fields['attachments.0'].code).toBe('file_unreadable');
    expect(damaged.json().error.fields['attachments.1'].code).toBe('file_empty');
    expect(await countSupportRows(context)).toEqual(before);
  });
});

describe('the conversation', () => {
  let ticket: TicketView;

  it('keeps posts in the order written, notes hidden from the merchant, statuses and their times', async () => {
    ticket = await openTicketVia(a.admin, { subject: 'Возврат не проходит' });
    const openedAt = context.clock.now().toISOString();
    const mailBefore = context.mail.sent.length;

    later();
    const note = await operator.browser.post(`/api/backoffice/support/tickets/${ticket.id}/notes`, {
      body: 'Внутреннее: проверить эквайера',
    });
    expect(note.statusCode, note.body).toBe(200);
    // A note changes nothing the merchant sees: not the thread, not the revision the page polls.
    const afterNote = await a.admin.get(
      `/api/cabinet/support/tickets/${ticket.id}/changes?since=${ticket.revision}`,
    );
    expect(afterNote.json()).toEqual({ revision: ticket.revision, isChanged: false });

    later();
    const replied = await operator.browser.post(`/api/backoffice/support/tickets/${ticket.id}/replies`, {
      body: 'Пришлите, пожалуйста, номер платежа.',
    });
    expect(replied.statusCode, replied.body).toBe(200);
    const repliedAt = context.clock.now().toISOString();
    expect(replied.json()).toMatchObject({ status: 'waiting_for_merchant', firstRepliedAt: repliedAt });
    const changes = await a.admin.get(
      `/api/cabinet/support/tickets/${ticket.id}/changes?since=${ticket.revision}`,
    );
    expect(changes.json()).toEqual({ revision: ticket.revision + 1, isChanged: true });

    later();
    const merchantReply = await a.admin.post(`/api/cabinet/support/tickets/${ticket.id}/replies`, {
      body: 'Номер 5001',
      attachments: [file('screen.png', PNG_BYTES)],
    });
    expect(merchantReply.statusCode, merchantReply.body).toBe(200);
    // A merchant's reply on "waiting for merchant" opens the ticket again.
    expect(merchantReply.json().status).toBe('open');

    later();
    await operator.browser.post(`/api/backoffice/support/tickets/${ticket.id}/replies`, {
      body: 'Исправили, повторите возврат.',
      status: 'resolved',
    });
    const resolvedAt = context.clock.now().toISOString();

    const seen = (await a.admin.get(`/api/cabinet/support/tickets/${ticket.id}`)).json() as TicketView;
    expect(seen.posts.map((post) => [post.authorKind, post.body])).toEqual([
      ['merchant', 'Покупатель оплатил, а ResultURL не пришёл.'],
      ['operator', 'Пришлите, пожалуйста, номер платежа.'],
      ['merchant', 'Номер 5001'],
      ['operator', 'Исправили, повторите возврат.'],
    ]);
    expect(JSON.stringify(seen)).not.toContain('Внутреннее');
    // The operator's login stays inside the company.
    expect(seen.posts[1]!.authorLogin).toBeNull();
    expect(seen).toMatchObject({
      status: 'resolved',
      createdAt: openedAt,
      firstRepliedAt: repliedAt,
      resolvedAt,
    });
    const desk = (
      await operator.browser.get(`/api/backoffice/support/tickets/${ticket.id}`)
    ).json() as TicketView;
    expect(desk.posts.map((post) => post.isInternal)).toEqual([false, true, false, false, false]);
    expect(desk.posts[1]!.body).toBe('Внутреннее: проверить эквайера');

    // Mail went to the ticket's author for each reply; the note mailed nobody.
    const mail = (await deliveredSince(mailBefore)).filter((item) => item.to === a.email);
    expect(mail.map((item) => item.subject)).toEqual([
      'Kopek: Ответ поддержки: «Возврат не проходит»',
      'Kopek: Ответ поддержки: «Возврат не проходит»',
    ]);
    // The worker delivers in any order: each reply's text is in one of the two mails.
    for (const reply of ['Пришлите, пожалуйста, номер платежа.', 'Исправили, повторите возврат.']) {
      expect(mail.filter((item) => item.text.includes(reply))).toHaveLength(1);
    }
    expect(mail.every((item) => item.text.includes(`/cabinet/support/tickets/${ticket.id}`))).toBe(true);
    expect(mail.some((item) => item.text.includes('Внутреннее'))).toBe(false);
    const messages = await inbox(a.admin, '?category=support');
    expect(messages.items[0]).toMatchObject({
      category: 'support',
      link: `/cabinet/support/tickets/${ticket.id}`,
      isPersonal: true,
    });
  });

  it('reopens a resolved ticket on a merchant reply and clears the resolution time', async () => {
    later();
    const reopened = await a.admin.post(`/api/cabinet/support/tickets/${ticket.id}/replies`, {
      body: 'Снова не работает',
    });
    expect(reopened.json()).toMatchObject({ status: 'open', resolvedAt: null });
    // The first reply's time stays: it measures how fast support first answered.
    expect(reopened.json().firstRepliedAt).not.toBeNull();
  });

  it('lets the operator change the status, refuses the same status, and audits every action', async () => {
    const resolved = await operator.browser.post(`/api/backoffice/support/tickets/${ticket.id}/status`, {
      status: 'resolved',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json().resolvedAt).toBe(context.clock.now().toISOString());
    const again = await operator.browser.post(`/api/backoffice/support/tickets/${ticket.id}/status`, {
      status: 'resolved',
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().error.fields.status.code).toBe('status_unchanged');
    const messages = await inbox(a.admin, '?category=support');
    expect(messages.items[0]!.title.ru).toBe('Обращение «Возврат не проходит» решено');

    const actions = ['support.ticket_note_added', 'support.ticket_replied', 'support.ticket_status_changed'];
    for (const action of actions) {
      const entries = await auditEntries(context, action, { target: ticket.id, actorUserId: operator.id });
      expect(entries.length, action).toBeGreaterThan(0);
    }
  });

  it('shows the operator a queue by status and refuses merchants and blank replies', async () => {
    const fresh = await openTicketVia(a.admin, { subject: 'Новый вопрос' });
    const queue = await operator.browser.get('/api/backoffice/support/tickets?status=open');
    expect(queue.statusCode).toBe(200);
    const item = (queue.json().items as { id: string; accountLogin: string }[]).find(
      (row) => row.id === fresh.id,
    );
    expect(item?.accountLogin).toMatch(/^shop-/);
    const resolvedQueue = await operator.browser.get('/api/backoffice/support/tickets?status=resolved');
    expect(resolvedQueue.json().items.map((row: { id: string }) => row.id)).toContain(ticket.id);
    expect((await a.admin.get('/api/backoffice/support/tickets')).statusCode).toBe(403);
    const blank = await operator.browser.post(`/api/backoffice/support/tickets/${fresh.id}/replies`, {
      body: '  ',
    });
    expect(blank.statusCode).toBe(422);
    expect(blank.json().error.fields.body.code).toBe('required');
  });
});

describe('the list', () => {
  it('pages by latest activity with a cursor, and refuses a forged cursor', async () => {
    const opened: string[] = [];
    for (let index = 0; index < 52; index += 1) {
      later(1000);
      opened.push((await openTicketVia(b.admin, { subject: `Вопрос ${index}` })).id);
    }
    const first = await b.admin.get('/api/cabinet/support/tickets');
    const page1 = first.json() as { items: { id: string }[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(50);
    expect(page1.items[0]!.id).toBe(opened.at(-1));
    const second = await b.admin.get(`/api/cabinet/support/tickets?cursor=${page1.nextCursor}`);
    const page2 = second.json() as { items: { id: string }[]; nextCursor: string | null };
    expect(page2.nextCursor).toBeNull();
    expect([...page1.items, ...page2.items].map((item) => item.id)).toEqual([...opened].reverse());
    const forged = await b.admin.get(
      `/api/cabinet/support/tickets?cursor=${Buffer.from('x|y').toString('base64url')}`,
    );
    expect(forged.statusCode).toBe(422);
    expect(forged.json().error.fields.cursor.code).toBe('invalid_cursor');
  });
});

describe('tenant isolation', () => {
  it('keeps each account’s tickets to itself', async () => {
    const ticket = await openTicketVia(a.admin, { subject: 'Только для A' });
    const listB = (await b.admin.get('/api/cabinet/support/tickets')).json() as { items: { id: string }[] };
    expect(listB.items.map((item) => item.id)).not.toContain(ticket.id);
    for (const url of [
      `/api/cabinet/support/tickets/${ticket.id}`,
      `/api/cabinet/support/tickets/${ticket.id}/changes`,
    ]) {
      const response = await b.admin.get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('Только для A');
    }
    const before = await countSupportRows(context);
    const reply = await b.admin.post(`/api/cabinet/support/tickets/${ticket.id}/replies`, { body: 'Чужой' });
    expect(reply.statusCode).toBe(404);
    expect(await countSupportRows(context)).toEqual(before);
    // Everyone of A's account sees A's tickets, whatever their role.
    const listViewer = (await a.viewer.get('/api/cabinet/support/tickets')).json() as {
      items: { id: string }[];
    };
    expect(listViewer.items.map((item) => item.id)).toContain(ticket.id);
  });
});

async function deliveredSince(before: number) {
  await context.deliverMail();
  return context.mail.sent.slice(before);
}
