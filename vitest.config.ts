import { defineConfig } from 'vitest/config';

/**
 * One project per package. The whole suite runs on embedded PGlite by default
 * and on PostgreSQL when DATABASE_URL is set; each test file gets its own
 * schema (PostgreSQL) or its own in-memory database (PGlite).
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'spec', include: ['spec/src/**/*.test.ts'] } },
      { test: { name: 'server', include: ['server/src/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'compat', include: ['compat/src/**/*.test.ts'] } },
      { test: { name: 'sdk', include: ['sdk/src/**/*.test.ts'] } },
      { test: { name: 'e2e', include: ['test/src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
    ],
    passWithNoTests: false,
  },
});
