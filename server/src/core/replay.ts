import { type BulkReplayInput, type BulkReplayResult, CoreError, newId, replayableStatuses } from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import { sha256Hex } from './crypto.ts';

/**
 * Bulk replay (POST /v1/deliveries/replay, docs/delivery.md "Bulk replay"): the tenant's finished
 * deliveries matching some filters are walked in id order, one short transaction per batch, and each
 * batch is queued again through the store's requeue (or only counted, in a dry run). The request's row in
 * `delivery_replays` (migration 0019) holds its selection, how far it walked and its counts, updated in
 * each batch's transaction: so an Idempotency-Key repeat gives the first answer, or goes on where a
 * crashed or concurrent run stopped, and never queues a delivery twice.
 */

/** Deliveries looked at per transaction: a big replay never holds one long transaction. */
export const replayBatchSize = 500;

/** How long an Idempotency-Key of a replay is remembered, as for publishing. */
const idempotencyWindowHours = 24;

/** What the walk selects, stored with the request (the frozen end of the range is the row's created_at). */
interface Selection {
  endpointId: string | null;
  endpointMetadata: Readonly<Record<string, string>> | null;
  eventType: string | null;
  statuses: string[];
  since: string;
  until: string;
}

interface ReplayRow {
  id: string;
  request_hash: string;
  selection: Selection;
  dry_run: boolean;
  walked_to: string | null;
  matched: number;
  queued: number;
  skipped: number;
  created_at: Date;
  finished_at: Date | null;
}

const replayColumns =
  'id, request_hash, selection, dry_run, walked_to, matched, queued, skipped, created_at, finished_at';

/**
 * The next batch after $2 (the last delivery id walked, or the nil uuid): finished deliveries of the selection
 * created before the request, in id order (UUIDv7, so creation order), each with whether it can be sent again
 * (its event's content is there, its endpoint is active) for a dry run's count. "Before the request" is
 * `created_at <= $5`, the request row's created_at: PGlite's clock can give both the same value. Keyset on `id > $2` alone, so
 * every batch starts where the last one stopped in the index, never from the start; by the endpoint's index
 * when one is named, else the tenant's. No index on created_at: the first batch reads past the tenant's
 * deliveries before `since`, which retention keeps to its window.
 */
function nextBatch(endpointSelect: string): string {
  return `select d.id, (e.expunged_at is null and p.status = 'active') as replayable
  from deliveries d
  join events e on e.id = d.event_id
  join endpoints p on p.id = d.endpoint_id
  where ${endpointSelect} and d.id > $2::uuid
    and d.created_at >= $3::timestamptz and d.created_at < $4::timestamptz and d.created_at <= $5::timestamptz
    and d.status = any($6::text::text[])
    and ($8::text is null or d.event_type = $8)
    and ($9::text is null or p.metadata @> $9::text::jsonb)
  order by d.id
  limit $10`;
}

/** The batch reads, exported so that store-sql.test.ts checks their generic plans with the store's. */
export const replaySql = {
  /** Tenant $1's deliveries; $7 unused (null). */
  batchOfTenant: nextBatch('d.tenant_id = $1 and $7::uuid is null'),
  /** Endpoint $7's deliveries (of tenant $1). */
  batchOfEndpoint: nextBatch('d.endpoint_id = $7::uuid and d.tenant_id = $1'),
};

/** Where a walk starts: below every UUID. */
const nilUuid = '00000000-0000-0000-0000-000000000000';

const invalid = (path: string, message: string) =>
  new CoreError('validation_failed', `The request body is not valid: ${path}: ${message}.`, [
    { path, message, code: 'custom' },
  ]);

const toResult = (r: ReplayRow): BulkReplayResult => ({
  dryRun: r.dry_run,
  matched: r.matched,
  queued: r.queued,
  skipped: r.skipped,
});

