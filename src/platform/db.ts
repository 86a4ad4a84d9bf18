/**
 * Database access: one Kysely instance over either a real PostgreSQL pool (`DATABASE_URL`) or the
 * embedded PGlite. Both return int8 as bigint and timestamptz as Date, so code above never knows which.
 */
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';

export type { Kysely, Transaction };

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export interface DatabaseHandle<DB> {
  readonly db: Kysely<DB>;
  readonly kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

interface PoolClientLike {
  query(
    sql: string,
    parameters: readonly unknown[],
  ): Promise<{ command: string; rowCount: number; rows: unknown[] }>;
  release(): void;
}

/**
 * PGlite is a single session: two interleaved transactions would share it and corrupt each other.
 * This pool hands out its one connection to one borrower at a time, queueing the rest.
 */
class EmbeddedConnectionPool {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly pglite: PGlite) {}

  async connect(): Promise<PoolClientLike> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return { query: (sql, parameters) => this.runQuery(sql, parameters), release };
  }

  private async runQuery(sql: string, parameters: readonly unknown[]) {
    const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
    if (parameters.length === 0) {
      // exec() uses the simple protocol, which allows several statements (migrations need it).
      const results = await this.pglite.exec(sql);
      const last = results.at(-1);
      return { command, rowCount: last?.affectedRows ?? last?.rows.length ?? 0, rows: last?.rows ?? [] };
    }
    const result = await this.pglite.query(sql, [...parameters]);
    return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
  }

  async end(): Promise<void> {
    await this.tail;
    await this.pglite.close();
  }
}

export async function openEmbeddedDatabase<DB>(dataDir: string | undefined): Promise<DatabaseHandle<DB>> {
  const pglite = await PGlite.create(dataDir ? `file://${dataDir}` : undefined, {
    // Trigram indexes for the operations search (migration 0024); PostgreSQL ships it in contrib.
    extensions: { pg_trgm },
    parsers: { [INT8_OID]: (value: string) => BigInt(value), [NUMERIC_OID]: (value: string) => value },
  });
  const pool = new EmbeddedConnectionPool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  return { db, kind: 'embedded', close: () => db.destroy() };
}

export function openPostgresDatabase<DB>(
  connectionString: string,
  maxConnections = 10,
  onIdleClientError: (error: Error) => void = () => undefined,
): DatabaseHandle<DB> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString, max: maxConnections, types });
  // An idle client whose server connection ends (restart, failover) is reported here; without a listener
  // the event would be an uncaught exception. The pool replaces the client on the next query.
  pool.on('error', onIdleClientError);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** Recognises PostgreSQL's unique_violation (23505) on a given constraint or index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const {
    code,
    constraint: name,
    message,
  } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (code !== '23505') return false;
  return name === constraint || (typeof message === 'string' && message.includes(constraint));
}
