/**
 * The operator's support desk (back-office): a ticket with its internal notes, the desk's view of a
 * ticket (assignee, the author's language, first-reply and resolution times, overdue), replies (which
 * reach the merchant's messages and mail), notes (never shown to the merchant) and status changes. Every
 * action is written to the audit log in its own transaction. The queue is in support.queue.ts.
 */
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';
import { supportErrors, supportProblems } from './support.errors.js';
import { notifyTicketReply, notifyTicketResolved } from './support.notify.js';
import { MAX_POST_LENGTH } from './support.service.js';
import { withSupportTables, type TicketStatus } from './support.tables.js';
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

/**
 * How long a ticket may wait for the desk (status "open": new, or the merchant wrote last) before it
 * counts as overdue. updated_at is when it started waiting: only posts and statuses move it.
 */
export const REPLY_TARGET_HOURS = 24;
const REPLY_TARGET_MS = REPLY_TARGET_HOURS * 3_600_000;

export interface DeskTicketSummary extends TicketSummary {
  readonly accountId: string;
  readonly accountLogin: string;
  /** The ticket author's language: the desk offers canned answers in it. */
  readonly authorLanguage: 'ru' | 'en';
  readonly assignee: { readonly id: string; readonly login: string } | null;
  /** First operator reply minus creation; null before the first reply. */
  readonly firstReplySeconds: number | null;
  /** Resolution minus creation; null unless resolved (a reopened ticket loses it). */
  readonly resolutionSeconds: number | null;
  readonly isOverdue: boolean;
}

export interface DeskTicketDetails extends DeskTicketSummary, TicketDetails {}

export interface DeskActor {
  readonly operatorUserId: string;
  readonly ip: string;
}

/** The moment before which an open ticket is overdue. */
export function overdueCutoff(now: Date): Date {
  return new Date(now.getTime() - REPLY_TARGET_MS);
}

export function selectDeskTickets(deps: Deps) {
  return selectTickets(deps.db)
    .innerJoin('accounts', 'accounts.id', 'support_tickets.account_id')
    .innerJoin('users as author', 'author.id', 'support_tickets.author_user_id')
    .leftJoin('users as assignee', 'assignee.id', 'support_tickets.assignee_user_id')
    .select(['accounts.login as account_login', 'author.language as author_language'])
    .select('assignee.login as assignee_login');
}

type DeskTicketRow = Awaited<ReturnType<ReturnType<typeof selectDeskTickets>['executeTakeFirstOrThrow']>>;

const secondsBetween = (from: Date, to: Date | null) =>
  to === null ? null : Math.round((to.getTime() - from.getTime()) / 1000);

export function toDeskTicketSummary(row: DeskTicketRow, now: Date): DeskTicketSummary {
  return {
    ...toTicketSummary(row),
    accountId: row.account_id,
    accountLogin: row.account_login,
    authorLanguage: row.author_language,
    assignee: row.assignee_user_id
      ? { id: row.assignee_user_id, login: row.assignee_login ?? row.assignee_user_id }
      : null,
    firstReplySeconds: secondsBetween(row.created_at, row.first_replied_at),
    resolutionSeconds: secondsBetween(row.created_at, row.resolved_at),
    isOverdue: row.status === 'open' && row.updated_at <= overdueCutoff(now),
  };
}

export async function findDeskTicket(deps: Deps, ticketId: string): Promise<DeskTicketDetails> {
  const row = await selectDeskTickets(deps).where('support_tickets.id', '=', ticketId).executeTakeFirst();
  if (!row) throw supportErrors.ticketNotFound();
  return {
    ...toDeskTicketSummary(row, deps.clock.now()),
    posts: await loadThread(deps.db, row.id, 'operator'),
  };
}

function requireBody(text: string): string {
  const body = text.trim();
  if (body === '') throw validationError({ body: supportProblems.required });
  if (body.length > MAX_POST_LENGTH) {
    throw validationError({ body: { ...supportProblems.tooLong, values: { max: MAX_POST_LENGTH } } });
  }
  return body;
}

/**
 * An operator's reply. The ticket then waits for the merchant unless the operator picks another status
 * (resolved, when the reply settles it). The first reply's time is kept for the desk's response times.
 */
export async function replyAsOperator(
  deps: Deps,
  actor: DeskActor,
  ticketId: string,
  input: { body: string; status?: TicketStatus },
): Promise<DeskTicketDetails> {
  const body = requireBody(input.body);
  const status = input.status ?? 'waiting_for_merchant';
  await deps.db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId, null);
    if (!ticket) throw supportErrors.ticketNotFound();
    await insertPost(trx, deps.clock, {
      ticketId: ticket.id,
      accountId: ticket.account_id,
      authorUserId: actor.operatorUserId,
      authorKind: 'operator',
      body,
    });
    const now = deps.clock.now();
    await withSupportTables(trx)
      .updateTable('support_tickets')
      .set({
        ...statusChange(status, now, ticket.revision),
        first_replied_at: ticket.first_replied_at ?? now,
      })
      .where('id', '=', ticket.id)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: ticket.account_id,
      actorUserId: actor.operatorUserId,
      action: 'support.ticket_replied',
      target: ticket.id,
      details: { status },
      ip: actor.ip,
    });
    const ref = {
      id: ticket.id,
      accountId: ticket.account_id,
      authorUserId: ticket.author_user_id,
      subject: ticket.subject,
    };
    await notifyTicketReply(trx, deps, ref, body);
  });
  return findDeskTicket(deps, ticketId);
}

/** An internal note: for operators only; the merchant's view and its revision do not change. */
export async function addInternalNote(
  deps: Deps,
  actor: DeskActor,
  ticketId: string,
  text: string,
): Promise<DeskTicketDetails> {
  const body = requireBody(text);
  await deps.db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId, null);
    if (!ticket) throw supportErrors.ticketNotFound();
    await insertPost(trx, deps.clock, {
      ticketId: ticket.id,
      accountId: ticket.account_id,
      authorUserId: actor.operatorUserId,
      authorKind: 'operator',
      isInternal: true,
      body,
    });
    await recordAudit(trx, deps.clock, {
      accountId: ticket.account_id,
      actorUserId: actor.operatorUserId,
      action: 'support.ticket_note_added',
      target: ticket.id,
      ip: actor.ip,
    });
  });
  return findDeskTicket(deps, ticketId);
}

/** Sets a ticket's status; resolving tells the merchant, who may reopen it by replying. */
export async function changeTicketStatus(
  deps: Deps,
  actor: DeskActor,
  ticketId: string,
  status: TicketStatus,
): Promise<DeskTicketDetails> {
  await deps.db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId, null);
    if (!ticket) throw supportErrors.ticketNotFound();
    if (ticket.status === status) throw validationError({ status: supportProblems.statusUnchanged });
    await withSupportTables(trx)
      .updateTable('support_tickets')
      .set(statusChange(status, deps.clock.now(), ticket.revision))
      .where('id', '=', ticket.id)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: ticket.account_id,
      actorUserId: actor.operatorUserId,
      action: 'support.ticket_status_changed',
      target: ticket.id,
      details: { from: ticket.status, to: status },
      ip: actor.ip,
    });
    if (status === 'resolved') {
      await notifyTicketResolved(trx, deps, {
        id: ticket.id,
        accountId: ticket.account_id,
        authorUserId: ticket.author_user_id,
        subject: ticket.subject,
      });
    }
  });
  return findDeskTicket(deps, ticketId);
}
