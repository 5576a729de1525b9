import {
  CoreError,
  type CreateTenantInput,
  type CursorArgs,
  isUuid,
  newId,
  type Page,
  type TenantLimits,
  type TenantQuotas,
  type TenantRecord,
  type UpdateTenantInput,
  vendorCatalogues,
} from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { checkQuota, limitsOf, quotasOf } from './quotas.ts';

interface TenantRow {
  id: string;
  name: string;
  metadata: Record<string, string>;
  quotas: unknown;
  retention_days: number | null;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, name, metadata, quotas, retention_days, created_at, updated_at';

/** The overrides after an update: null removes a kind's override, absent leaves it. */
function mergedQuotas(current: TenantQuotas, changes: Partial<Record<keyof TenantQuotas, unknown>>): TenantQuotas {
  const out: Record<string, unknown> = { ...current };
  for (const [kind, value] of Object.entries(changes)) {
    if (value === null) delete out[kind];
    else if (value !== undefined) out[kind] = value;
  }
  return quotasOf(out);
}

export function tenantNotFound(): CoreError {
  return new CoreError('not_found', 'No such tenant.');
}

export function createTenants(db: Database, defaultQuotas: TenantLimits, defaultRetentionDays: number) {
  function toRecord(r: TenantRow): TenantRecord {
    const quotas = quotasOf(r.quotas);
    return {
      id: r.id,
      name: r.name,
      metadata: r.metadata,
      quotas,
      limits: limitsOf(quotas, defaultQuotas),
      retentionDays: r.retention_days,
      effectiveRetentionDays: r.retention_days ?? defaultRetentionDays,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  return {
    async create(input: CreateTenantInput): Promise<TenantRecord> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<TenantRow>(
          `insert into tenants (id, name, metadata, quotas, retention_days)
           values ($1, $2, $3::text::jsonb, $4::text::jsonb, $5)
           returning ${columns}`,
          [
            newId(),
            input.name,
            JSON.stringify(input.metadata ?? {}),
            JSON.stringify(quotasOf(input.quotas ?? {})),
            input.retentionDays ?? null,
          ],
        );
        if (!row) throw new Error('insert returned no row');
        const presets = new Set(input.presets ?? []);
        for (const vendor of presets) {
          await loadCatalogue(tx, row.id, vendorCatalogues[vendor]);
        }
        // The presets' event types count against the event type quota like any others.
        if (presets.size > 0) await checkQuota(tx, row.id, 'eventTypes', defaultQuotas);
        return toRecord(row);
      });
    },

    async list({ limit, cursor }: CursorArgs): Promise<Page<TenantRecord>> {
      const after = decodeCursor(cursor, isUuid);
      const rows = await db.query<TenantRow>(
        `select ${columns} from tenants where ($1::uuid is null or id < $1::uuid) order by id desc limit $2`,
        [after, limit + 1],
      );
      return toPage(rows, limit, toRecord, (t) => t.id);
    },

    async get(id: string): Promise<TenantRecord> {
      const [row] = await db.query<TenantRow>(`select ${columns} from tenants where id = $1`, [id]);
      if (!row) throw tenantNotFound();
      return toRecord(row);
    },

    async update(id: string, input: UpdateTenantInput): Promise<TenantRecord> {
      return db.transaction(async (tx) => {
        // Read under a row lock so that two updates of different quotas both keep their change.
        const [current] = await tx.query<{ quotas: unknown }>('select quotas from tenants where id = $1 for update', [
          id,
        ]);
        if (!current) throw tenantNotFound();
        const quotas = input.quotas ? mergedQuotas(quotasOf(current.quotas), input.quotas) : null;
        const [row] = await tx.query<TenantRow>(
          `update tenants set name = coalesce($2, name), metadata = coalesce($3::text::jsonb, metadata),
             quotas = coalesce($4::text::jsonb, quotas),
             retention_days = case when $5::boolean then $6::integer else retention_days end, updated_at = now()
           where id = $1 returning ${columns}`,
          [
            id,
            input.name ?? null,
            input.metadata ? JSON.stringify(input.metadata) : null,
            quotas && JSON.stringify(quotas),
            // Absent: unchanged; null: back to the server's default.
            input.retentionDays !== undefined,
            input.retentionDays ?? null,
          ],
        );
        if (!row) throw tenantNotFound();
        return toRecord(row);
      });
    },
  };
}

/** Adds a vendor's event types to a tenant; names it already has are kept as they are. */
async function loadCatalogue(tx: Queryable, tenantId: string, entries: { name: string; description: string }[]) {
  for (const e of entries) {
    await tx.query(
      'insert into event_types (tenant_id, name, description) values ($1, $2, $3) on conflict do nothing',
      [tenantId, e.name, e.description],
    );
  }
}
