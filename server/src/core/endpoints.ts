import {
  CoreError,
  type CreateEndpointInput,
  type EndpointFilter,
  type EndpointOrdering,
  type EndpointPageArgs,
  type EndpointRecord,
  type EndpointStatus,
  type FieldError,
  filterMatches,
  isUuid,
  type Numbered,
  newId,
  type Page,
  type PayloadFilter,
  type ProfileName,
  type RotateSecretInput,
  systemEventTypes,
  type TenantLimits,
  type UpdateEndpointInput,
} from '@hookport/spec';
import type { Cidr } from '../config.ts';
import type { Database, Queryable } from '../db/database.ts';
import { retryDeadlocks } from '../db/deadlock-retry.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import { urlRefusal } from '../shared/egress.ts';
import { filtersSelect } from '../shared/event-filters.ts';
import { openHeaders, sealHeaders } from '../shared/sealed-headers.ts';
import { newEndpointSecret, type SecretBox } from './crypto.ts';
import { maskedHeaders, resolveSentHeaders } from './custom-headers.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { checkQuota, lockQuota } from './quotas.ts';

interface EndpointRow {
  id: string;
  seq: string | number;
  tenant_id: string;
  url: string;
  name: string;
  description: string;
  event_types: string[];
  status: EndpointStatus;
  profile: ProfileName;
  headers_enc: string | null;
  rate_limit: number | null;
  metadata: Record<string, string>;
  filter: PayloadFilter | null;
  retry_schedule: number[] | null;
  timeout_ms: number | null;
  ordering: EndpointOrdering;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns = `id, seq, tenant_id, url, name, description, event_types, status, profile, headers_enc,
  rate_limit, metadata, filter, retry_schedule, timeout_ms, ordering, disabled_reason, created_at, updated_at`;

/** Header values leave the core masked, whatever the surface: no read shows them in clear. */
function recordOf(r: EndpointRow, box: SecretBox): EndpointRecord {
  return {
    id: r.id,
    seq: Number(r.seq),
    tenantId: r.tenant_id,
    url: r.url,
    name: r.name,
    description: r.description,
    eventTypes: r.event_types,
    status: r.status,
    profile: r.profile,
    headers: maskedHeaders(box, r.headers_enc),
    rateLimit: r.rate_limit,
    metadata: r.metadata,
    filter: r.filter,
    retrySchedule: r.retry_schedule,
    timeoutMs: r.timeout_ms,
    ordering: r.ordering,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The filter as the column holds it: null for none, and for an empty filter too (it matches everything),
 * so the publish path evaluates nothing for either.
 */
function filterToStore(filter: PayloadFilter | null | undefined): string | null {
  return filter && Object.keys(filter).length > 0 ? JSON.stringify(filter) : null;
}

/** The schedule as the column holds it: null for the profile's (an empty array is kept: no retries). */
function scheduleToStore(schedule: readonly number[] | null | undefined): string | null {
  return schedule ? JSON.stringify(schedule) : null;
}

export const defaultGracePeriodSeconds = 24 * 3600;

function notFound(): CoreError {
  return new CoreError('not_found', 'No such endpoint.');
}

export interface EndpointDeps {
  db: Database;
  box: SecretBox;
  egressAllowlist: readonly Cidr[];
  store: DeliveryStore;
  quotas: TenantLimits;
}

export function createEndpoints({ db, box, egressAllowlist, store, quotas }: EndpointDeps) {
  const toRecord = (r: EndpointRow) => recordOf(r, box);

  function checkUrl(url: string): FieldError[] {
    const refusal = urlRefusal(url, egressAllowlist);
    return refusal ? [{ path: 'url', message: refusal, code: 'url_refused' }] : [];
  }

  /** Every filter must select something in the tenant's catalogue: a typo would silently receive nothing. */
  async function checkEventTypes(q: Queryable, tenantId: string, filters: readonly string[]): Promise<FieldError[]> {
    const names = (
      await q.query<{ name: string }>('select name from event_types where tenant_id = $1', [tenantId])
    ).map((r) => r.name);
    const errors: FieldError[] = [];
    filters.forEach((filter, i) => {
      // A system type counts as the catalogue's: `endpoint.*` selects the operational events.
      if (filter === '*' || [...systemEventTypes, ...names].some((n) => filterMatches(filter, n))) return;
      errors.push({
        path: `eventTypes.${i}`,
        message: filter.endsWith('.*')
          ? `${filter} matches no event type of this tenant`
          : `${filter} is not an event type of this tenant`,
        code: 'unknown_event_type',
      });
    });
    return errors;
  }

  function fail(errors: FieldError[]): never {
    throw new CoreError('validation_failed', errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
  }

  async function getRow(q: Queryable, tenantId: string, id: string): Promise<EndpointRow> {
    const [row] = await q.query<EndpointRow>(`select ${columns} from endpoints where tenant_id = $1 and id = $2`, [
      tenantId,
      id,
    ]);
    if (!row) throw notFound();
    return row;
  }

  /**
   * The sealed map to store for the headers an update sent, or why not: the stored map is read under the
   * row's lock, so the masked values sent back resolve against the value this update replaces. A missing
   * endpoint resolves against nothing; the update that follows answers it is not found.
   */
  async function headersToStore(
    tx: Queryable,
    tenantId: string,
    id: string,
    sent: Record<string, string>,
  ): Promise<{ sealed: string | null; errors: FieldError[] }> {
    const [row] = await tx.query<{ headers_enc: string | null }>(
      'select headers_enc from endpoints where tenant_id = $1 and id = $2 for update',
      [tenantId, id],
    );
    const resolved = resolveSentHeaders(sent, openHeaders(box, row?.headers_enc ?? null));
    return { sealed: sealHeaders(box, resolved.headers), errors: resolved.errors };
  }

  return {
    async create(tenantId: string, input: CreateEndpointInput): Promise<{ endpoint: EndpointRecord; secret: string }> {
      const eventTypes = [...new Set(input.eventTypes)];
      // Checked as sent, not deduplicated, so `eventTypes.N` names the caller's own index N.
      const headers = resolveSentHeaders(input.headers ?? {}, {});
      const errors = [
        ...checkUrl(input.url),
        ...(await checkEventTypes(db, tenantId, input.eventTypes)),
        ...headers.errors,
      ];
      if (errors.length > 0) fail(errors);
      const secret = input.secret ?? newEndpointSecret();
      const row = await db.transaction(async (tx) => {
        await lockQuota(tx, tenantId, 'endpoints');
        const [inserted] = await tx.query<EndpointRow>(
          `insert into endpoints (id, tenant_id, url, name, description, event_types, status, profile, headers_enc,
           rate_limit, metadata, secret_enc, filter, retry_schedule, timeout_ms, ordering)
           values ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10, $11::text::jsonb, $12, $13::text::jsonb,
             $14::text::jsonb, $15::integer, $16)
           returning ${columns}`,
          [
            newId(),
            tenantId,
            input.url,
            input.name ?? '',
            input.description ?? '',
            JSON.stringify(eventTypes),
            input.status ?? 'active',
            input.profile ?? 'native',
            sealHeaders(box, headers.headers),
            input.rateLimit ?? null,
            JSON.stringify(input.metadata ?? {}),
            box.seal(secret),
            filterToStore(input.filter),
            scheduleToStore(input.retrySchedule),
            input.timeoutMs ?? null,
            input.ordering ?? 'unordered',
          ],
        );
        await checkQuota(tx, tenantId, 'endpoints', quotas);
        return inserted;
      });
      if (!row) throw new Error('insert returned no row');
      return { endpoint: toRecord(row), secret };
    },

    async list(tenantId: string, f: EndpointFilter): Promise<Page<EndpointRecord>> {
      const after = decodeCursor(f.cursor, isUuid);
      const rows = await db.query<EndpointRow>(
        `select ${columns} from endpoints
         where tenant_id = $1
           and ($2::uuid is null or id < $2::uuid)
           and ($3::text is null or status = $3)
           and ($4::text is null or profile = $4)
           and ($5::text is null or ${filtersSelect('$5::text')})
           and ($7::text is null or metadata @> $7::text::jsonb)
         order by id desc limit $6`,
        [
          tenantId,
          after,
          f.status ?? null,
          f.profile ?? null,
          f.eventType ?? null,
          f.limit + 1,
          f.metadata === undefined ? null : JSON.stringify(f.metadata),
        ],
      );
      return toPage(rows, f.limit, toRecord, (e) => e.id);
    },

    async listNumbered(tenantId: string, args: EndpointPageArgs): Promise<Numbered<EndpointRecord>> {
      // count(*) over () gives the total with the page in one statement (one snapshot).
      const rows = await db.query<EndpointRow & { total: string | number }>(
        `select ${columns}, count(*) over () as total from endpoints
         where tenant_id = $1 and ($2::text is null or profile = $2)
         order by id ${args.order === 'desc' ? 'desc' : 'asc'} offset $3 limit $4`,
        [tenantId, args.profile ?? null, args.offset, args.limit],
      );
      if (rows.length > 0 || args.offset === 0) {
        return { items: rows.map(toRecord), total: Number(rows[0]?.total ?? 0) };
      }
      // Past the last page: no row carries the total, so count on its own.
      const [count] = await db.query<{ total: string | number }>(
        'select count(*) as total from endpoints where tenant_id = $1 and ($2::text is null or profile = $2)',
        [tenantId, args.profile ?? null],
      );
      return { items: [], total: Number(count?.total ?? 0) };
    },

    async get(tenantId: string, id: string): Promise<EndpointRecord> {
      return toRecord(await getRow(db, tenantId, id));
    },

    async getBySeq(tenantId: string, seq: number): Promise<EndpointRecord> {
      const [row] = await db.query<EndpointRow>(`select ${columns} from endpoints where tenant_id = $1 and seq = $2`, [
        tenantId,
        seq,
      ]);
      if (!row) throw notFound();
      return toRecord(row);
    },

    async update(tenantId: string, id: string, input: UpdateEndpointInput): Promise<EndpointRecord> {
      const eventTypes = input.eventTypes ? [...new Set(input.eventTypes)] : undefined;
      const errors = [
        ...(input.url !== undefined ? checkUrl(input.url) : []),
        ...(input.eventTypes ? await checkEventTypes(db, tenantId, input.eventTypes) : []),
      ];
      // Re-activating clears why it was disabled; disabling by hand records that.
      const reason = input.status === undefined ? undefined : input.status === 'disabled' ? 'manual' : null;
      return db.transaction(async (tx) => {
        const headers = input.headers ? await headersToStore(tx, tenantId, id, input.headers) : undefined;
        errors.push(...(headers?.errors ?? []));
        if (errors.length > 0) fail(errors);
        const headersEnc = headers?.sealed;
        const [row] = await tx.query<EndpointRow>(
          `update endpoints set
           url = coalesce($3, url),
           name = coalesce($4, name),
           description = coalesce($5, description),
           event_types = coalesce($6::text::jsonb, event_types),
           status = coalesce($7, status),
           headers_enc = case when $14::boolean then $8::text else headers_enc end,
           rate_limit = case when $9::boolean then $10::integer else rate_limit end,
           metadata = coalesce($11::text::jsonb, metadata),
           disabled_reason = case when $12::boolean then $13::text else disabled_reason end,
           filter = case when $15::boolean then $16::text::jsonb else filter end,
           retry_schedule = case when $17::boolean then $18::text::jsonb else retry_schedule end,
           timeout_ms = case when $19::boolean then $20::integer else timeout_ms end,
           ordering = coalesce($21, ordering),
           updated_at = now()
         where tenant_id = $1 and id = $2
         returning ${columns}`,
          [
            tenantId,
            id,
            input.url ?? null,
            input.name ?? null,
            input.description ?? null,
            eventTypes ? JSON.stringify(eventTypes) : null,
            input.status ?? null,
            headersEnc ?? null,
            input.rateLimit !== undefined,
            input.rateLimit ?? null,
            input.metadata ? JSON.stringify(input.metadata) : null,
            reason !== undefined,
            reason ?? null,
            headersEnc !== undefined,
            input.filter !== undefined,
            filterToStore(input.filter),
            input.retrySchedule !== undefined,
            scheduleToStore(input.retrySchedule),
            input.timeoutMs !== undefined,
            input.timeoutMs ?? null,
            input.ordering ?? null,
          ],
        );
        if (!row) throw notFound();
        if (input.status === 'active') {
          // Resuming: what waited while paused is queued now (on a fifo endpoint, the next in publish
          // order), and a past failure streak no longer counts.
          await store.releaseHeld(tx, tenantId, id);
        } else if (input.ordering !== undefined) {
          // No longer fifo: what waited its turn goes now (nothing for an endpoint that stays as it was).
          await store.releaseOrdered(tx, id);
        }
        return toRecord(row);
      });
    },

    async delete(tenantId: string, id: string): Promise<void> {
      // The cascade to the endpoint's deliveries can deadlock with the worker recording their attempts.
      const rows = await retryDeadlocks(() =>
        db.query('delete from endpoints where tenant_id = $1 and id = $2 returning id', [tenantId, id]),
      );
      if (rows.length === 0) throw notFound();
    },

    async rotateSecret(
      tenantId: string,
      id: string,
      input: RotateSecretInput,
    ): Promise<{ secret: string; previousSecretExpiresAt: Date | null }> {
      const secret = input.secret ?? newEndpointSecret();
      const grace = input.gracePeriodSeconds ?? defaultGracePeriodSeconds;
      // The current secret becomes the previous one, signing alongside the new one until it expires.
      const [row] = await db.query<{ previous_secret_expires_at: Date | null }>(
        `update endpoints set
           previous_secret_enc = case when $4::integer > 0 then secret_enc else null end,
           previous_secret_expires_at = case when $4::integer > 0 then now() + make_interval(secs => $4::integer) else null end,
           secret_enc = $3,
           updated_at = now()
         where tenant_id = $1 and id = $2
         returning previous_secret_expires_at`,
        [tenantId, id, box.seal(secret), grace],
      );
      if (!row) throw notFound();
      return { secret, previousSecretExpiresAt: row.previous_secret_expires_at };
    },

    async revealSecret(tenantId: string, id: string): Promise<string> {
      const [row] = await db.query<{ secret_enc: string }>(
        'select secret_enc from endpoints where tenant_id = $1 and id = $2',
        [tenantId, id],
      );
      if (!row) throw notFound();
      return box.open(row.secret_enc);
    },
  };
}
