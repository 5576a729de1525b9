import {
  CoreError,
  type CreatePortalSessionArgs,
  newId,
  type PortalSessionRecord,
  type Principal,
  type Scope,
} from '@hookport/spec';
import type { Database } from '../db/database.ts';
import { newPortalToken, sha256Hex } from './crypto.ts';
import { tenantNotFound } from './tenants.ts';

interface SessionRow {
  id: string;
  tenant_id: string;
  endpoint_metadata: Record<string, string> | null;
  read_only: boolean;
  created_at: Date;
  expires_at: Date;
}

const columns = 'id, tenant_id, endpoint_metadata, read_only, created_at, expires_at';

function toRecord(r: SessionRow): PortalSessionRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    endpointMetadata: r.endpoint_metadata,
    readOnly: r.read_only,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

/**
 * The fixed scopes of a portal token: what the console's endpoint pages need, and nothing that
 * publishes events or touches tokens. The native API admits it only on routes that opt in.
 */
export function portalScopes(readOnly: boolean): Scope[] {
  return readOnly
    ? ['endpoints:read', 'deliveries:read']
    : ['endpoints:read', 'endpoints:write', 'deliveries:read', 'deliveries:write'];
}

export function createPortalSessions(db: Database) {
  return {
    async create(
      tenantId: string,
      args: CreatePortalSessionArgs,
    ): Promise<{ record: PortalSessionRecord; token: string }> {
      const [tenant] = await db.query('select 1 from tenants where id = $1', [tenantId]);
      if (!tenant) throw tenantNotFound();
      const token = newPortalToken();
      const metadata = args.endpointMetadata === undefined ? null : JSON.stringify(args.endpointMetadata);
      const [row] = await db.query<SessionRow>(
        `insert into portal_sessions (id, tenant_id, token_hash, endpoint_metadata, read_only, expires_at)
         values ($1, $2, $3, $4::text::jsonb, $5, now() + make_interval(secs => $6)) returning ${columns}`,
        [newId(), tenantId, sha256Hex(token), metadata, args.readOnly, args.ttlSeconds],
      );
      if (!row) throw new Error('insert returned no row');
      return { record: toRecord(row), token };
    },

    async revoke(tenantId: string | null, sessionId: string): Promise<void> {
      const rows = await db.query(
        `update portal_sessions set revoked_at = now()
         where id = $1 and ($2::uuid is null or tenant_id = $2) and revoked_at is null returning id`,
        [sessionId, tenantId],
      );
      if (rows.length === 0) throw new CoreError('not_found', 'No such portal session.');
    },

    /** A live session (neither revoked nor expired) by id; null otherwise. */
    async get(sessionId: string): Promise<PortalSessionRecord | null> {
      const [row] = await db.query<SessionRow>(
        `select ${columns} from portal_sessions where id = $1 and revoked_at is null and expires_at > now()`,
        [sessionId],
      );
      return row ? toRecord(row) : null;
    },

    /**
     * Looked up on every request, never cached: a session is revoked or expires while its console is
     * open, and the one indexed lookup is cheap next to what the console's pages then read.
     */
    async authenticate(token: string): Promise<Principal | null> {
      const [row] = await db.query<SessionRow>(
        `select ${columns} from portal_sessions
         where token_hash = $1 and revoked_at is null and expires_at > now()`,
        [sha256Hex(token)],
      );
      if (!row) return null;
      return {
        kind: 'portal',
        tenantId: row.tenant_id,
        sessionId: row.id,
        scopes: portalScopes(row.read_only),
        endpointMetadata: row.endpoint_metadata,
      };
    },
  };
}
