import {
  CoreError,
  type CreateTokenInput,
  type CursorArgs,
  isUuid,
  newId,
  type Page,
  type Principal,
  type Scope,
  type TenantLimits,
  type TokenRecord,
} from '@hookport/spec';
import type { Database } from '../db/database.ts';
import { constantTimeEqual, newApiToken, sha256Hex } from './crypto.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { checkQuota, lockQuota } from './quotas.ts';
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

/** How long a tenant token found valid is trusted without looking it up again (see `known` below). */
export const tokenCacheMs = 2000;

interface KnownToken {
  principal: Principal;
  /** When this process looks the token up again. */
  until: number;
  /** The token's own expiry (ms), if it has one. */
  expiresAt: number | null;
}

export function createTokens(db: Database, adminToken: string | undefined, quotas: TenantLimits) {
  /**
   * Tenant tokens found valid in the last tokenCacheMs, by hash: most requests come from a few tokens,
   * and looking the token up was a round trip of its own on every request. revoke() drops the entry at
   * once, so this process stops honouring a revoked token immediately; another API process on the
   * same database may honour it for at most tokenCacheMs more. A token past its expiry is never
   * honoured from here, and tokens not found are not remembered. Bounded by clearing.
   */
  const known = new Map<string, KnownToken>();
  /** Counts revocations: a lookup that overlapped one may have read the token before it, so it is not kept. */
  let revocations = 0;

  /** Lookups in flight, by hash, with the revocation count when each was sent. */
  const lookups = new Map<string, { revocations: number; principal: Promise<Principal | null> }>();

  /** Looks a tenant token up, and remembers it unless a revocation overlapped the lookup. */
  async function lookUp(hash: string, now: number): Promise<Principal | null> {
    const revocationsBefore = revocations;
    const [row] = await db.query<{ id: string; tenant_id: string; scopes: Scope[]; expires_at: Date | null }>(
      `select id, tenant_id, scopes, expires_at from api_tokens
       where token_hash = $1 and revoked_at is null and (expires_at is null or expires_at > now())`,
      [hash],
    );
    if (!row) {
      known.delete(hash);
      return null;
    }
    const principal: Principal = { kind: 'tenant', tenantId: row.tenant_id, tokenId: row.id, scopes: row.scopes };
    if (revocations !== revocationsBefore) return principal;
    if (known.size >= 10_000) known.clear();
    known.set(hash, { principal, until: now + tokenCacheMs, expiresAt: row.expires_at?.getTime() ?? null });
    return principal;
  }

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
      const row = await db.transaction(async (tx) => {
        await lockQuota(tx, tenantId, 'tokens');
        const [inserted] = await tx.query<TokenRow>(
          `insert into api_tokens (id, tenant_id, name, scopes, token_hash, expires_at)
           values ($1, $2, $3, $4::text::jsonb, $5, $6) returning ${columns}`,
          [newId(), tenantId, input.name, JSON.stringify(input.scopes), sha256Hex(token), input.expiresAt ?? null],
        );
        await checkQuota(tx, tenantId, 'tokens', quotas);
        return inserted;
      });
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
      revocations++;
      for (const [hash, entry] of known) {
        if (entry.principal.kind === 'tenant' && entry.principal.tokenId === tokenId) known.delete(hash);
      }
    },

    async authenticate(token: string): Promise<Principal | null> {
      if (adminToken !== undefined && constantTimeEqual(token, adminToken)) return { kind: 'admin' };
      if (!token.startsWith('hp_')) return null;
      const hash = sha256Hex(token);
      const now = Date.now();
      const hit = known.get(hash);
      if (hit && hit.until > now && (hit.expiresAt === null || hit.expiresAt > now)) return hit.principal;
      // Requests of one token that miss together (when its entry runs out, 50 publishers at once) share
      // one lookup, unless a revocation came after it was sent: then they look the token up again.
      const inFlight = lookups.get(hash);
      if (inFlight && inFlight.revocations === revocations) return inFlight.principal;
      const lookup = { revocations, principal: lookUp(hash, now) };
      lookups.set(hash, lookup);
      try {
        return await lookup.principal;
      } finally {
        if (lookups.get(hash) === lookup) lookups.delete(hash);
      }
    },
  };
}
