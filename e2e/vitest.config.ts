import { defineConfig } from 'vitest/config';

// Browser journeys: a real Kopek server, a real SMTP server and Debian's Chromium driven by Playwright.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
