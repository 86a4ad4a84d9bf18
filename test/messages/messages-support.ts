/** Helpers for the messages tests: posting through the real service, reading mail and message rows. */
import { expect } from 'vitest';
import { postMessage, type NewMessage, type PostedMessage } from '../../src/modules/messages/index.js';
import type { TestBrowser } from '../support/client.js';
import type { SentMail, TestContext } from '../support/harness.js';

/** Delivered mail as the transport received it, with the extra header fields it was given. */
export type DeliveredMail = SentMail & { readonly headers?: Readonly<Record<string, string>> };

let counter = 0;

/** Posts a message in its own transaction, the way a module would inside its own. */
export async function post(
  context: TestContext,
  message: Partial<NewMessage> & Pick<NewMessage, 'accountId'>,
): Promise<PostedMessage | null> {
  counter += 1;
  return context.deps.db.transaction().execute((trx) =>
    postMessage(trx, context.deps, {
      category: 'payouts',
      title: { ru: `Выплата №${counter} исполнена`, en: `Payout #${counter} executed` },
      body: { ru: `Текст сообщения ${counter}`, en: `Message text ${counter}` },
      ...message,
    }),
  );
}

/** Delivers queued mail and returns what was delivered since `before` (an index into mail.sent). */
export async function deliveredSince(context: TestContext, before: number): Promise<DeliveredMail[]> {
  await context.deliverMail();
  return context.mail.sent.slice(before) as DeliveredMail[];
}

export async function unreadCount(browser: TestBrowser): Promise<number> {
  const response = await browser.get('/api/cabinet/messages/unread-count');
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { count: number }).count;
}

export interface InboxItem {
  id: string;
  category: string;
  title: { ru: string; en: string };
  preview: { ru: string; en: string };
  link: string | null;
  isRead: boolean;
  isPersonal: boolean;
  createdAt: string;
}

export async function inbox(
  browser: TestBrowser,
  query = '',
): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
  const response = await browser.get(`/api/cabinet/messages${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** The unsubscribe address in a delivered mail's List-Unsubscribe header. */
export function unsubscribeUrlOf(mail: DeliveredMail): string {
  const match = /^<(https?:\/\/[^>]+)>$/.exec(mail.headers?.['List-Unsubscribe'] ?? '');
  if (!match?.[1]) throw new Error(`no List-Unsubscribe in mail "${mail.subject}"`);
  return match[1];
}
