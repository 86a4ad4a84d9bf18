/**
 * postMessage: the one way a module tells an account something. In the caller's transaction it stores
 * the message (both languages) and enqueues its e-mail to every person who should get it. This is the
 * one place that decides who gets mail:
 * - active people of the account only (invited and disabled people get nothing);
 * - an account-wide message goes to those whose role may see its category; a personal one to its person;
 * - each person's subscription for the category (or its default) must match the message's delivery:
 *   'immediate' mail goes to people who chose it, a 'digest' message to people who chose the digest;
 * - security mail goes to everyone who may see it, whatever they chose (it cannot be turned off).
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { createId } from '../../platform/ids.js';
import type { Language, LocalizedText } from '../../platform/i18n.js';
import { enqueueMail } from '../../platform/mail.js';
import type { Database, Role } from '../../schema.js';
import {
  canSeeCategory,
  defaultDelivery,
  isUnsubscribable,
  type Delivery,
  type MessageCategory,
} from './message.categories.js';
import { renderMessageMail } from './message.mail.js';
import { withMessageTables, type MessageExecutor } from './message.tables.js';
import { createUnsubscribeToken } from './unsubscribe.token.js';

/** What postMessage needs: the clock, and the configuration for links and unsubscribe tokens. */
export type MessageDeps = Pick<Deps, 'clock' | 'config'>;

export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 10_000;

export interface NewMessage {
  readonly accountId: string;
  /** A personal message: only this person sees it and may get its mail. */
  readonly userId?: string | null;
  readonly category: MessageCategory;
  readonly title: LocalizedText;
  /** Plain text; a blank line separates paragraphs. */
  readonly body: LocalizedText;
  /** A path inside the cabinet, e.g. `/cabinet/operations/pay_...`. */
  readonly link?: string | null;
  /** The e-mail's subject; by default "Kopek: " and the title. */
  readonly subject?: LocalizedText;
  /** 'digest' only for the daily payment digest; everything else is 'immediate' (the default). */
  readonly delivery?: Exclude<Delivery, 'off'>;
  /** Makes posting idempotent: a second message with the same key is not stored and nobody is mailed. */
  readonly dedupKey?: string;
}

export interface PostedMessage {
  readonly id: string;
  /** The people an e-mail was enqueued for. */
  readonly mailedUserIds: readonly string[];
}

export interface Recipient {
  readonly id: string;
  readonly email: string;
  readonly language: Language;
  readonly role: Role;
  readonly delivery: Delivery;
}

const LINK_PATTERN = /^\/cabinet\/[A-Za-z0-9/_.~?=&%-]*$/;

/** Lower case with ё folded to е: how messages are searched, independent of the database's locale. */
export function normalizeSearchText(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

function clip(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/**
 * Long texts are clipped rather than refused: a notice must never undo the caller's change (a refund, a
 * moderation decision) because a shop name was long. Anything else wrong is the caller's bug.
 */
function normalizeMessage(message: NewMessage): { title: LocalizedText; body: LocalizedText } {
  const problems: string[] = [];
  for (const language of ['ru', 'en'] as const) {
    if (message.title[language].trim().length === 0) problems.push(`title.${language}`);
  }
  if (message.link && (!LINK_PATTERN.test(message.link) || message.link.includes('..')))
    problems.push('link');
  if (message.delivery === 'digest' && message.category !== 'payments') problems.push('delivery');
  if (message.dedupKey !== undefined && (message.dedupKey.length === 0 || message.dedupKey.length > 200))
    problems.push('dedupKey');
  // A caller's mistake, not the user's: it must fail loudly (and roll the caller's transaction back).
  if (problems.length > 0) throw new Error(`postMessage: invalid ${problems.join(', ')}`);
  return {
    title: {
      ru: clip(message.title.ru.trim(), MAX_TITLE_LENGTH),
      en: clip(message.title.en.trim(), MAX_TITLE_LENGTH),
    },
    body: { ru: clip(message.body.ru, MAX_BODY_LENGTH), en: clip(message.body.en, MAX_BODY_LENGTH) },
  };
}

/** Active people of the account (or the one person) with their subscription for the category. */
export async function listRecipients(
  executor: MessageExecutor,
  accountId: string,
  category: MessageCategory,
  userId?: string | null,
): Promise<Recipient[]> {
  let query = executor
    .selectFrom('users')
    .leftJoin('message_subscriptions as subscription', (join) =>
      join.onRef('subscription.user_id', '=', 'users.id').on('subscription.category', '=', category),
    )
    .select(['users.id', 'users.email', 'users.language', 'users.role', 'subscription.delivery'])
    .where('users.account_id', '=', accountId)
    .where('users.status', '=', 'active');
  if (userId) query = query.where('users.id', '=', userId);
  const rows = await query.orderBy('users.id').execute();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    language: row.language,
    role: row.role,
    delivery: row.delivery ?? defaultDelivery(category),
  }));
}

