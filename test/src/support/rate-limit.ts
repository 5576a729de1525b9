import type { Vendor } from '@hookport/spec';
import { uuidToUlid } from '@hookport/spec';
import type { TestHookport } from './harness.ts';

/** The quota a response announces (draft-ietf-httpapi-ratelimit-headers), or null when it carries none. */
export interface AnnouncedQuota {
  limit: number;
  window: number;
  remaining: number;
  reset: number;
}

export function quotaOf(headers: Headers): AnnouncedQuota | null {
  const policy = headers.get('ratelimit-policy');
  const state = headers.get('ratelimit');
  if (policy === null && state === null) return null;
  const p = /^"default";q=(\d+);w=(\d+)$/.exec(policy ?? '');
  const s = /^"default";r=(\d+);t=(\d+)$/.exec(state ?? '');
  if (!p || !s) throw new Error(`malformed RateLimit fields: RateLimit-Policy=${policy} RateLimit=${state}`);
  return { limit: Number(p[1]), window: Number(p[2]), remaining: Number(s[1]), reset: Number(s[2]) };
}

export interface LimitedTenant {
  /** The native tenant id (`tnt_…`), which is also the Helpdesk workspace id. */
  id: string;
  token: string;
  /** The token's internal id: its row in api_rate_limits. */
  tokenId: string;
}

/**
 * A tenant and an all-scopes token made through the core port itself, so that
 * setting up spends nothing of the admin token's quota in a test that counts it.
 */
export async function limitedTenant(t: TestHookport, presets: Vendor[] = ['helpdesk']): Promise<LimitedTenant> {
  const tenant = await t.hp.core.tenants.create({ name: 'Rate limited', presets });
  const { token, record } = await t.hp.core.tokens.create(tenant.id, { name: 'rate limit', scopes: ['*'] });
  return { id: `tnt_${uuidToUlid(tenant.id).toLowerCase()}`, token, tokenId: record.id };
}

/** The subjects the shared counter holds rows for. */
export async function counterSubjects(t: TestHookport): Promise<string[]> {
  const rows = await t.hp.db.query<{ subject: string }>('select subject from api_rate_limits order by subject');
  return rows.map((r) => r.subject);
}

/** How many rows the shared counter holds. */
export async function counterRows(t: TestHookport): Promise<number> {
  const [row] = await t.hp.db.query<{ n: number }>('select count(*)::integer as n from api_rate_limits');
  return row?.n ?? 0;
}
