/**
 * Migrations: plain numbered SQL files in src/migrations (0001_name.sql), applied in order, each in its own
 * transaction, recorded in schema_migrations. An advisory lock lets several nodes start at once safely.
 * Migration files never import application code.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { projectRoot } from './paths.js';

const MIGRATION_LOCK_ID = 7_340_001;

export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function readMigrationFiles(directory = path.join(projectRoot, 'src', 'migrations')): MigrationFile[] {
  return readdirSync(directory)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(directory, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file,
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

export async function migrateToLatest<DB>(db: Kysely<DB>, files = readMigrationFiles()): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(connection);
    try {
      await sql`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`.execute(connection);
      const applied = await sql<{ version: number; name: string; checksum: string }>`
        select version, name, checksum from schema_migrations`.execute(connection);
      const appliedByVersion = new Map(applied.rows.map((row) => [row.version, row]));
      const newlyApplied: string[] = [];
      for (const file of files) {
        const existing = appliedByVersion.get(file.version);
        if (existing) {
          if (existing.checksum !== file.checksum) {
            throw new Error(
              `Migration ${file.name} was changed after it was applied: add a new migration instead.`,
            );
          }
          continue;
        }
        await connection.transaction().execute(async (transaction) => {
          await sql.raw(file.sql).execute(transaction);
          await sql`insert into schema_migrations (version, name, checksum)
            values (${file.version}, ${file.name}, ${file.checksum})`.execute(transaction);
        });
        newlyApplied.push(file.name);
      }
      return newlyApplied;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(connection);
    }
  });
}
