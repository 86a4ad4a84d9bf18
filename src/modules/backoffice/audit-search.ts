/**
 * The operator's audit log search: every security-relevant action of operators and merchants, newest
 * first, by action (exact or prefix "shop."), account (id or login), actor (login or e-mail), text in
 * the target or details, and a period; keyset pages by id, so deep pages cost what the first does.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import { escapeLike } from '../../platform/sql-like.js';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditSearch {
  readonly action?: string | undefined;
  readonly account?: string | undefined;
  readonly actor?: string | undefined;
  readonly text?: string | undefined;
  readonly from?: Date | undefined;
  readonly until?: Date | undefined;
  readonly beforeId?: bigint | undefined;
}

export interface AuditSearchRow {
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly target: string | null;
  readonly accountId: string | null;
  readonly accountLogin: string | null;
  readonly actorLogin: string | null;
  readonly actorEmail: string | null;
  readonly ip: string | null;
  readonly details: Record<string, unknown>;
}

export async function searchAudit(
  db: Kysely<Database>,
  search: AuditSearch,
): Promise<{ items: AuditSearchRow[]; nextCursor: string | null }> {
  const conditions = [sql`true`];
  if (search.action) {
    conditions.push(
      search.action.endsWith('.')
        ? sql`a.action like ${`${escapeLike(search.action)}%`}`
        : sql`a.action = ${search.action}`,
    );
  }
  if (search.account)
    conditions.push(
      sql`(a.account_id = ${search.account} or lower(acc.login) = ${search.account.toLowerCase()})`,
    );
  if (search.actor) {
    conditions.push(
      sql`(lower(u.login) = ${search.actor.toLowerCase()} or lower(u.email) = ${search.actor.toLowerCase()})`,
    );
  }
  if (search.text) {
    const pattern = `%${escapeLike(search.text)}%`;
    conditions.push(
      sql`(a.target ilike ${pattern} or a.details::text ilike ${pattern} or a.ip = ${search.text})`,
    );
  }
  if (search.from) conditions.push(sql`a.created_at >= ${search.from}`);
  if (search.until) conditions.push(sql`a.created_at < ${search.until}`);
  if (search.beforeId !== undefined) conditions.push(sql`a.id < ${search.beforeId}`);
  const rows = await sql<{
    id: string;
    created_at: Date;
    action: string;
    target: string | null;
    account_id: string | null;
    account_login: string | null;
    actor_login: string | null;
    actor_email: string | null;
    ip: string | null;
    details: Record<string, unknown>;
  }>`
    select a.id::text as id, a.created_at, a.action, a.target, a.account_id, acc.login as account_login,
      u.login as actor_login, u.email as actor_email, a.ip, a.details
    from audit_log a
    left join accounts acc on acc.id = a.account_id
    left join users u on u.id = a.actor_user_id
    where ${sql.join(conditions, sql` and `)}
    order by a.id desc
    limit ${AUDIT_PAGE_SIZE + 1}`.execute(db);
  const page = rows.rows.slice(0, AUDIT_PAGE_SIZE);
  return {
    items: page.map((row) => ({
      id: row.id,
      at: row.created_at.toISOString(),
      action: row.action,
      target: row.target,
      accountId: row.account_id,
      accountLogin: row.account_login,
      actorLogin: row.actor_login,
      actorEmail: row.actor_email,
      ip: row.ip,
      details: row.details,
    })),
    nextCursor: rows.rows.length > AUDIT_PAGE_SIZE ? (page.at(-1)?.id ?? null) : null,
  };
}
