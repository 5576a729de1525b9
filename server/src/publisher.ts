import { CoreError, type EventRecord, fromTypeId, type PublishInput, type QuotaLimit } from '@hookport/spec';
import type postgres from 'postgres';
import { publishIn } from './core/events.ts';
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
  return {
    async publish(tx, input) {
      const tenantId = fromTypeId('tenant', input.tenantId);
      if (!tenantId) throw new CoreError('not_found', 'No such tenant.');
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
      let event: EventRecord;
      try {
        // The caller may commit after a refusal: count before anything is written.
        ({ event } = await publishIn(q, store, tenantId, input, { defaultLimit: maxEventsPerDay, countFirst: true }));
      } catch (err) {
        // Not every refusal aborts the transaction (an unknown type or invalid data is judged without a
        // SQL error), and a caller that catches it goes on in the same transaction: give it its path back.
        // After a SQL error the transaction is aborted and the restore fails too; the original error wins.
        await restore().catch(() => undefined);
        throw err;
      }
      await restore();
      return event;
    },
    async close() {
      await queue.stop({ graceful: false });
      await db.close();
    },
  };
}
