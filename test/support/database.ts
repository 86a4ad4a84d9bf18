/**
 * Every test file gets a fresh PostgreSQL database on the machine's server, dropped afterwards.
 * TEST_DATABASE_URL points at the server (default: the local postgres user over TCP).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * pg's Pool.end() resolves before its connections have closed. Forcing the drop while they are closing
 * kills their backends, and the FATAL error reaches a pool that has no 'error' listener: an unhandled
 * error that fails the run. So the drop waits (briefly) for the test's connections to go first.
 */
async function waitForDisconnects(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const result = await client.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = $1',
      [name],
    );
    if ((result.rows[0]?.n ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kopek_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database ${name}`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdminClient(async (client) => {
        await waitForDisconnects(client, name);
        await client.query(`drop database if exists ${name} with (force)`);
      }),
  };
}
