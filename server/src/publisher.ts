import { CoreError, type EventRecord, fromTypeId, type PublishInput, type QuotaLimit } from '@hookport/spec';
import type postgres from 'postgres';
import { createDataGate, SchemaUnproven } from './core/event-data.ts';
import { publishIn, refuseSystemType, typeOf } from './core/events.ts';
import { createSchemaChecks } from './core/schema-checks.ts';
import { createSchemaPool } from './core/schema-pool.ts';
import { openPostgres, type Queryable, quoteIdent, type SqlValue } from './db/database.ts';
import { openQueue, type Queue } from './delivery/queue.ts';
import { createStore } from './delivery/store.ts';

export interface PublisherOptions {
  /** The database Hookport runs in (the same one as the caller's transaction). */
  databaseUrl: string;
  /** Hookport's schema (HOOKPORT_DB_SCHEMA); default `hookport`. */
  schema?: string;
  /**
   * The daily event quota of a tenant the admin gave none of its own, as HOOKPORT_MAX_EVENTS_PER_DAY
   * gives it to the server; default unlimited. A tenant's own quota applies either way.
   */
  maxEventsPerDay?: QuotaLimit;
  /** Threads that check events' data against their types' schemas, as HOOKPORT_SCHEMA_THREADS; default 2. */
  schemaThreads?: number;
  /** Longest one such check may run, as HOOKPORT_SCHEMA_BUDGET_MS; default 1000. */
  schemaBudgetMs?: number;
  /**
   * Told of each new event written into a caller's transaction (an idempotent replay is not new), as the
   * server counts hookport_events_published_total: this process has no Hookport registry, so count into
   * your own. Called before your transaction commits: an event you then roll back was counted.
   */
  onPublished?: (count: number) => void;
}

export interface TransactionalPublishInput extends PublishInput {
  /** The tenant's id, as the API shows it (`tnt_…`). */
  tenantId: string;
}

export interface Publisher {
  /**
   * Publishes inside the caller's own postgres.js transaction: the event, its
   * deliveries and their jobs commit or roll back with the caller's writes.
   * Nothing is sent before the caller commits.
   */
  publish(tx: postgres.TransactionSql, input: TransactionalPublishInput): Promise<EventRecord>;
  close(): Promise<void>;
}

/**
 * The transactional outbox, Hookport style: an application on the same
 * PostgreSQL database publishes as part of its own transaction.
 */
export async function createPublisher({
  databaseUrl,
  schema = 'hookport',
  maxEventsPerDay = 'unlimited',
  schemaThreads = 2,
  schemaBudgetMs = 1000,
  onPublished = () => {},
}: PublisherOptions): Promise<Publisher> {
  // pg-boss needs a started instance to insert jobs; it never works jobs here.
  const db = openPostgres({ url: databaseUrl, schema, max: 1 });
  let queue: Queue;
  try {
    queue = await openQueue(db, { databaseUrl, supervise: false });
  } catch (err) {
    await db.close();
    throw err;
  }
  const store = createStore(queue);
  // Its threads start on the first event of a type with a schema.
  const pool = createSchemaPool({ threads: schemaThreads, budgetMs: schemaBudgetMs });
  const gate = createDataGate(createSchemaChecks(pool));
  return {
    async publish(tx, input) {
      const tenantId = fromTypeId('tenant', input.tenantId);
      if (!tenantId) throw new CoreError('not_found', 'No such tenant.');
      // Before the caller's transaction is touched: only Hookport publishes its own types.
      refuseSystemType(input);
      const q: Queryable = {
        query: async (text, params: readonly SqlValue[] = []) =>
          (await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as never[],
        exec: async (text) => {
          await tx.unsafe(text);
        },
      };
      // Our statements are unqualified: put our schema first for them, then give the caller back its search_path.
      const [saved] = await q.query<{ path: string }>(`select current_setting('search_path') as path`);
      const restore = () => q.query(`select set_config('search_path', $1, true)`, [saved?.path ?? 'public']);
      await q.query(`select set_config('search_path', $1, true)`, [
        `${quoteIdent(schema)}, ${saved?.path ?? 'public'}`,
      ]);
      let published: { event: EventRecord; replayed: boolean };
      try {
        // The caller's transaction is open already: the type is read in it and the data checked against
        // its schema before anything is counted or written. A schema changed between this read and the
        // insert's is a conflict rather than a retry, which would count the event twice.
        gate.see(tenantId, input.type, await typeOf(q, tenantId, input.type));
        const proof = await gate.prove(tenantId, input);
        // The caller may commit after a refusal: count before anything is written.
        published = await publishIn(
          q,
          store,
          tenantId,
          input,
          { defaultLimit: maxEventsPerDay, count: 'first' },
          { gate, proof },
        );
      } catch (err) {
        // Not every refusal aborts the transaction (an unknown type or invalid data is judged without a
        // SQL error), and a caller that catches it goes on in the same transaction: give it its path back.
        // After a SQL error the transaction is aborted and the restore fails too; the original error wins.
        await restore().catch(() => undefined);
        if (err instanceof SchemaUnproven) {
          // Changed by another transaction between our read and the insert's: the event was not written.
          throw new CoreError(
            'conflict',
            `The schema of ${input.type} changed while the event was checked against it.`,
          );
        }
        throw err;
      }
      await restore();
      if (!published.replayed) onPublished(1);
      return published.event;
    },
    async close() {
      await pool.close();
      await queue.stop({ graceful: false });
      await db.close();
    },
  };
}
