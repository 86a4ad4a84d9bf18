/**
 * Audit: the append-only record of security-relevant actions (who, what, when, from where).
 * Written in the same transaction as the action, so an action that rolled back leaves no entry.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';

export interface AuditEntry {
  readonly accountId: string | null;
  readonly actorUserId: string | null;
  readonly action: string;
  readonly target?: string | null;
  readonly details?: Record<string, unknown>;
  readonly ip?: string | null;
}

export async function recordAudit(
  executor: Kysely<Database> | Transaction<Database>,
  clock: Clock,
  entry: AuditEntry,
): Promise<void> {
  await executor
    .insertInto('audit_log')
    .values({
      account_id: entry.accountId,
      actor_user_id: entry.actorUserId,
      action: entry.action,
      target: entry.target ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ip: entry.ip ?? null,
      created_at: clock.now(),
    })
    .execute();
}

export interface AuditRecord {
  id: string;
  action: string;
  target: string | null;
  actorLogin: string | null;
  ip: string | null;
  createdAt: string;
  details: Record<string, unknown>;
}

/** The account's own entries only, newest first, one page at a time. */
export async function listAccountAudit(
  db: Kysely<Database>,
  accountId: string,
  options: { limit: number; beforeId?: bigint },
): Promise<AuditRecord[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select([
      'audit_log.id',
      'audit_log.action',
      'audit_log.target',
      'audit_log.ip',
      'audit_log.created_at',
      'audit_log.details',
      'users.login as actor_login',
    ])
    .where('audit_log.account_id', '=', accountId)
    .orderBy('audit_log.id', 'desc')
    .limit(Math.min(options.limit, 200));
  if (options.beforeId !== undefined) query = query.where('audit_log.id', '<', options.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    action: row.action,
    target: row.target,
    actorLogin: row.actor_login,
    ip: row.ip,
    createdAt: row.created_at.toISOString(),
    details: row.details,
  }));
}
