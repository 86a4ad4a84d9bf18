/**
 * Table types of the support module (migrations 0023_support.sql and 0035_support_desk.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as the messages module does. (Type aliases, not
 * interfaces: withTables wants types with index signatures.)
 */
import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../../schema.js';

export const TICKET_TOPICS = [
  'payments',
  'refunds',
  'payouts',
  'integration',
  'moderation',
  'documents',
  'account',
  'other',
] as const;
export type TicketTopic = (typeof TICKET_TOPICS)[number];

export const TICKET_STATUSES = ['open', 'waiting_for_merchant', 'resolved'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const FEEDBACK_CATEGORIES = ['idea', 'problem', 'praise', 'other'] as const;
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];

export const FEEDBACK_STATUSES = ['received', 'under_review', 'planned', 'done', 'declined'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export type SupportTicketsTable = {
  id: string;
  account_id: string;
  author_user_id: string;
  shop_id: string | null;
  payment_id: string | null;
  topic: TicketTopic;
  subject: string;
  status: TicketStatus;
  revision: Generated<number>;
  created_at: Date;
  updated_at: Date;
  first_replied_at: Date | null;
  resolved_at: Date | null;
  assignee_user_id: Generated<string | null>;
};

export type SupportPostsTable = {
  id: string;
  position: Generated<bigint>;
  ticket_id: string;
  account_id: string;
  author_user_id: string;
  author_kind: 'merchant' | 'operator';
  is_internal: Generated<boolean>;
  body: string;
  created_at: Date;
};

export type SupportAttachmentsTable = {
  id: string;
  post_id: string;
  ticket_id: string;
  account_id: string;
  position: number;
  file_name: string;
  content_type: AttachmentType;
  size_bytes: number;
  sha256: string;
  content: Uint8Array;
  created_at: Date;
};

export type SupportFeedbackTable = {
  id: string;
  account_id: string;
  author_user_id: string;
  category: FeedbackCategory;
  body: string;
  rating: number | null;
  status: FeedbackStatus;
  answer: string | null;
  created_at: Date;
  updated_at: Date;
};

export type SupportCannedAnswersTable = {
  id: string;
  title: string;
  body_ru: string | null;
  body_en: string | null;
  category: TicketTopic | null;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
};

export type SupportTables = {
  support_tickets: SupportTicketsTable;
  support_posts: SupportPostsTable;
  support_attachments: SupportAttachmentsTable;
  support_feedback: SupportFeedbackTable;
  support_canned_answers: SupportCannedAnswersTable;
};
export type SupportDatabase = Database & SupportTables;
export type SupportExecutor = Kysely<SupportDatabase> | Transaction<SupportDatabase>;

export function withSupportTables(db: Transaction<Database>): Transaction<SupportDatabase>;
export function withSupportTables(db: Kysely<Database>): Kysely<SupportDatabase>;
export function withSupportTables(db: Kysely<Database> | Transaction<Database>): SupportExecutor {
  return db.withTables<SupportTables>();
}
