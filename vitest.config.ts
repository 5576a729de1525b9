import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One project per package. The whole suite runs on embedded PGlite by default
 * and on PostgreSQL when DATABASE_URL is set; each test file gets its own
 * schema (PostgreSQL) or its own in-memory database (PGlite).
 *
 * `*.pg.test.ts` files need several processes on one database (crash and
 * shutdown tests, publishing inside a postgres.js transaction), which only a
 * PostgreSQL server gives: the `e2e-pg` project exists when DATABASE_URL is
 * set, and CI always runs that way once.
 */
const withPostgres = Boolean(process.env.DATABASE_URL);
/**
 * Files whose subject is the embedded database or the packages, not the database a run is on: they use
 * PGlite whatever DATABASE_URL says (the data directory's lock, PGlite's prepared statements, the quick
 * start and the packed server on the embedded database) or test how a package installs (the SDK's pack,
 * whose one delivery is a smoke test). The PostgreSQL run (DATABASE_URL set) leaves them out: they ran,
 * the same, in the embedded run, and they are among the slowest files (about 100 s of CI's PostgreSQL run).
 */
/**
 * Files whose subject is not the database: HTTP edge cases, error shapes and unknown parameters, the
 * documents and the contract, egress refusals, logs, traces, hostile input and schemas. Every run of
 * `pnpm test` includes them, except the embedded run of CI, which sets TEST_DATABASE_SUBJECTS_ONLY=1:
 * CI runs them once, in its PostgreSQL run, where they are quicker (about 280 s of file time less
 * in the embedded run, where PGlite's WebAssembly made every request slower).
 */
const notAboutTheDatabase = [
  'test/src/compat.helpdesk.error.test.ts',
  'test/src/compat.rapidly.error.test.ts',
  'test/src/compat.spedy.error.test.ts',
  'test/src/compat.xpath.error.test.ts',
  'test/src/console.static.test.ts',
  'test/src/contract.test.ts',
  'test/src/docs.e2e.test.ts',
  'test/src/egress.e2e.test.ts',
  'test/src/egress.hostile.test.ts',
  'test/src/egress.proxy.test.ts',
  'test/src/hostile.input.test.ts',
  'test/src/http.edge.test.ts',
  'test/src/native.error.test.ts',
  'test/src/query.unknown.test.ts',
  'test/src/schemas.hostile.test.ts',
  'test/src/secrets.logs.test.ts',
  'test/src/testkit.contract.test.ts',
  'test/src/tracing.export-failure.test.ts',
  'test/src/tracing.otlp.test.ts',
];
const databaseSubjectsOnly = !withPostgres && process.env.TEST_DATABASE_SUBJECTS_ONLY === '1';
const embeddedOnly = withPostgres
  ? [
      'server/src/db/data-dir-lock.test.ts',
      'server/src/db/pglite-prepared.test.ts',
      'test/src/data-dir-lock.test.ts',
      'test/src/quickstart.test.ts',
      'test/src/server.pack.test.ts',
      'test/src/sdk.pack.test.ts',
    ]
  : [];
/** Compiles the server before the end-to-end tests, which start the `hookport` bin (it runs server/dist). */
const buildServer = 'test/src/support/build-server.ts';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'spec', include: ['spec/src/**/*.test.ts'] } },
      // Hooks and tests start databases: PGlite and pg-boss's schema take seconds, and up to half a
      // minute on a 2-CPU machine that is busy with other work (docs/testing.md, "On a busy machine").
      {
        test: {
          name: 'server',
          include: ['server/src/**/*.test.ts'],
          exclude: embeddedOnly,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      { test: { name: 'compat', include: ['compat/src/**/*.test.ts'] } },
      { test: { name: 'sdk', include: ['sdk/src/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/src/**/*.test.ts'],
          exclude: ['test/src/**/*.pg.test.ts', ...embeddedOnly, ...(databaseSubjectsOnly ? notAboutTheDatabase : [])],
          globalSetup: [buildServer],
          // Above the waits inside the tests (up to 30 s each), so a stuck wait fails with its own message.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The long variants (`pnpm test:soak`): never part of `pnpm test` or CI's fast run.
      ...(process.env.HOOKPORT_SOAK
        ? [
            {
              test: {
                name: 'soak',
                include: ['test/soak/**/*.test.ts'],
                testTimeout: 30 * 60_000,
                hookTimeout: 5 * 60_000,
              },
            },
          ]
        : []),
      // Browser tests (`pnpm test:browser`): they need Debian's Chromium at /usr/bin/chromium, which
      // `pnpm test` must not, so the project exists only when asked for. CI runs it once (.ci/run).
      ...(process.env.HOOKPORT_BROWSER
        ? [
            {
              test: {
                name: 'browser',
                include: ['test/browser/**/*.test.ts'],
                // The console's pages are tested as built from the current source.
                globalSetup: [buildServer],
                // Parsing a 5 MB bundle and starting a server are slow on a loaded 2-CPU machine.
                testTimeout: 120_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
      ...(withPostgres
        ? [
            {
              test: {
                name: 'e2e-pg',
                include: ['test/src/**/*.pg.test.ts'],
                globalSetup: [buildServer],
                testTimeout: 120_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
    ],
    passWithNoTests: false,
    // Most test files spend their time waiting (on receivers, retry schedules, other processes), not
    // computing: one more file than CPUs keeps the CPUs busy. Vitest's default (CPUs - 1) ran one file
    // at a time on a 2-CPU machine, 480 s against 330 s for the PGlite run.
    // The soak files measure throughput and latency under load: one at a time, so that one file's load
    // does not show up in another's figures.
    maxWorkers: process.env.HOOKPORT_SOAK ? 1 : Math.max(availableParallelism() + 1, 3),
  },
});
