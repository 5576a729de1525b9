import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { preparedStatements } from './pglite-prepared.ts';

/**
 * Values we pass as query parameters. JSON goes in as text and is cast in SQL
 * (`$1::text::jsonb`): the drivers serialise a parameter by its inferred type,
 * and postgres.js would encode a string bound to a jsonb parameter twice.
 */
export type SqlValue = string | number | boolean | Date | null;
export type Row = Record<string, unknown>;

/**
 * The narrow seam between Hookport and its database: positional-parameter SQL
 * text in, rows out. Both drivers (postgres.js and PGlite) implement it, so
 * every query and migration is the same text on both.
 */
export interface Queryable {
  query<T extends object = Row>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  readonly schema: string;
  /** The PGlite instance itself (embedded mode), for pg-boss's PGlite adapter. */
  readonly pglite?: PGlite;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs fn on tx, refusing what fn asks of tx once fn has settled. A query asked for after that — one
 * sent late inside a Promise.all whose other query failed, say — would otherwise run after the
 * transaction ended: postgres.js hands the connection back and runs it outside any transaction. Both
 * drivers go through here, so both refuse it alike.
 */
async function withinTransaction<T>(fn: (tx: Queryable) => Promise<T>, tx: Queryable): Promise<T> {
  let open = true;
  const closed = () => Promise.reject(new Error('query after the end of its transaction'));
  try {
    return await fn({
      query: (text, params) => (open ? tx.query(text, params) : closed()),
      exec: (text) => (open ? tx.exec(text) : closed()),
    });
  } finally {
    open = false;
  }
}

export interface PostgresOptions {
  url: string;
  schema: string;
  max?: number;
  /**
   * false: commits on this pool do not wait for the WAL flush (`synchronous_commit = off`). Only for
   * writes whose loss in a database crash is redone by the queue — the delivery worker's: a lost
   * commit is a suffix of the WAL, so the job it settled is unsettled too and the attempt runs again
   * (at least once). Never for the API, whose 202 promises the event is stored.
   */
  synchronousCommit?: boolean;
  /**
   * true: prepared statements are planned once, with generic plans (`plan_cache_mode =
   * force_generic_plan`). For the worker, whose statements are written for generic plans (lookups by
   * key, arrays of keys) and whose fetch comes in dozens of texts (pg-boss writes the batch size into
   * it): PostgreSQL plans each anew for its first five runs on each connection, 1.2 ms per fetch.
   */
  genericPlans?: boolean;
}

export function openPostgres({
  url,
  schema,
  max = 10,
  synchronousCommit = true,
  genericPlans = false,
}: PostgresOptions): Database {
  const sql = postgres(url, {
    max,
    // postgres.js waits out a backoff before each reconnect that grows to 20 s while the server is
    // down, and a query queued on that connection waits with it: requests hung for up to 30 s during
    // an outage and kept hanging for seconds after it ended. Capped at 1 s, a request during an outage
    // fails fast (a 503) and the pool is back within a second of the database.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    // A connection attempt that gets no answer at all (a black-holed address) fails after this, not 30 s.
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      search_path: schema,
      application_name: 'hookport',
      ...(synchronousCommit ? {} : { synchronous_commit: 'off' }),
      ...(genericPlans ? { plan_cache_mode: 'force_generic_plan' } : {}),
    },
  });
  const run = async <T extends object>(
    q: postgres.Sql | postgres.TransactionSql,
    text: string,
    params: readonly SqlValue[] = [],
  ): Promise<T[]> => {
    // Prepared: one round trip per query instead of two, and no re-parsing (our SQL text is fixed).
    const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
    return rows as unknown as T[];
  };
  return {
    kind: 'postgres',
    schema,
    query: (text, params) => run(sql, text, params),
    exec: async (text) => {
      await sql.unsafe(text).simple();
    },
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const result = await sql.begin((tx) =>
        withinTransaction(fn, {
          query: (text, params) => run(tx, text, params),
          exec: async (text) => {
            await tx.unsafe(text).simple();
          },
        }),
      );
      return result as T;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

export interface PgliteOptions {
  /** A directory, or `memory://` for a throw-away database. */
  dataDir: string;
  schema: string;
  /**
   * A dumped empty cluster (PGlite's `dumpDataDir`) a `memory://` database starts from, instead of
   * running initdb: tests open hundreds of databases (test-database.ts, `pgliteTemplate`).
   */
  template?: Blob | undefined;
}

export async function openPglite({ dataDir, schema, template }: PgliteOptions): Promise<Database> {
  const fromTemplate = template !== undefined && dataDir.startsWith('memory://');
  const db = await PGlite.create(dataDir, fromTemplate ? { loadDataDir: template } : {});
  // PGlite is one connection, so a session-level search_path holds for every query.
  await db.exec(`set search_path to ${quoteIdent(schema)}`);
  // In memory there is nothing a commit could make durable: it need not write the WAL out each time
  // (a third of PGlite's time per delivery went to writing WAL pages into its in-memory file system).
  if (dataDir.startsWith('memory://')) await db.exec('set synchronous_commit to off');
  const prepared = preparedStatements(db);
  // PGlite's own locks, taken as its query() takes them: a statement outside a transaction waits for
  // any transaction in progress (and for other statements); one inside holds only the statement lock.
  // Checked once the locks are held: close() releases them before the backend is gone.
  const ready = () => db._checkReady();
  const query = <T extends object>(text: string, params: readonly SqlValue[] = []): Promise<T[]> =>
    db._runExclusiveTransaction(() =>
      db._runExclusiveQuery(async () => {
        await ready();
        const rows = await prepared.run<T>(text, params);
        await db.syncToFs();
        return rows;
      }),
    );
  const queryInTransaction = <T extends object>(text: string, params: readonly SqlValue[] = []): Promise<T[]> =>
    db._runExclusiveQuery(async () => {
      await ready();
      return prepared.run<T>(text, params);
    });
  return {
    kind: 'pglite',
    schema,
    pglite: db,
    query,
    exec: async (text) => {
      await db.exec(text);
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        withinTransaction(fn, {
          query: queryInTransaction,
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    close: () => db.close(),
  };
}
