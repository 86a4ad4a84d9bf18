/**
 * Saved filters of the operations list: per person and account, a name and the list's query string as
 * the address bar shows it (so opening one is opening that address). The query is checked with the
 * list's own parser before it is saved, so a saved filter always opens.
 */
import { sql, type Kysely } from 'kysely';
import { defineErrors, validationError } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';
import { parseOperationFilter, type OperationQuery } from './operation.filter.js';

export const MAX_SAVED_FILTERS = 50;

export const savedFilterErrors = defineErrors({
  savedFilterNotFound: { status: 404, ru: 'Сохранённый фильтр не найден.', en: 'Saved filter not found.' },
  tooManySavedFilters: {
    status: 409,
    ru: 'Сохранено уже 50 фильтров: удалите ненужные.',
    en: 'You already have 50 saved filters: delete some first.',
  },
});

/** The cabinet page's address parameters (its names, not the API's) mapped onto the list's filter. */
const PAGE_TO_API: Record<string, keyof OperationQuery> = {
  shop: 'shopId',
  status: 'status',
  method: 'method',
  mode: 'isTest',
  from: 'from',
  to: 'to',
  amountMin: 'amountMin',
  amountMax: 'amountMax',
  invId: 'invId',
  email: 'email',
  card: 'cardLast4',
  q: 'q',
  sort: 'sort',
};

export interface SavedFilterView {
  readonly id: string;
  readonly name: string;
  readonly query: string;
  readonly createdAt: string;
}

/** Refuses a query with unknown parameters or values the list would refuse. */
function checkQuery(query: string): void {
  const params = new URLSearchParams(query);
  const apiQuery: Record<string, string> = {};
  for (const [name, value] of params) {
    const apiName = PAGE_TO_API[name];
    if (!apiName) {
      throw validationError({
        query: {
          code: 'unknown_parameter',
          text: { ru: 'Неизвестный параметр «{name}».', en: 'Unknown parameter "{name}".' },
          values: { name },
        },
      });
    }
    apiQuery[apiName] = apiName === 'isTest' ? String(value === 'test') : value;
  }
  parseOperationFilter(apiQuery);
}

export async function listSavedFilters(
  db: Kysely<Database>,
  actor: { accountId: string; userId: string },
): Promise<SavedFilterView[]> {
  const result = await sql<{ id: string; name: string; query: string; created_at: Date }>`
    select id, name, query, created_at from operation_saved_filters
    where account_id = ${actor.accountId} and user_id = ${actor.userId}
    order by name`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    name: row.name,
    query: row.query,
    createdAt: row.created_at.toISOString(),
  }));
}

/** Saves (or replaces, by name) a filter. */
export async function saveFilter(
  db: Kysely<Database>,
  clock: Clock,
  actor: { accountId: string; userId: string },
  input: { name: string; query: string },
): Promise<SavedFilterView> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 60) {
    throw validationError({
      name: {
        code: 'invalid_length',
        text: { ru: 'Название от 1 до 60 символов.', en: 'A name of 1 to 60 characters.' },
      },
    });
  }
  const query = input.query.replace(/^\?/, '');
  checkQuery(query);
  return db.transaction().execute(async (trx) => {
    // The person's row lock keeps two racing saves from passing the limit together.
    await sql`select id from users where id = ${actor.userId} for update`.execute(trx);
    const count = await sql<{ n: string }>`
      select count(*)::text as n from operation_saved_filters
      where account_id = ${actor.accountId} and user_id = ${actor.userId} and name <> ${name}`.execute(trx);
    if (Number(count.rows[0]?.n ?? 0) >= MAX_SAVED_FILTERS) throw savedFilterErrors.tooManySavedFilters();
    const saved = await sql<{ id: string; created_at: Date }>`
      insert into operation_saved_filters (id, account_id, user_id, name, query, created_at)
      values (${createId('flt')}, ${actor.accountId}, ${actor.userId}, ${name}, ${query}, ${clock.now()})
      on conflict (user_id, account_id, name) do update set query = excluded.query
      returning id, created_at`.execute(trx);
    const row = saved.rows[0];
    if (!row) throw new Error('saveFilter: no row returned');
    return { id: row.id, name, query, createdAt: row.created_at.toISOString() };
  });
}

export async function deleteSavedFilter(
  db: Kysely<Database>,
  actor: { accountId: string; userId: string },
  filterId: string,
): Promise<void> {
  const result = await sql`
    delete from operation_saved_filters
    where id = ${filterId} and account_id = ${actor.accountId} and user_id = ${actor.userId}`.execute(db);
  if (Number(result.numAffectedRows ?? 0n) === 0) throw savedFilterErrors.savedFilterNotFound();
}
