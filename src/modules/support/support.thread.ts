/**
 * The thread of a ticket as both sides read it, and the writing of one post with its files. Shared by
 * the merchant's side (support.service.ts) and the operator's desk (support.desk.ts); the caller owns the
 * transaction and has already checked who may touch the ticket.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { createId } from '../../platform/ids.js';
import type { Database } from '../../schema.js';
import type { DecodedAttachment } from './support.attachments.js';
import {
  withSupportTables,
  type AttachmentType,
  type SupportDatabase,
  type TicketStatus,
  type TicketTopic,
} from './support.tables.js';

export interface AttachmentView {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: AttachmentType;
  readonly sizeBytes: number;
}

export interface PostView {
  readonly id: string;
  readonly authorKind: 'merchant' | 'operator';
  /** The merchant person's login; null for operators on the merchant's side. */
  readonly authorLogin: string | null;
  readonly isInternal: boolean;
  readonly body: string;
  readonly createdAt: string;
  readonly attachments: AttachmentView[];
}

export interface TicketSummary {
  readonly id: string;
  readonly topic: TicketTopic;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly shop: { readonly id: string; readonly name: string } | null;
  readonly paymentId: string | null;
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly firstRepliedAt: string | null;
  readonly resolvedAt: string | null;
}

export interface TicketDetails extends TicketSummary {
  readonly posts: PostView[];
}

type Executor = Kysely<Database> | Transaction<Database>;

/** Tickets with their shop's name; callers add the scope (account or status). */
export function selectTickets(db: Executor) {
  return withSupportTables(db as Kysely<Database>)
    .selectFrom('support_tickets')
    .leftJoin('shops', 'shops.id', 'support_tickets.shop_id')
    .selectAll('support_tickets')
    .select('shops.name as shop_name');
}

type TicketRow = Awaited<ReturnType<ReturnType<typeof selectTickets>['executeTakeFirstOrThrow']>>;

export function toTicketSummary(row: TicketRow): TicketSummary {
  return {
    id: row.id,
    topic: row.topic,
    subject: row.subject,
    status: row.status,
    shop: row.shop_id ? { id: row.shop_id, name: row.shop_name ?? row.shop_id } : null,
    paymentId: row.payment_id,
    revision: row.revision,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    firstRepliedAt: row.first_replied_at?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

/** The posts of a ticket in the order they were written; internal notes only for the operator. */
export async function loadThread(
  db: Executor,
  ticketId: string,
  reader: 'merchant' | 'operator',
): Promise<PostView[]> {
  const support = withSupportTables(db as Kysely<Database>);
  let query = support
    .selectFrom('support_posts')
    .innerJoin('users', 'users.id', 'support_posts.author_user_id')
    .select([
      'support_posts.id',
      'support_posts.author_kind',
      'support_posts.is_internal',
      'support_posts.body',
      'support_posts.created_at',
      'users.login',
    ])
    .where('support_posts.ticket_id', '=', ticketId)
    .orderBy('support_posts.position');
  if (reader === 'merchant') query = query.where('support_posts.is_internal', '=', false);
  const posts = await query.execute();
  const files = await support
    .selectFrom('support_attachments')
    .select(['id', 'post_id', 'file_name', 'content_type', 'size_bytes'])
    .where('ticket_id', '=', ticketId)
    .orderBy('post_id')
    .orderBy('position')
    .execute();
  return posts.map((post) => ({
    id: post.id,
    authorKind: post.author_kind,
    authorLogin: post.author_kind === 'operator' && reader === 'merchant' ? null : post.login,
    isInternal: post.is_internal,
    body: post.body,
    createdAt: post.created_at.toISOString(),
    attachments: files
      .filter((file) => file.post_id === post.id)
      .map((file) => ({
        id: file.id,
        fileName: file.file_name,
        contentType: file.content_type,
        sizeBytes: file.size_bytes,
      })),
  }));
}

export interface NewPost {
  readonly ticketId: string;
  readonly accountId: string;
  readonly authorUserId: string;
  readonly authorKind: 'merchant' | 'operator';
  readonly isInternal?: boolean;
  readonly body: string;
  readonly attachments?: readonly DecodedAttachment[];
}

/** Writes a post and its files in the caller's transaction; returns the post's id. */
export async function insertPost(trx: Transaction<Database>, clock: Clock, post: NewPost): Promise<string> {
  const support: Transaction<SupportDatabase> = withSupportTables(trx);
  const id = createId('tpost');
  const now = clock.now();
  await support
    .insertInto('support_posts')
    .values({
      id,
      ticket_id: post.ticketId,
      account_id: post.accountId,
      author_user_id: post.authorUserId,
      author_kind: post.authorKind,
      is_internal: post.isInternal ?? false,
      body: post.body,
      created_at: now,
    })
    .execute();
  for (const [position, file] of (post.attachments ?? []).entries()) {
    await support
      .insertInto('support_attachments')
      .values({
        id: createId('att'),
        post_id: id,
        ticket_id: post.ticketId,
        account_id: post.accountId,
        position,
        file_name: file.fileName,
        content_type: file.contentType,
        size_bytes: file.content.length,
        sha256: file.sha256,
        content: file.content,
        created_at: now,
      })
      .execute();
  }
  return id;
}

/** Locks a ticket for a change; `accountId` scopes it for the merchant (null: the operator). */
export async function lockTicket(trx: Transaction<Database>, ticketId: string, accountId: string | null) {
  let query = withSupportTables(trx)
    .selectFrom('support_tickets')
    .selectAll()
    .where('id', '=', ticketId)
    .forUpdate();
  if (accountId !== null) query = query.where('account_id', '=', accountId);
  return query.executeTakeFirst();
}

/** The status fields after a change: resolved_at follows the status; the revision tells pollers. */
export function statusChange(status: TicketStatus, now: Date, revision: number) {
  return {
    status,
    resolved_at: status === 'resolved' ? now : null,
    updated_at: now,
    revision: revision + 1,
  };
}
