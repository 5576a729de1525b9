import {
  CoreError,
  type CreateTenantInput,
  type CursorArgs,
  isUuid,
  newId,
  type Page,
  type TenantRecord,
  type UpdateTenantInput,
  vendorCatalogues,
} from '@hookport/spec';
import type { Database, Queryable } from '../db/database.ts';
import { decodeCursor, toPage } from './pagination.ts';

interface TenantRow {
  id: string;
  name: string;
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, name, metadata, created_at, updated_at';

function toRecord(r: TenantRow): TenantRecord {
  return { id: r.id, name: r.name, metadata: r.metadata, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function tenantNotFound(): CoreError {
  return new CoreError('not_found', 'No such tenant.');
}

export function createTenants(db: Database) {
  return {
    async create(input: CreateTenantInput): Promise<TenantRecord> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<TenantRow>(
          `insert into tenants (id, name, metadata) values ($1, $2, $3::text::jsonb) returning ${columns}`,
          [newId(), input.name, JSON.stringify(input.metadata ?? {})],
        );
        if (!row) throw new Error('insert returned no row');
        for (const vendor of new Set(input.presets ?? [])) {
          await loadCatalogue(tx, row.id, vendorCatalogues[vendor]);
        }
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
      const [row] = await db.query<TenantRow>(
        `update tenants set name = coalesce($2, name), metadata = coalesce($3::text::jsonb, metadata), updated_at = now()
         where id = $1 returning ${columns}`,
        [id, input.name ?? null, input.metadata ? JSON.stringify(input.metadata) : null],
      );
      if (!row) throw tenantNotFound();
      return toRecord(row);
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
