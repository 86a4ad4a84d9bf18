/** The PostgreSQL handle: what happens when the server drops connections under it. */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation, openPostgresDatabase } from '../../src/platform/db.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

const OriginalPool = pg.Pool;
const pools: pg.Pool[] = [];
afterEach(() => {
  pg.Pool = OriginalPool;
});

/** Records every pool the code under test creates. */
function recordPools(): void {
  pg.Pool = class RecordedPool extends OriginalPool {
    constructor(config?: pg.PoolConfig) {
      super(config);
      pools.push(this);
    }
  };
}

describe('openPostgresDatabase', () => {
  it('returns int8 as bigint and timestamptz as Date', async () => {
    const handle = openPostgresDatabase<Record<string, never>>(database.url, 2);
    try {
      const result = await sql<{ big: bigint; at: Date }>`select 9007199254740993::int8 as big,
        '2026-03-02T09:00:00Z'::timestamptz as at`.execute(handle.db);
      expect(result.rows[0]).toEqual({ big: 9_007_199_254_740_993n, at: new Date('2026-03-02T09:00:00Z') });
    } finally {
      await handle.close();
    }
  });

  // An idle client whose backend is terminated (server restart, failover, idle timeout) makes pg's Pool
  // emit 'error'; with no listener that is an uncaught exception that ends the process. See the report.
  it('survives the server terminating an idle connection', async () => {
    recordPools();
    const handle = openPostgresDatabase<Record<string, never>>(database.url, 2);
    try {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)).rows[0]
        ?.pid;
      const pool = pools.at(-1);
      expect(pool?.listenerCount('error')).toBeGreaterThan(0);
      // Only with a listener in place is it safe to provoke the error in this process.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
    }
  });
});

describe('isUniqueViolation', () => {
  it('recognises a unique violation on the named index only', async () => {
    const handle = openPostgresDatabase<Record<string, never>>(database.url, 2);
    try {
      await sql`create table things (name text not null)`.execute(handle.db);
      await sql`create unique index things_name_key on things (lower(name))`.execute(handle.db);
      await sql`insert into things values ('Apple')`.execute(handle.db);
      const error = await sql`insert into things values ('APPLE')`
        .execute(handle.db)
        .catch((caught) => caught);
      expect(isUniqueViolation(error, 'things_name_key')).toBe(true);
      expect(isUniqueViolation(error, 'other_key')).toBe(false);
      const notNull = await sql`insert into things values (null)`
        .execute(handle.db)
        .catch((caught) => caught);
      expect(isUniqueViolation(notNull, 'things_name_key')).toBe(false);
      expect(isUniqueViolation(new Error('things_name_key'), 'things_name_key')).toBe(false);
      expect(isUniqueViolation(undefined, 'things_name_key')).toBe(false);
    } finally {
      await handle.close();
    }
  });
});
