/**
 * The inbox: what one signed-in person of an account may read, newest first, with search, a category
 * filter, keyset pagination and read state per person.
 *
 * Visible: the account's messages addressed to this person, and its account-wide messages of the
 * categories the person's role may see. Anything else, including another account's message id, is
 * "not found". A message older than the person's joining the account counts as read: a new employee
 * gets the history, not a pile of unread notices.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { validationError } from '../../platform/http/errors.js';
import type { LocalizedText } from '../../platform/i18n.js';
import type { Database, Role } from '../../schema.js';
import { visibleCategories, type MessageCategory } from './message.categories.js';
import { messageErrors, messageProblems } from './message.errors.js';
import { normalizeSearchText } from './message.service.js';
import { withMessageTables, type MessageDatabase, type MessageExecutor } from './message.tables.js';

export const DEFAULT_INBOX_PAGE_SIZE = 20;
export const MAX_INBOX_PAGE_SIZE = 50;
/** The unread counter stops here; the cabinet shows "99+" long before. */
export const MAX_UNREAD_COUNT = 1000;
const PREVIEW_LENGTH = 180;

export interface InboxReader {
  readonly userId: string;
  readonly accountId: string;
  readonly role: Role;
}

export interface InboxQuery {
  readonly search?: string;
  readonly category?: MessageCategory;
  readonly isUnreadOnly?: boolean;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface MessageSummary {
  readonly id: string;
  readonly category: MessageCategory;
  readonly title: LocalizedText;
  /** The start of the body, on one line. */
  readonly preview: LocalizedText;
  readonly link: string | null;
  readonly isPersonal: boolean;
  readonly isRead: boolean;
  readonly createdAt: string;
}

export interface MessageDetails extends Omit<MessageSummary, 'preview'> {
  readonly body: LocalizedText;
}

export interface InboxPage {
  readonly items: MessageSummary[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

type MessageScope = ExpressionBuilder<MessageDatabase, 'messages'>;

function isVisibleTo(reader: InboxReader) {
  const categories = visibleCategories(reader.role);
  return (eb: MessageScope) =>
    eb.and([
      eb('messages.account_id', '=', reader.accountId),
      eb.or([
        eb('messages.user_id', '=', reader.userId),
        eb.and([eb('messages.user_id', 'is', null), eb('messages.category', 'in', categories)]),
      ]),
    ]);
}

function isReadBy(reader: InboxReader, joinedAt: Date) {
  return (eb: MessageScope) =>
    eb.or([
      eb('messages.created_at', '<', joinedAt),
      eb.exists(
        eb
          .selectFrom('message_reads')
          .select(sql.lit(1).as('one'))
          .where('message_reads.user_id', '=', reader.userId)
          .whereRef('message_reads.message_id', '=', 'messages.id'),
      ),
    ]);
}

async function joinedAt(db: MessageExecutor, reader: InboxReader): Promise<Date> {
  const user = await db
    .selectFrom('users')
    .select('created_at')
    .where('id', '=', reader.userId)
    .executeTakeFirstOrThrow();
  return user.created_at;
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(iso) || Number.isNaN(createdAt.getTime()) || !/^msg_\w+$/.test(id))
    throw validationError({ cursor: messageProblems.invalidCursor });
  return { createdAt, id };
}

/** LIKE's wildcards and escape character, escaped, for a "contains" pattern. */
function containsPattern(search: string): string {
  return `%${normalizeSearchText(search).replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function toPreview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1).trimEnd()}…` : line;
}

export async function listInbox(
  database: Kysely<Database>,
  reader: InboxReader,
  query: InboxQuery,
): Promise<InboxPage> {
  const db = withMessageTables(database);
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_INBOX_PAGE_SIZE, 1), MAX_INBOX_PAGE_SIZE);
  const since = await joinedAt(db, reader);
  let select = db
    .selectFrom('messages')
    .select((eb) => [
      'messages.id',
      'messages.category',
      'messages.title_ru',
      'messages.title_en',
      eb.fn<string>('left', ['messages.body_ru', sql.lit(PREVIEW_LENGTH * 2)]).as('preview_ru'),
      eb.fn<string>('left', ['messages.body_en', sql.lit(PREVIEW_LENGTH * 2)]).as('preview_en'),
      'messages.link',
      'messages.user_id',
      'messages.created_at',
      isReadBy(reader, since)(eb).as('is_read'),
    ])
    .where(isVisibleTo(reader));
  if (query.category) select = select.where('messages.category', '=', query.category);
  const search = query.search?.trim();
  if (search) select = select.where('messages.search_text', 'like', containsPattern(search));
  if (query.isUnreadOnly) select = select.where((eb) => eb.not(isReadBy(reader, since)(eb)));
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    select = select.where((eb) =>
      eb(eb.refTuple('messages.created_at', 'messages.id'), '<', eb.tuple(after.createdAt, after.id)),
    );
  }
  const rows = await select
    .orderBy('messages.created_at', 'desc')
    .orderBy('messages.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: row.id,
      category: row.category,
      title: { ru: row.title_ru, en: row.title_en },
      preview: { ru: toPreview(row.preview_ru), en: toPreview(row.preview_en) },
      link: row.link,
      isPersonal: row.user_id !== null,
      isRead: Boolean(row.is_read),
      createdAt: row.created_at.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

export async function findInboxMessage(
  database: Kysely<Database>,
  reader: InboxReader,
  messageId: string,
): Promise<MessageDetails> {
  const db = withMessageTables(database);
  const since = await joinedAt(db, reader);
  const row = await db
    .selectFrom('messages')
    .selectAll('messages')
    .select((eb) => isReadBy(reader, since)(eb).as('is_read'))
    .where('messages.id', '=', messageId)
    .where(isVisibleTo(reader))
    .executeTakeFirst();
  if (!row) throw messageErrors.messageNotFound();
  return {
    id: row.id,
    category: row.category,
    title: { ru: row.title_ru, en: row.title_en },
    body: { ru: row.body_ru, en: row.body_en },
    link: row.link,
    isPersonal: row.user_id !== null,
    isRead: Boolean(row.is_read),
    createdAt: row.created_at.toISOString(),
  };
}

export async function countUnread(database: Kysely<Database>, reader: InboxReader): Promise<number> {
  const db = withMessageTables(database);
  const since = await joinedAt(db, reader);
  const unread = db
    .selectFrom('messages')
    .select('messages.id')
    .where(isVisibleTo(reader))
    .where('messages.created_at', '>=', since)
    .where((eb) => eb.not(isReadBy(reader, since)(eb)))
    .limit(MAX_UNREAD_COUNT);
  const row = await db
    .selectFrom(unread.as('unread'))
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Marks one visible message read (again is fine); another account's id is "not found". */
export async function markMessageRead(
  database: Kysely<Database>,
  clock: Clock,
  reader: InboxReader,
  messageId: string,
): Promise<void> {
  const db = withMessageTables(database);
  const found = await db
    .selectFrom('messages')
    .select('messages.id')
    .where('messages.id', '=', messageId)
    .where(isVisibleTo(reader))
    .executeTakeFirst();
  if (!found) throw messageErrors.messageNotFound();
  await db
    .insertInto('message_reads')
    .values({ user_id: reader.userId, message_id: found.id, read_at: clock.now() })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/** Marks every visible unread message read in one statement; returns how many were unread. */
export async function markAllRead(
  database: Kysely<Database>,
  clock: Clock,
  reader: InboxReader,
): Promise<number> {
  const db = withMessageTables(database);
  const since = await joinedAt(db, reader);
  const result = await db
    .insertInto('message_reads')
    .columns(['user_id', 'message_id', 'read_at'])
    .expression((eb) =>
      eb
        .selectFrom('messages')
        .select([
          sql<string>`${reader.userId}::text`.as('user_id'),
          'messages.id',
          sql<Date>`${clock.now()}::timestamptz`.as('read_at'),
        ])
        .where(isVisibleTo(reader))
        .where('messages.created_at', '>=', since)
        .where((inner) => inner.not(isReadBy(reader, since)(inner))),
    )
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}
