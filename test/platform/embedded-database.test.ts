/**
 * The embedded path (no DATABASE_URL): PGlite runs every migration, and its single session is lent to one
 * transaction at a time, so concurrent transactions never see each other's uncommitted work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { seedDemoData } from '../../src/seed.js';
import { TestBrowser } from '../support/client.js';

let dataDir: string;
let runtime: Runtime;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kopek-embedded-'));
  const config = loadConfig({ NODE_ENV: 'test', KOPEK_DATA_DIR: dataDir, KOPEK_MASTER_KEY: '33'.repeat(32) });
  runtime = await openRuntime(config, { signInFailureDelayMs: 0 });
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded database', () => {
  it('applies every migration and serves the demo merchant', async () => {
    expect(runtime.database.kind).toBe('embedded');
    await seedDemoData(runtime.deps);
    const app = await buildApp(runtime.deps, { webRoot: '/nonexistent' });
    const browser = new TestBrowser(app);
    const signedIn = await browser.post('/api/cabinet/sessions', {
      email: 'demo@kopek.local',
      password: 'demo-password-1',
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const shops = await browser.get('/api/cabinet/shops');
    expect(shops.json().items).toEqual([
      expect.objectContaining({ merchantLogin: 'demo', status: 'active' }),
    ]);
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toEqual({ status: 'ok', database: 'ok' });
    await app.close();
  });

  it('runs concurrent transactions one after another, never interleaved', async () => {
    const db = runtime.deps.db;
    await sql`create table if not exists interleave_probe (step text, at serial)`.execute(db);
    const transaction = (name: string) =>
      db.transaction().execute(async (trx) => {
        await sql`insert into interleave_probe (step) values (${`${name}:begin`})`.execute(trx);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await sql`insert into interleave_probe (step) values (${`${name}:end`})`.execute(trx);
      });
    await Promise.all([transaction('a'), transaction('b'), transaction('c')]);
    const steps = (
      await sql<{ step: string }>`select step from interleave_probe order by at`.execute(db)
    ).rows.map((row) => row.step);
    expect(steps).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
  });

  it('rolls a failed transaction back', async () => {
    const db = runtime.deps.db;
    await sql`create table if not exists rollback_probe (value int)`.execute(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`insert into rollback_probe values (1)`.execute(trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const count = await sql<{ n: number }>`select count(*)::int as n from rollback_probe`.execute(db);
    expect(count.rows[0]?.n).toBe(0);
  });
});
