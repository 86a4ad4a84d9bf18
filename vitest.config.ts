import { defineConfig } from 'vitest/config';

// Unit, database and HTTP tests. Each test file gets its own PostgreSQL database (see test/support).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // global.gc() lets a test measure live memory rather than garbage not yet collected.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
