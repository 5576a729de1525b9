/**
 * Revoking a token with several API processes on one database: each process
 * trusts a token it found valid for 2 s (core/tokens.ts), so the process that
 * revokes refuses the token at once and every other one within those 2 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookport, type TestHookport } from './support/harness.ts';
import { until } from './support/until.ts';
import { type ApiProcess, startApiProcess } from './support/worker-process.ts';

let t: TestHookport;
let other: ApiProcess | undefined;

beforeAll(async () => {
  t = await startHookport({}, 'api');
  other = await startApiProcess(t, {});
});

afterAll(async () => {
  if (other && !other.exit) {
    other.signal('SIGTERM');
    await other.exited;
  }
  await t?.close();
});

async function statusHere(token: string): Promise<number> {
  const res = await t.hp.app.fetch(
    new Request('http://hookport.test/v1/endpoints', { headers: { authorization: `Bearer ${token}` } }),
  );
  await res.arrayBuffer();
  return res.status;
}

async function statusThere(token: string): Promise<number> {
  const res = await fetch(`${other?.url}/v1/endpoints`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

describe('a revoked token', () => {
  it('is refused at once by the revoking process and within the 2 s trust window by another', async () => {
    const tenant = await t.hp.core.tenants.create({ name: 'Revoke', presets: [] });
    const { token, record } = await t.hp.core.tokens.create(tenant.id, { name: 'to revoke', scopes: ['*'] });
    // Both processes have just found the token valid (and trust it for a while).
    expect(await statusHere(token)).toBe(200);
    expect(await statusThere(token)).toBe(200);

    await t.hp.core.tokens.revoke(tenant.id, record.id);
    expect(await statusHere(token)).toBe(401);
    // The trust window is 2 s; the deadline leaves room for the requests and the polling on a loaded machine.
    await until(
      'the other process to refuse the revoked token',
      async () => ((await statusThere(token)) === 401 ? true : undefined),
      { timeoutMs: 5000 },
    );
    // And it stays refused.
    expect(await statusThere(token)).toBe(401);
    expect(await statusHere(token)).toBe(401);
  });

  it('is never trusted past its expiry, even within the trust window', async () => {
    const tenant = await t.hp.core.tenants.create({ name: 'Expiry', presets: [] });
    const expiresAt = new Date(Date.now() + 1200).toISOString();
    const { token } = await t.hp.core.tokens.create(tenant.id, { name: 'short', scopes: ['*'], expiresAt });
    expect(await statusHere(token)).toBe(200);
    await until('the token to expire', async () => (Date.now() > Date.parse(expiresAt) + 50 ? true : undefined));
    expect(await statusHere(token)).toBe(401);
  });
});
