/**
 * The merchant's side of support: open a ticket (optionally about one of the account's shops or
 * payments, with files), read the account's tickets, reply, and poll a ticket's revision. Every query
 * is scoped to the signed-in person's account: another account's ticket is "not found".
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { consumeRateLimit, type RateLimitRule } from '../../platform/http/rate-limit.js';
import { createId } from '../../platform/ids.js';
import type { Database } from '../../schema.js';
import type { MerchantActor } from '../accounts/index.js';
import { decodeAttachments, type AttachmentInput } from './support.attachments.js';
import { supportErrors, supportProblems } from './support.errors.js';
import { withSupportTables, type TicketStatus, type TicketTopic } from './support.tables.js';
import {
  insertPost,
  loadThread,
  lockTicket,
  selectTickets,
  statusChange,
  toTicketSummary,
  type TicketDetails,
  type TicketSummary,
} from './support.thread.js';

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_POST_LENGTH = 10_000;
export const TICKET_PAGE_SIZE = 50;

/**
 * Posts (new tickets and replies) per account and hour. Each may carry 25 MB of files, so a runaway
 * script must not fill the database; a person writing to support never comes near it.
 */
export const SUPPORT_POST_LIMIT: RateLimitRule = { name: 'support-post', limit: 100, windowMs: 3_600_000 };

export interface NewTicket {
  readonly topic: TicketTopic;
  readonly subject: string;
  readonly shopId?: string | null;
  readonly paymentId?: string | null;
  readonly body: string;
  readonly attachments?: readonly AttachmentInput[];
}

/** Trimmed text, or a field problem when it is blank or too long. */
function requireText(fields: Record<string, FieldProblem>, name: string, text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed === '') fields[name] = supportProblems.required;
  else if (trimmed.length > max) fields[name] = { ...supportProblems.tooLong, values: { max } };
  return trimmed;
}

/** The shop and payment a ticket is about, both the account's own; the payment's shop fills a missing shop. */
async function resolveSubjectOfTicket(
  trx: Transaction<Database>,
  accountId: string,
  shopId: string | null,
  paymentId: string | null,
): Promise<{ shopId: string | null; paymentId: string | null }> {
  if (shopId !== null) {
    const shop = await trx
      .selectFrom('shops')
      .select('id')
      .where('id', '=', shopId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!shop) throw supportErrors.shopNotFound();
  }
  if (paymentId === null) return { shopId, paymentId };
  const payment = await trx
    .selectFrom('payments')
    .select(['id', 'shop_id'])
    .where('id', '=', paymentId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!payment) throw supportErrors.operationNotFound();
  if (shopId !== null && payment.shop_id !== shopId) {
    throw validationError({ paymentId: supportProblems.operationOfOtherShop });
  }
  return { shopId: payment.shop_id, paymentId: payment.id };
}

