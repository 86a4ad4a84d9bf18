/**
 * Who handles a ticket: any support agent or administrator of the operator's staff may take a ticket,
 * hand it to a colleague or release it. The merchant never sees the assignee, so assigning moves neither
 * the ticket's revision nor its updated_at (the queue's waiting clock). Every change is audited.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import type { Database, StaffRole } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { supportErrors, supportProblems } from './support.errors.js';
import { withSupportTables } from './support.tables.js';
import { lockTicket } from './support.thread.js';
import { findDeskTicket, type DeskActor, type DeskTicketDetails } from './support.desk.js';

/** The staff roles that work the desk (those with the back-office's support permission). */
const AGENT_ROLES: readonly StaffRole[] = ['support', 'administrator'];

export interface AgentView {
  readonly id: string;
  readonly login: string;
}

function selectAgents(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('users')
    .select(['id', 'login'])
    .where('role', '=', 'operator')
    .where('staff_role', 'in', AGENT_ROLES)
    .where('status', '=', 'active');
}

/** The people a ticket can be assigned to, for the desk's selects. */
export async function listAgents(deps: Deps): Promise<{ items: AgentView[] }> {
  return { items: await selectAgents(deps.db).orderBy('login').orderBy('id').execute() };
}

/** Assigns the ticket to an agent, or releases it (null). The same assignee again changes nothing. */
export async function assignTicket(
  deps: Deps,
  actor: DeskActor,
  ticketId: string,
  assigneeUserId: string | null,
): Promise<DeskTicketDetails> {
  await deps.db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId, null);
    if (!ticket) throw supportErrors.ticketNotFound();
    if (assigneeUserId !== null) {
      const agent = await selectAgents(trx).where('id', '=', assigneeUserId).executeTakeFirst();
      if (!agent) throw validationError({ assigneeUserId: supportProblems.notAnAgent });
    }
    if (ticket.assignee_user_id === assigneeUserId) return;
    await withSupportTables(trx)
      .updateTable('support_tickets')
      .set({ assignee_user_id: assigneeUserId })
      .where('id', '=', ticket.id)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: ticket.account_id,
      actorUserId: actor.operatorUserId,
      action: 'support.ticket_assigned',
      target: ticket.id,
      details: { from: ticket.assignee_user_id, to: assigneeUserId },
      ip: actor.ip,
    });
  });
  return findDeskTicket(deps, ticketId);
}
