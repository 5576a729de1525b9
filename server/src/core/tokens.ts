import {
  CoreError,
  type CreateTokenInput,
  type CursorArgs,
  type Page,
  type Principal,
  type Scope,
  type TokenRecord,
} from '@hookport/spec';
import type { Database } from '../db/database.ts';
import { constantTimeEqual, newApiToken, sha256Hex } from './crypto.ts';
import { newId } from './ids.ts';
import { decodeCursor, isUuid, toPage } from './pagination.ts';
import { tenantNotFound } from './tenants.ts';

interface TokenRow {
  id: string;
  tenant_id: string;
  name: string;
  scopes: Scope[];
  created_at: Date;
  expires_at: Date | null;
}

const columns = 'id, tenant_id, name, scopes, created_at, expires_at';

function toRecord(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

export function createTokens(db: Database, adminToken: string | undefined) {
  async function requireTenant(tenantId: string) {
    const [row] = await db.query('select 1 from tenants where id = $1', [tenantId]);
    if (!row) throw tenantNotFound();
  }

  return {
    async create(tenantId: string, input: CreateTokenInput): Promise<{ record: TokenRecord; token: string }> {
      await requireTenant(tenantId);
      if (input.expiresAt !== undefined && new Date(input.expiresAt).getTime() <= Date.now()) {
        throw new CoreError('validation_failed', 'The token would already be expired.', [
          { path: 'expiresAt', message: 'must be in the future', code: 'too_small' },
        ]);
      }
      const token = newApiToken();
      const [row] = await db.query<TokenRow>(
        `insert into api_tokens (id, tenant_id, name, scopes, token_hash, expires_at)
         values ($1, $2, $3, $4::text::jsonb, $5, $6) returning ${columns}`,
        [newId(), tenantId, input.name, JSON.stringify(input.scopes), sha256Hex(token), input.expiresAt ?? null],
      );
      if (!row) throw new Error('insert returned no row');
      return { record: toRecord(row), token };
    },

    async list(tenantId: string, { limit, cursor }: CursorArgs): Promise<Page<TokenRecord>> {
      await requireTenant(tenantId);
      const after = decodeCursor(cursor, isUuid);
      const rows = await db.query<TokenRow>(
        `select ${columns} from api_tokens
         where tenant_id = $1 and revoked_at is null and ($2::uuid is null or id < $2::uuid)
         order by id desc limit $3`,
        [tenantId, after, limit + 1],
      );
      return toPage(rows, limit, toRecord, (t) => t.id);
    },

    async revoke(tenantId: string, tokenId: string): Promise<void> {
      const rows = await db.query(
        'update api_tokens set revoked_at = now() where id = $1 and tenant_id = $2 and revoked_at is null returning id',
        [tokenId, tenantId],
      );
      if (rows.length === 0) throw new CoreError('not_found', 'No such token.');
    },

    async authenticate(token: string): Promise<Principal | null> {
      if (adminToken !== undefined && constantTimeEqual(token, adminToken)) return { kind: 'admin' };
      if (!token.startsWith('hp_')) return null;
      const [row] = await db.query<{ id: string; tenant_id: string; scopes: Scope[] }>(
        `select id, tenant_id, scopes from api_tokens
         where token_hash = $1 and revoked_at is null and (expires_at is null or expires_at > now())`,
        [sha256Hex(token)],
      );
      return row ? { kind: 'tenant', tenantId: row.tenant_id, tokenId: row.id, scopes: row.scopes } : null;
    },
  };
}