export async function openTicket(deps: Deps, actor: MerchantActor, input: NewTicket): Promise<TicketDetails> {
  const fields: Record<string, FieldProblem> = {};
  const subject = requireText(fields, 'subject', input.subject, MAX_SUBJECT_LENGTH);
  const body = requireText(fields, 'body', input.body, MAX_POST_LENGTH);
  if (Object.keys(fields).length > 0) throw validationError(fields);
  // Decoding and type checks are CPU work: done before the transaction opens.
  const attachments = decodeAttachments(input.attachments ?? []);
  await consumeRateLimit(deps.db, deps.clock, SUPPORT_POST_LIMIT, actor.accountId);
  const id = createId('tkt');
  await deps.db.transaction().execute(async (trx) => {
    const about = await resolveSubjectOfTicket(
      trx,
      actor.accountId,
      input.shopId || null,
      input.paymentId || null,
    );
    const now = deps.clock.now();
    await withSupportTables(trx)
      .insertInto('support_tickets')
      .values({
        id,
        account_id: actor.accountId,
        author_user_id: actor.userId,
        shop_id: about.shopId,
        payment_id: about.paymentId,
        topic: input.topic,
        subject,
        status: 'open',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await insertPost(trx, deps.clock, {
      ticketId: id,
      accountId: actor.accountId,
      authorUserId: actor.userId,
      authorKind: 'merchant',
      body,
      attachments,
    });
  });
  return findTicket(deps, actor, id);
}

function encodeTicketCursor(updatedAt: string, id: string): string {
  return Buffer.from(`${updatedAt}|${id}`, 'utf8').toString('base64url');
}

function decodeTicketCursor(cursor: string): { updatedAt: Date; id: string } {
  const [iso = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const updatedAt = new Date(iso);
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(iso) || Number.isNaN(updatedAt.getTime()) || !/^tkt_\w+$/.test(id)) {
    throw validationError({ cursor: supportProblems.invalidCursor });
  }
  return { updatedAt, id };
}

/**
 * The account's tickets, latest activity first, a page at a time (keyset on updated_at and id). A ticket
 * that changes while someone pages moves to the top: it is seen on the first page, not lost.
 */
export async function listTickets(
  deps: Deps,
  actor: MerchantActor,
  filter: { status?: TicketStatus; cursor?: string },
): Promise<{ items: TicketSummary[]; nextCursor: string | null }> {
  let query = selectTickets(deps.db)
    .where('support_tickets.account_id', '=', actor.accountId)
    .orderBy('support_tickets.updated_at', 'desc')
    .orderBy('support_tickets.id', 'desc')
    .limit(TICKET_PAGE_SIZE + 1);
  if (filter.status) query = query.where('support_tickets.status', '=', filter.status);
  if (filter.cursor) {
    const after = decodeTicketCursor(filter.cursor);
    query = query.where((eb) =>
      eb(
        eb.refTuple('support_tickets.updated_at', 'support_tickets.id'),
        '<',
        eb.tuple(after.updatedAt, after.id),
      ),
    );
  }
  const rows = await query.execute();
  const items = rows.slice(0, TICKET_PAGE_SIZE).map(toTicketSummary);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > TICKET_PAGE_SIZE && last ? encodeTicketCursor(last.updatedAt, last.id) : null,
  };
}

export async function findTicket(deps: Deps, actor: MerchantActor, ticketId: string): Promise<TicketDetails> {
  const row = await selectTickets(deps.db)
    .where('support_tickets.id', '=', ticketId)
    .where('support_tickets.account_id', '=', actor.accountId)
    .executeTakeFirst();
  if (!row) throw supportErrors.ticketNotFound();
  return { ...toTicketSummary(row), posts: await loadThread(deps.db, row.id, 'merchant') };
}

/** What the ticket page polls: one indexed row, so polling every few seconds costs next to nothing. */
export async function findTicketRevision(
  deps: Deps,
  actor: MerchantActor,
  ticketId: string,
  knownRevision: number,
): Promise<{ revision: number; isChanged: boolean }> {
  const row = await withSupportTables(deps.db)
    .selectFrom('support_tickets')
    .select('revision')
    .where('id', '=', ticketId)
    .where('account_id', '=', actor.accountId)
    .executeTakeFirst();
  if (!row) throw supportErrors.ticketNotFound();
  return { revision: row.revision, isChanged: row.revision !== knownRevision };
}

/** A merchant's reply; a ticket waiting for the merchant, or resolved, opens again. */
export async function replyAsMerchant(
  deps: Deps,
  actor: MerchantActor,
  ticketId: string,
  input: { body: string; attachments?: readonly AttachmentInput[] },
): Promise<TicketDetails> {
  const fields: Record<string, FieldProblem> = {};
  const body = requireText(fields, 'body', input.body, MAX_POST_LENGTH);
  if (Object.keys(fields).length > 0) throw validationError(fields);
  const attachments = decodeAttachments(input.attachments ?? []);
  await consumeRateLimit(deps.db, deps.clock, SUPPORT_POST_LIMIT, actor.accountId);
  await deps.db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId, actor.accountId);
    if (!ticket) throw supportErrors.ticketNotFound();
    await insertPost(trx, deps.clock, {
      ticketId: ticket.id,
      accountId: actor.accountId,
      authorUserId: actor.userId,
      authorKind: 'merchant',
      body,
      attachments,
    });
    await withSupportTables(trx)
      .updateTable('support_tickets')
      .set(statusChange('open', deps.clock.now(), ticket.revision))
      .where('id', '=', ticket.id)
      .execute();
  });
  return findTicket(deps, actor, ticketId);
}

/** A file of a ticket: the account's own for a merchant (accountId), any for the operator (null). */
export async function findAttachment(deps: Deps, accountId: string | null, attachmentId: string) {
  let query = withSupportTables(deps.db)
    .selectFrom('support_attachments')
    .innerJoin('support_posts', 'support_posts.id', 'support_attachments.post_id')
    .select([
      'support_attachments.file_name',
      'support_attachments.content_type',
      'support_attachments.size_bytes',
      'support_attachments.content',
    ])
    .where('support_attachments.id', '=', attachmentId);
  // The merchant never reaches a file of an internal note, even by its id.
  if (accountId !== null) {
    query = query
      .where('support_attachments.account_id', '=', accountId)
      .where('support_posts.is_internal', '=', false);
  }
  const file = await query.executeTakeFirst();
  if (!file) throw supportErrors.attachmentNotFound();
  return {
    fileName: file.file_name,
    contentType: file.content_type,
    sizeBytes: file.size_bytes,
    content: Buffer.from(file.content),
  };
}
