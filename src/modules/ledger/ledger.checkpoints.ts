/**
 * Balance checkpoints (migration 0022): the periodic task that rolls every account touched since the
 * last run up to a common boundary, so a balance is the checkpoint plus a short tail of entries.
 *
 * The boundary is the highest entry id read under the ledger writers' exclusive lock: every statement
 * inserting entries holds the shared lock to its commit, so once the exclusive lock is granted no
 * transaction that drew an id at or below the boundary is still running, and later ones draw higher ids.
 * The exclusive lock is held only for that one read; the roll-up itself runs outside it. Runs on
 * several nodes may interleave: a checkpoint is correct at any boundary and never moves backwards.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';

/** The lock taken (shared) by the trigger on ledger_entries; see migration 0022. */
const LEDGER_WRITERS_LOCK_ID = 7_340_002;
/** Serialises checkpoint runs from several worker nodes. */
const CHECKPOINT_RUN_LOCK_ID = 7_340_003;

export const LEDGER_CHECKPOINT_INTERVAL_MS = 5 * 60_000;

export interface CheckpointRun {
  /** The boundary of this run, or null when another node was running one. */
  readonly upToEntryId: bigint | null;
  readonly accounts: number;
}

/** Every entry with id at or below the returned id is committed (or rolled back) for good. */
async function readSettledBoundary(db: Kysely<Database>): Promise<bigint> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LEDGER_WRITERS_LOCK_ID})`.execute(trx);
    const result = await sql<{ boundary: string }>`
      select coalesce(max(id), 0)::text as boundary from ledger_entries`.execute(trx);
    return BigInt(result.rows[0]?.boundary ?? '0');
  });
}

/**
 * Rolls the checkpoint of every account with entries after the previous boundary up to a new one.
 * An account without a checkpoint yet is summed from its first entry once.
 */
export async function runLedgerCheckpoint(db: Kysely<Database>, clock: Clock): Promise<CheckpointRun> {
  // Read before the roll-up's own transaction: the embedded database has a single connection.
  const upTo = await readSettledBoundary(db);
  return db.transaction().execute(async (trx) => {
    const runLock = await sql<{ taken: boolean }>`
      select pg_try_advisory_xact_lock(${CHECKPOINT_RUN_LOCK_ID}) as taken`.execute(trx);
    if (!runLock.rows[0]?.taken) return { upToEntryId: null, accounts: 0 };
    const previous = await sql<{ boundary: string }>`
      select coalesce(max(up_to_entry_id), 0)::text as boundary from ledger_checkpoints`.execute(trx);
    const from = BigInt(previous.rows[0]?.boundary ?? '0');
    if (upTo <= from) return { upToEntryId: from, accounts: 0 };
    const rolled = await sql`
      with touched as (
        select distinct account_id from ledger_entries where id > ${from} and id <= ${upTo}
      )
      insert into ledger_checkpoints (account_id, up_to_entry_id, balance_minor, updated_at)
      select touched.account_id, ${upTo}, ledger_balance_up_to(touched.account_id, ${upTo}), ${clock.now()}
      from touched
      on conflict (account_id) do update
        set up_to_entry_id = excluded.up_to_entry_id,
            balance_minor = excluded.balance_minor,
            updated_at = excluded.updated_at
        where ledger_checkpoints.up_to_entry_id < excluded.up_to_entry_id`.execute(trx);
    return { upToEntryId: upTo, accounts: Number(rolled.numAffectedRows ?? 0n) };
  });
}
