/**
 * The desk's ticket queue: filters (status, assignee, topic, overdue), the waiting-longest-first list,
 * and the figures of the whole filtered set for the queue's header: how many, how many overdue, and the
 * average and median first-reply and resolution times. The figures are aggregates in PostgreSQL over
 * every matching ticket, not only the listed page.
 */
import { expressionBuilder, sql, type Expression, type SqlBool } from 'kysely';
import type { Deps } from '../../deps.js';
import {
  withSupportTables,
  type SupportDatabase,
  type TicketStatus,
  type TicketTopic,
} from './support.tables.js';
import {
  overdueCutoff,
  REPLY_TARGET_HOURS,
  selectDeskTickets,
  toDeskTicketSummary,
  type DeskActor,
  type DeskTicketSummary,
} from './support.desk.js';

export const MAX_QUEUE_SIZE = 200;

export interface QueueFilter {
  readonly status?: TicketStatus | 'all';
  /** "me", "none" (nobody took it) or a staff user's id. */
  readonly assignee?: string;
  readonly topic?: TicketTopic;
  readonly overdue?: boolean;
}

export interface TimeFigures {
  /** Tickets that have the time (replied, or resolved). */
  readonly count: number;
  readonly averageSeconds: number | null;
  readonly medianSeconds: number | null;
}

export interface QueueStats {
  readonly total: number;
  readonly overdue: number;
  readonly firstReply: TimeFigures;
  readonly resolution: TimeFigures;
}

export interface TicketQueue {
  readonly items: DeskTicketSummary[];
  readonly stats: QueueStats;
  readonly replyTargetHours: number;
}

/** The filter as one condition, shared by the list and the figures so both read the same tickets. */
function queueCondition(filter: QueueFilter, actor: DeskActor, now: Date): Expression<SqlBool> {
  const eb = expressionBuilder<SupportDatabase, 'support_tickets'>();
  const conditions: Expression<SqlBool>[] = [];
  const status = filter.status ?? 'open';
  if (status !== 'all') conditions.push(eb('support_tickets.status', '=', status));
  if (filter.assignee === 'none') conditions.push(eb('support_tickets.assignee_user_id', 'is', null));
  else if (filter.assignee !== undefined) {
    const assignee = filter.assignee === 'me' ? actor.operatorUserId : filter.assignee;
    conditions.push(eb('support_tickets.assignee_user_id', '=', assignee));
  }
  if (filter.topic) conditions.push(eb('support_tickets.topic', '=', filter.topic));
  if (filter.overdue) {
    conditions.push(eb('support_tickets.status', '=', 'open'));
    conditions.push(eb('support_tickets.updated_at', '<=', overdueCutoff(now)));
  }
  return eb.and(conditions);
}

const toCount = (value: number | string | bigint) => Number(value);
const toSeconds = (value: number | string | null) => (value === null ? null : Math.round(Number(value)));

async function queueStats(deps: Deps, condition: Expression<SqlBool>, now: Date): Promise<QueueStats> {
  const firstReply = sql`extract(epoch from support_tickets.first_replied_at - support_tickets.created_at)`;
  const resolution = sql`extract(epoch from support_tickets.resolved_at - support_tickets.created_at)`;
  const row = await withSupportTables(deps.db)
    .selectFrom('support_tickets')
    .where(condition)
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where support_tickets.status = 'open'
        and support_tickets.updated_at <= ${overdueCutoff(now)}))::int`.as('overdue'),
      sql<number>`count(support_tickets.first_replied_at)::int`.as('first_count'),
      sql<number | null>`avg(${firstReply})::float8`.as('first_average'),
      sql<number | null>`percentile_cont(0.5) within group (order by ${firstReply})`.as('first_median'),
      sql<number>`count(support_tickets.resolved_at)::int`.as('resolved_count'),
      sql<number | null>`avg(${resolution})::float8`.as('resolved_average'),
      sql<number | null>`percentile_cont(0.5) within group (order by ${resolution})`.as('resolved_median'),
    ])
    .executeTakeFirstOrThrow();
  return {
    total: toCount(row.total),
    overdue: toCount(row.overdue),
    firstReply: {
      count: toCount(row.first_count),
      averageSeconds: toSeconds(row.first_average),
      medianSeconds: toSeconds(row.first_median),
    },
    resolution: {
      count: toCount(row.resolved_count),
      averageSeconds: toSeconds(row.resolved_average),
      medianSeconds: toSeconds(row.resolved_median),
    },
  };
}

/** The queue: oldest change first, so the ticket waiting longest is on top. */
export async function listTicketQueue(
  deps: Deps,
  actor: DeskActor,
  filter: QueueFilter,
): Promise<TicketQueue> {
  const now = deps.clock.now();
  const condition = queueCondition(filter, actor, now);
  const rows = await selectDeskTickets(deps)
    .where(condition)
    .orderBy('support_tickets.updated_at')
    .orderBy('support_tickets.id')
    .limit(MAX_QUEUE_SIZE)
    .execute();
  return {
    items: rows.map((row) => toDeskTicketSummary(row, now)),
    stats: await queueStats(deps, condition, now),
    replyTargetHours: REPLY_TARGET_HOURS,
  };
}