export function isMailedTo(
  recipient: Recipient,
  message: Pick<NewMessage, 'category' | 'userId' | 'delivery'>,
): boolean {
  if (!message.userId && !canSeeCategory(recipient.role, message.category)) return false;
  if (message.category === 'security') return true;
  return recipient.delivery === (message.delivery ?? 'immediate');
}

async function mailRecipient(
  trx: MessageExecutor,
  deps: MessageDeps,
  message: NewMessage,
  messageId: string,
  recipient: Recipient,
): Promise<void> {
  const language = recipient.language;
  const base = deps.config.publicUrl;
  const unsubscribeUrl = isUnsubscribable(message.category)
    ? `${base}/unsubscribe/${createUnsubscribeToken(deps.config.masterKey, {
        userId: recipient.id,
        category: message.category,
      })}`
    : null;
  const mail = renderMessageMail({
    language,
    category: message.category,
    subject: message.subject?.[language] ?? `Kopek: ${message.title[language]}`,
    title: message.title[language],
    body: message.body[language],
    messageUrl: `${base}/cabinet/messages/${messageId}`,
    linkUrl: message.link ? `${base}${message.link}` : null,
    settingsUrl: `${base}/cabinet/settings#notifications`,
    unsubscribeUrl,
    isDigest: message.delivery === 'digest',
  });
  await enqueueMail(trx, deps.clock, {
    to: recipient.email,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: mail.headers,
    accountId: message.accountId,
    kind: `message.${message.category}`,
  });
}

/**
 * Stores the message and enqueues its e-mails, in the caller's transaction. Returns null when the
 * dedupKey was used before (nothing stored, nobody mailed).
 */
export async function postMessage(
  trx: Transaction<Database>,
  deps: MessageDeps,
  message: NewMessage,
): Promise<PostedMessage | null> {
  const { title, body } = normalizeMessage(message);
  const tables = withMessageTables(trx);
  const id = createId('msg');
  const inserted = await tables
    .insertInto('messages')
    .values({
      id,
      account_id: message.accountId,
      user_id: message.userId ?? null,
      category: message.category,
      title_ru: title.ru,
      title_en: title.en,
      body_ru: body.ru,
      body_en: body.en,
      link: message.link ?? null,
      search_text: normalizeSearchText([title.ru, title.en, body.ru, body.en].join('\n')),
      dedup_key: message.dedupKey ?? null,
      created_at: deps.clock.now(),
    })
    .onConflict((conflict) => conflict.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return null;
  const recipients = await listRecipients(tables, message.accountId, message.category, message.userId);
  const mailed = recipients.filter((recipient) => isMailedTo(recipient, message));
  const stored = { ...message, title, body };
  for (const recipient of mailed) await mailRecipient(tables, deps, stored, id, recipient);
  return { id, mailedUserIds: mailed.map((recipient) => recipient.id) };
}
