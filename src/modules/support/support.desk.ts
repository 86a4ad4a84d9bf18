/**
 * The operator's support desk (back-office): the ticket queue by status, a ticket with its internal
 * notes, replies (which reach the merchant's messages and mail), notes (never shown to the merchant) and
 * status changes. Every action is written to the audit log in its own transaction.
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

export const MAX_QUEUE_SIZE = 200;

export interface DeskTicketSummary extends TicketSummary {
  readonly accountId: string;
  readonly accountLogin: string;
}

export interface DeskTicketDetails extends TicketDetails {
  readonly accountId: string;
  readonly accountLogin: string;
}

export interface DeskActor {
  readonly operatorUserId: string;
  readonly ip: string;
}

function selectDeskTickets(deps: Deps) {
  return selectTickets(deps.db)
    .innerJoin('accounts', 'accounts.id', 'support_tickets.account_id')
    .select('accounts.login as account_login');
}

/** The queue: oldest change first, so the ticket waiting longest is on top. */
export async function listTicketQueue(
  deps: Deps,
  status: TicketStatus,
): Promise<{ items: DeskTicketSummary[] }> {
  const rows = await selectDeskTickets(deps)
    .where('support_tickets.status', '=', status)
    .orderBy('support_tickets.updated_at')
    .orderBy('support_tickets.id')
    .limit(MAX_QUEUE_SIZE)
    .execute();
  return {
    items: rows.map((row) => ({
      ...toTicketSummary(row),
      accountId: row.account_id,
      accountLogin: row.account_login,
    })),
  };
}

export async function findDeskTicket(deps: Deps, ticketId: string): Promise<DeskTicketDetails> {
  const row = await selectDeskTickets(deps).where('support_tickets.id', '=', ticketId).executeTakeFirst();
  if (!row) throw supportErrors.ticketNotFound();
  return {
    ...toTicketSummary(row),
    accountId: row.account_id,
    accountLogin: row.account_login,
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