export function createReplays(
  db: Database,
  store: DeliveryStore,
  defaultRetentionDays: number,
  batchSize: number = replayBatchSize,
) {
  /**
   * A new request's checks against what is stored: 422 unless since lies within the tenant's retention
   * window, 404 for an endpoint of another tenant. Through q, in the transaction that records the request.
   */
  async function check(q: Queryable, tenantId: string, input: BulkReplayInput): Promise<void> {
    const [tenant] = await q.query<{ days: number; too_old: boolean }>(
      `select coalesce(retention_days, $2::integer) as days,
         $3::timestamptz < now() - make_interval(days => coalesce(retention_days, $2::integer)) as too_old
       from tenants where id = $1`,
      [tenantId, defaultRetentionDays, input.since],
    );
    if (!tenant) throw new CoreError('not_found', 'No such tenant.');
    if (tenant.too_old) {
      // Older deliveries are being deleted by retention; queuing them again would keep them past it.
      throw invalid('since', `must be within the retention window: the last ${tenant.days} days`);
    }
    if (input.endpointId !== undefined) {
      const [endpoint] = await q.query('select 1 as found from endpoints where tenant_id = $1 and id = $2', [
        tenantId,
        input.endpointId,
      ]);
      if (!endpoint) throw new CoreError('not_found', 'No such endpoint.');
    }
  }

  /**
   * The request's row: the earlier one of its Idempotency-Key (a 409 for another body), or a new one once
   * `check` passed. A repeat is not checked again: it answers what the first request did even after the
   * window moved past its since. The tenant's rows past the key window are deleted first, so they never
   * pile up (a refusal rolls that back too: nothing changes on a 4xx).
   */
  async function open(
    tenantId: string,
    input: BulkReplayInput,
    selection: Selection,
  ): Promise<{ run: ReplayRow; replayed: boolean }> {
    const dryRun = input.dryRun ?? false;
    const hash = sha256Hex(JSON.stringify([selection, dryRun]));
    const key = input.idempotencyKey ?? null;
    return db.transaction(async (tx) => {
      await tx.query(
        'delete from delivery_replays where tenant_id = $1 and created_at < now() - make_interval(hours => $2)',
        [tenantId, idempotencyWindowHours],
      );
      if (key !== null) {
        // Serialises requests with the same key; the lock ends with the transaction.
        await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`${tenantId}:replay:${key}`]);
        const [prior] = await tx.query<ReplayRow>(
          `select ${replayColumns} from delivery_replays where tenant_id = $1 and idempotency_key = $2`,
          [tenantId, key],
        );
        if (prior) {
          if (prior.request_hash !== hash) {
            throw new CoreError(
              'idempotency_conflict',
              'This Idempotency-Key was used with a different replay request in the last 24 hours.',
            );
          }
          return { run: prior, replayed: true };
        }
      }
      await check(tx, tenantId, input);
      const [run] = await tx.query<ReplayRow>(
        `insert into delivery_replays (id, tenant_id, idempotency_key, request_hash, selection, dry_run)
         values ($1, $2, $3, $4, $5::text::jsonb, $6) returning ${replayColumns}`,
        [newId(), tenantId, key, hash, JSON.stringify(selection), dryRun],
      );
      if (!run) throw new Error('replay insert returned no row');
      return { run, replayed: false };
    });
  }

  /** One batch in one transaction, under the row's lock, so concurrent runs of one key take turns. */
  async function step(tenantId: string, runId: string): Promise<ReplayRow> {
    return db.transaction(async (tx) => {
      const [run] = await tx.query<ReplayRow>(
        `select ${replayColumns} from delivery_replays where id = $1 for update`,
        [runId],
      );
      if (!run) throw new Error('replay row missing');
      if (run.finished_at !== null) return run;
      const batch = await readBatch(tx, tenantId, run);
      const last = batch.at(-1);
      const queued = run.dry_run
        ? 0
        : (await store.requeue(tx, tenantId, { finishedIds: batch.map((d) => d.id) })).length;
      const skipped = run.dry_run ? batch.filter((d) => !d.replayable).length : batch.length - queued;
      const [next] = await tx.query<ReplayRow>(
        `update delivery_replays set walked_to = coalesce($2::uuid, walked_to), matched = matched + $3,
           queued = queued + $4, skipped = skipped + $5, finished_at = case when $6::boolean then now() end
         where id = $1 returning ${replayColumns}`,
        [run.id, last?.id ?? null, batch.length, queued, skipped, batch.length < batchSize],
      );
      if (!next) throw new Error('replay row missing');
      return next;
    });
  }

  function readBatch(q: Queryable, tenantId: string, run: ReplayRow) {
    const s = run.selection;
    const text = s.endpointId === null ? replaySql.batchOfTenant : replaySql.batchOfEndpoint;
    return q.query<{ id: string; replayable: boolean }>(text, [
      tenantId,
      run.walked_to ?? nilUuid,
      s.since,
      s.until,
      run.created_at,
      `{${s.statuses.join(',')}}`,
      s.endpointId,
      s.eventType,
      s.endpointMetadata === null ? null : JSON.stringify(s.endpointMetadata),
      batchSize,
    ]);
  }

  return {
    async replay(tenantId: string, input: BulkReplayInput): Promise<{ result: BulkReplayResult; replayed: boolean }> {
      if (Date.parse(input.since) >= Date.parse(input.until)) throw invalid('until', 'must be after since');
      const selection: Selection = {
        endpointId: input.endpointId ?? null,
        endpointMetadata: input.endpointMetadata ?? null,
        eventType: input.eventType ?? null,
        statuses: input.status ? [input.status] : [...replayableStatuses],
        since: new Date(input.since).toISOString(),
        until: new Date(input.until).toISOString(),
      };
      const opened = await open(tenantId, input, selection);
      let run = opened.run;
      while (run.finished_at === null) run = await step(tenantId, run.id);
      return { result: toResult(run), replayed: opened.replayed };
    },
  };
}
