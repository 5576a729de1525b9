import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { type Database, quoteIdent } from '../db/database.ts';
import { bossSchemaOf, type Lane, queueOf } from '../delivery/queue.ts';
import { metricPrefix } from './metrics.ts';

/**
 * The gauges read from the database when scraped: the queue's two lanes (pg-boss's job table) and the
 * endpoints by status. Each scrape runs two statements, both bounded whatever the backlog.
 */

/** The depth counted at most: past it the gauge reads this value (an alert fires long before). */
export const depthCap = 100_000;

/** The gauges' names, exported for the docs check (docs.test.ts). */
export const databaseGaugeNames = {
  depth: `${metricPrefix}queue_depth`,
  oldest: `${metricPrefix}queue_oldest_seconds`,
  endpoints: `${metricPrefix}endpoints`,
} as const;

const lanes: readonly Lane[] = ['main', 'slow'];
const endpointStatuses = ['active', 'paused', 'disabled'] as const;

/**
 * Per lane: the jobs waiting (created or retry, due or scheduled for later), counted through a limit so
 * the index-only scan of pg-boss's partial index on waiting jobs (job_i11) stops at depthCap; and the
 * earliest due time among them, read from the front of its (name, state, blocked, start_after) index
 * (job_i14) for each waiting state. `least` skips nulls; no job waiting is 0 seconds.
 */
export function queueSql(dbSchema: string): string {
  const job = `${quoteIdent(bossSchemaOf(dbSchema))}.job`;
  const earliest = (state: string) =>
    `(select min(j.start_after) from ${job} j where j.name = q.name and j.state = '${state}' and not j.blocked)`;
  return `select q.name,
      (select count(*) from (select 1 from ${job} j
         where j.name = q.name and j.state < 'active' and not j.blocked limit $3) w)::int as depth,
      coalesce(greatest(0, extract(epoch from now() - least(${earliest('created')}, ${earliest('retry')}))), 0)::float8
        as oldest
    from (values ($1::text), ($2::text)) q(name)`;
}

export const endpointsSql = 'select status, count(*)::int as n from endpoints group by status';

interface QueueRow {
  name: string;
  depth: number;
  oldest: number;
}

export function registerDatabaseGauges(registry: Registry, db: Database, logger: Logger) {
  const sql = queueSql(db.schema);
  const names = lanes.map(queueOf);
  // Both queue gauges are filled by one statement: the registry collects them concurrently, and they
  // share the scrape's read while it runs.
  let reading: Promise<QueueRow[] | null> | undefined;
  const readQueue = () => {
    reading ??= db
      .query<QueueRow>(sql, [...names, depthCap])
      .catch((err: unknown) => {
        logger.warn({ err }, 'reading the queue for /metrics failed; its gauges are left out of this scrape');
        return null;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const fill = async (gauge: Gauge<'lane'>, value: (row: QueueRow) => number) => {
    gauge.reset();
    const rows = await readQueue();
    for (const row of rows ?? []) gauge.set({ lane: lanes[names.indexOf(row.name)] ?? 'main' }, value(row));
  };
  new Gauge({
    name: databaseGaugeNames.depth,
    help: `Delivery jobs waiting in a lane, due now or scheduled for a retry (counted up to ${depthCap}).`,
    labelNames: ['lane'] as const,
    registers: [registry],
    async collect() {
      await fill(this, (r) => Number(r.depth));
    },
  });
  new Gauge({
    name: databaseGaugeNames.oldest,
    help: 'How long the longest-waiting due job of a lane has been due (0: none is due).',
    labelNames: ['lane'] as const,
    registers: [registry],
    async collect() {
      await fill(this, (r) => Number(r.oldest));
    },
  });
  new Gauge({
    name: databaseGaugeNames.endpoints,
    help: 'Endpoints by status, over every tenant.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows = await db.query<{ status: string; n: number }>(endpointsSql);
        for (const status of endpointStatuses) this.set({ status }, 0);
        for (const row of rows) this.set({ status: row.status }, Number(row.n));
      } catch (err) {
        logger.warn({ err }, 'counting endpoints for /metrics failed; the gauge is left out of this scrape');
      }
    },
  });
}
