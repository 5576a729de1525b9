import { newId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, SqlValue } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createTokens } from './tokens.ts';

/**
 * Authenticating tenant tokens on a real database (PGlite, or PostgreSQL with DATABASE_URL): requests of
 * one token that miss the process's cache together share one lookup, and a revocation is honoured at
 * once even by a request that arrives while a lookup from before it is in flight.
 */

let scratch: TestDatabase;
const quotas = {
  endpoints: 'unlimited',
  eventTypes: 'unlimited',
  tokens: 'unlimited',
  eventsPerDay: 'unlimited',
} as const;

function counting(db: Database) {
  const seen = { lookups: 0 };
  const counted: Database = {
    ...db,
    query: <T extends object>(text: string, params?: readonly SqlValue[]) => {
      if (text.includes('token_hash = $1')) seen.lookups++;
      return db.query<T>(text, params);
    },
  };
  return { counted, seen };
}

async function tokenOfNewTenant(): Promise<{ tenantId: string; tokenId: string; token: string }> {
  const tenantId = newId();
  await scratch.db.query(`insert into tenants (id, name) values ($1, 'tokens')`, [tenantId]);
  const { record, token } = await createTokens(scratch.db, undefined, quotas).create(tenantId, {
    name: 't',
    scopes: ['*'],
  });
  return { tenantId, tokenId: record.id, token };
}

beforeAll(async () => {
  scratch = await openTestDatabase(4);
  await migrate(scratch.db);
});

afterAll(async () => {
  await scratch?.drop();
});

describe(`tenant token lookups (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('shares one lookup among the requests of a token that miss together', async () => {
    const { tokenId, token } = await tokenOfNewTenant();
    const { counted, seen } = counting(scratch.db);
    const tokens = createTokens(counted, undefined, quotas);
    const principals = await Promise.all(Array.from({ length: 50 }, () => tokens.authenticate(token)));
    expect(seen.lookups).toBe(1);
    expect(principals.every((p) => p?.kind === 'tenant' && p.tokenId === tokenId)).toBe(true);
  });

  it('refuses a token revoked while a lookup from before the revocation is in flight', async () => {
    const { tenantId, tokenId, token } = await tokenOfNewTenant();
    const { counted, seen } = counting(scratch.db);
    const tokens = createTokens(counted, undefined, quotas);
    const before = tokens.authenticate(token);
    await tokens.revoke(tenantId, tokenId);
    const after = await tokens.authenticate(token);
    expect(after).toBeNull();
    // The request from before the revocation may still pass (it came first); it is not remembered.
    await before;
    expect(await tokens.authenticate(token)).toBeNull();
    expect(seen.lookups).toBe(3);
  });

  it('fails every request sharing a lookup that fails, and looks the token up again on the next', async () => {
    const { tokenId, token } = await tokenOfNewTenant();
    let failing = true;
    let lookups = 0;
    const flaky: Database = {
      ...scratch.db,
      query: <T extends object>(text: string, params?: readonly SqlValue[]) => {
        if (!text.includes('token_hash = $1')) return scratch.db.query<T>(text, params);
        lookups++;
        return failing ? Promise.reject(new Error('connection lost')) : scratch.db.query<T>(text, params);
      },
    };
    const tokens = createTokens(flaky, undefined, quotas);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => tokens.authenticate(token)));
    expect(settled.map((r) => r.status)).toEqual(Array(10).fill('rejected'));
    expect(lookups).toBe(1);
    failing = false;
    expect(await tokens.authenticate(token)).toMatchObject({ kind: 'tenant', tokenId });
    expect(lookups).toBe(2);
  });
});
