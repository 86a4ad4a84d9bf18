/**
 * Table types of the messages module (migration 0017_messages.sql), added to the shared Database type
 * only inside this module through Kysely's withTables. (Type aliases, not interfaces: withTables wants
 * types with index signatures.)
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../schema.js';
import type { Delivery, MessageCategory } from './message.categories.js';

export type MessagesTable = {
  id: string;
  account_id: string;
  user_id: string | null;
  category: MessageCategory;
  title_ru: string;
  title_en: string;
  body_ru: string;
  body_en: string;
  link: string | null;
  search_text: string;
  dedup_key: string | null;
  created_at: Date;
};

export type MessageReadsTable = {
  user_id: string;
  message_id: string;
  read_at: Date;
};

export type MessageSubscriptionsTable = {
  user_id: string;
  category: MessageCategory;
  delivery: Delivery;
  updated_at: Date;
};

export type MessageDigestDaysTable = {
  /** A date column: written as 'YYYY-MM-DD'. */
  day: string;
  finished_at: Date;
};

export type MessageTables = {
  messages: MessagesTable;
  message_reads: MessageReadsTable;
  message_subscriptions: MessageSubscriptionsTable;
  message_digest_days: MessageDigestDaysTable;
};
export type MessageDatabase = Database & MessageTables;
export type MessageExecutor = Kysely<MessageDatabase> | Transaction<MessageDatabase>;

export function withMessageTables(db: Kysely<Database> | Transaction<Database>): MessageExecutor {
  return db.withTables<MessageTables>();
}
