import { fromTypeId } from '@hookport/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { retentionCron, retentionQueue } from '../../server/src/retention/job.ts';
import { type Pruned, pruneTenant } from '../../server/src/retention/prune.ts';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TenantFixture } from './support/harness.ts';
import { expectInvalid, expectUnchanged } from './support/problem-assertions.ts';
import { ageEvent, copyRollups, rollupsBetween, rowsOf } from './support/retention.ts';
import type { Tenant } from './support/types.ts';
import { until } from './support/until.ts';

/**
 * Retention (docs/retention.md): the admin's per-tenant retentionDays over HOOKPORT_RETENTION_DAYS, and
 * the worker's scheduled run deleting events older than their tenant's window whose deliveries have all
 * finished, with their deliveries and attempts, in bounded batches; pending (retrying) and held
 * deliveries are kept whatever their age. Events are made old by moving them to an id and a creation
 * time in the past (support/retention.ts), after a real delivery.
 */

// One retry an hour away: a delivery answered 500 stays pending ("retrying") for the whole test.
const t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '3600', HOOKPORT_RETENTION_DAYS: '30' });
const kits: DeliveryKit[] = [];
afterAll(async () => {
  await Promise.all(kits.map((k) => k.close()));
  await t.close();
});

const admin = { token: t.adminToken };

function kitOf(fx: TenantFixture): DeliveryKit {
  const kit = new DeliveryKit(t, fx);
  kits.push(kit);
  return kit;
}

/** Publishes `type` and waits until its one delivery is in `status`; returns the event's TypeID. */
async function deliveredAs(kit: DeliveryKit, type: string, status: 'succeeded' | 'failed' | 'held' | 'pending') {
  const event = await kit.accepted(type, { secret: 'kept-until-pruned' });
  const [delivery] = await until(`the delivery of ${event.id}`, async () => {
    const found = await kit.deliveriesOf(event.id);
    return found.length === 1 ? found : undefined;
  });
  if (!delivery) throw new Error('no delivery');
  // A retrying delivery is pending with its first attempt made.
  await kit.waitForDelivery(delivery.id, `to be ${status}`, (d) =>
    status === 'pending' ? d.status === 'pending' && d.attemptCount === 1 : d.status === status,
  );
  return event.id;
}

describe('the admin sets a tenant retention', () => {
  it('shows the server default, takes an override at creation and on update, and null goes back', async () => {
    const plain = await t.api.post<Tenant>('/v1/tenants', { ...admin, json: { name: 'Default' } });
    expect(plain.status, plain.text).toBe(201);
    expect(plain.body).toMatchObject({ retentionDays: null, effectiveRetentionDays: 30 });

    const own = await t.api.post<Tenant>('/v1/tenants', { ...admin, json: { name: 'Short', retentionDays: 7 } });
    expect(own.status, own.text).toBe(201);
    expect(own.body).toMatchObject({ retentionDays: 7, effectiveRetentionDays: 7 });

    const longer = await t.api.patch<Tenant>(`/v1/tenants/${own.body.id}`, { ...admin, json: { retentionDays: 90 } });
    expect(longer.body).toMatchObject({ retentionDays: 90, effectiveRetentionDays: 90 });
    // A change of something else leaves it.
    const renamed = await t.api.patch<Tenant>(`/v1/tenants/${own.body.id}`, { ...admin, json: { name: 'Renamed' } });
    expect(renamed.body).toMatchObject({ retentionDays: 90 });
    const reset = await t.api.patch<Tenant>(`/v1/tenants/${own.body.id}`, { ...admin, json: { retentionDays: null } });
    expect(reset.body).toMatchObject({ retentionDays: null, effectiveRetentionDays: 30 });
    expect((await t.api.get<Tenant>(`/v1/tenants/${own.body.id}`, admin)).body.retentionDays).toBeNull();
  });

  it.each([0, 3651, 1.5, '30', -1])('refuses retentionDays %j with a 422, storing nothing', async (value) => {
    const fx = await createTenant(t, { presets: [] });
    await expectUnchanged(t, async () => {
      expectInvalid(
        await t.api.patch(`/v1/tenants/${fx.id}`, { ...admin, json: { retentionDays: value } }),
        'retentionDays',
      );
      expectInvalid(
        await t.api.post('/v1/tenants', { ...admin, json: { name: 'X', retentionDays: value } }),
        'retentionDays',
      );
    });
  });

  it('is the admin’s: a tenant token cannot set it', async () => {
    const fx = await createTenant(t, { presets: [] });
    const res = await t.api.patch(`/v1/tenants/${fx.id}`, { token: fx.token, json: { retentionDays: 1 } });
    expect(res.status).toBe(403);
  });
});

describe('the scheduled retention run', () => {
  it('deletes old finished events with their deliveries and attempts, keeps pending and held ones, per tenant window', async () => {
    const fx = await createTenant(t);
    const kit = kitOf(fx);
    const ok = await kit.receiver((_req, _n, res) => res.writeHead(200).end('ok'));
    const retrying = await kit.receiver((_req, _n, res) => res.writeHead(500).end('try later'));
    const gone = await kit.receiver((_req, _n, res) => res.writeHead(410).end('gone'));
    await kit.endpoint(ok.url, { eventTypes: ['ticket.created'] });
    await kit.endpoint(retrying.url, { eventTypes: ['ticket.updated'] });
    await kit.endpoint(gone.url, { eventTypes: ['ticket.deleted'] });
    const paused = await kit.endpoint(ok.url, { eventTypes: ['ticket.resolved'] });
    await kit.setStatus(paused.id, 'paused');

    const succeeded = await ageEvent(t.hp.db, await deliveredAs(kit, 'ticket.created', 'succeeded'), 40);
    const recent = await ageEvent(t.hp.db, await deliveredAs(kit, 'ticket.created', 'succeeded'), 10);
    const failed = await ageEvent(t.hp.db, await deliveredAs(kit, 'ticket.deleted', 'failed'), 40);
    const pending = await ageEvent(t.hp.db, await deliveredAs(kit, 'ticket.updated', 'pending'), 400);
    const held = await ageEvent(t.hp.db, await deliveredAs(kit, 'ticket.resolved', 'held'), 400);

    // Another tenant with a 7-day window: its 10-day-old event goes, its 3-day-old one stays.
    const other = await createTenant(t);
    expect((await t.api.patch(`/v1/tenants/${other.id}`, { ...admin, json: { retentionDays: 7 } })).status).toBe(200);
    const otherKit = kitOf(other);
    await otherKit.endpoint(ok.url, { eventTypes: ['ticket.created'] });
    const otherOld = await ageEvent(t.hp.db, await deliveredAs(otherKit, 'ticket.created', 'succeeded'), 10);
    const otherYoung = await ageEvent(t.hp.db, await deliveredAs(otherKit, 'ticket.created', 'succeeded'), 3);

    expect(await rowsOf(t.hp.db, [succeeded])).toEqual({ events: 1, deliveries: 1, attempts: 1 });
    // The cron's job, sent now rather than at the next hour's minute 17; the worker runs it.
    const schedules = await t.hp.queue.boss.getSchedules(retentionQueue);
    expect(schedules.map((s) => s.cron)).toEqual([retentionCron]);
    await t.hp.queue.boss.send(retentionQueue, {});
    await until(
      'the retention run',
      async () => ((await rowsOf(t.hp.db, [succeeded, otherOld])).events === 0 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    expect(await rowsOf(t.hp.db, [succeeded, failed, otherOld])).toEqual({ events: 0, deliveries: 0, attempts: 0 });
    expect(await rowsOf(t.hp.db, [recent])).toEqual({ events: 1, deliveries: 1, attempts: 1 });
    expect(await rowsOf(t.hp.db, [otherYoung])).toEqual({ events: 1, deliveries: 1, attempts: 1 });
    // Whatever their age: a retrying delivery (one attempt made, the next an hour away) and a held one.
    expect(await rowsOf(t.hp.db, [pending])).toEqual({ events: 1, deliveries: 1, attempts: 1 });
    expect(await rowsOf(t.hp.db, [held])).toEqual({ events: 1, deliveries: 1, attempts: 0 });
    await until('the run logged', async () =>
      t.logs.some((l) => l.includes('retention: old finished events deleted')) ? true : undefined,
    );
  });
});

/** The tenant's attempts counted by the statistics API, per day from `days` ago to now: [total, per bucket]. */
async function dailyAttempts(fx: TenantFixture, days: number): Promise<{ total: number; byDay: number[] }> {
  const query = new URLSearchParams({ bucket: 'day', since: new Date(Date.now() - days * 86_400_000).toISOString() });
  const res = await t.api.get<{ total: { attempts: { total: number } }; buckets: { attempts: { total: number } }[] }>(
    `/v1/stats?${query}`,
    { token: fx.token },
  );
  expect(res.status, res.text).toBe(200);
  return { total: res.body.total.attempts.total, byDay: res.body.buckets.map((b) => b.attempts.total) };
}

describe('the scheduled retention run and the statistics rollups', () => {
  it('deletes rollup rows older than the tenant window, keeps recent ones and a longer window’s', async () => {
    // One real delivery per tenant makes its rollup row of now; copies of it stand for older traffic.
    const fx = await createTenant(t);
    const kit = kitOf(fx);
    const ok = await kit.receiver();
    await kit.endpoint(ok.url, { eventTypes: ['ticket.created'] });
    await deliveredAs(kit, 'ticket.created', 'succeeded');
    const tenant = tenantUuid(fx.id);
    const old = await copyRollups(t.hp.db, tenant, 40);
    const recent = await copyRollups(t.hp.db, tenant, 10);
    expect(old).toBeGreaterThan(0);

    // Another tenant with a 60-day window: its 40-day-old rows stay, its 70-day-old ones go.
    const other = await createTenant(t);
    expect((await t.api.patch(`/v1/tenants/${other.id}`, { ...admin, json: { retentionDays: 60 } })).status).toBe(200);
    const otherKit = kitOf(other);
    await otherKit.endpoint(ok.url, { eventTypes: ['ticket.created'] });
    await deliveredAs(otherKit, 'ticket.created', 'succeeded');
    const otherTenant = tenantUuid(other.id);
    const otherKept = await copyRollups(t.hp.db, otherTenant, 40);
    await copyRollups(t.hp.db, otherTenant, 70);

    // The statistics count the copies: one attempt now, one 10 days ago, one 40 days ago.
    const before = await dailyAttempts(fx, 45);
    expect(before.total).toBe(3);

    await t.hp.queue.boss.send(retentionQueue, {});
    await until(
      'the retention run',
      async () =>
        (await rollupsBetween(t.hp.db, tenant, 35, 45)) === 0 &&
        (await rollupsBetween(t.hp.db, otherTenant, 65, 75)) === 0
          ? true
          : undefined,
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    expect(await rollupsBetween(t.hp.db, tenant, 5, 15)).toBe(recent);
    expect(await rollupsBetween(t.hp.db, otherTenant, 35, 45)).toBe(otherKept);
    expect(await rollupsBetween(t.hp.db, tenant, 0, 1)).toBeGreaterThan(0);

    // The statistics still answer for the window: now and 10 days ago; 40 days ago is empty.
    const after = await dailyAttempts(fx, 45);
    expect(after.total).toBe(2);
    expect(after.byDay.length).toBe(before.byDay.length);
    expect(after.byDay.slice(0, 10).every((n) => n === 0)).toBe(true);
    expect((await dailyAttempts(other, 45)).total).toBe(2);
    await until('the run logged its rollups', async () =>
      t.logs.some((l) => l.includes('retention: old finished events deleted') && /"rollups":[1-9]/.test(l))
        ? true
        : undefined,
    );
  });
});

describe('retention batches', () => {
  it('deletes in transactions of at most batchSize events, and all of them in the end', async () => {
    const fx = await createTenant(t);
    const kit = kitOf(fx);
    const ok = await kit.receiver();
    await kit.endpoint(ok.url, { eventTypes: ['ticket.created'] });
    const events: string[] = [];
    for (let i = 0; i < 7; i++) events.push(await deliveredAs(kit, 'ticket.created', 'succeeded'));
    const ids = await Promise.all(events.map((e) => ageEvent(t.hp.db, e, 1)));
    // Rollup rows of 2 to 5 days ago, older than the cut-off below (the scheduled run's 30 days leave them).
    const tenant = tenantUuid(fx.id);
    let oldRollups = 0;
    for (const days of [2, 3, 4, 5]) oldRollups += await copyRollups(t.hp.db, tenant, days);
    const recentRollups = await rollupsBetween(t.hp.db, tenant, 0, 1);
    const batches: [number, Pruned][] = [];
    const removed = await pruneTenant(t.hp.db, tenantUuid(fx.id), new Date(Date.now() - 3_600_000).toISOString(), {
      batchSize: 3,
      onBatch: (claimed, r) => batches.push([claimed, r]),
    });
    expect(removed).toEqual({ events: 7, deliveries: 7, attempts: 7, rollups: oldRollups });
    expect(batches.map(([claimed]) => claimed)).toEqual([3, 3, 1]);
    expect(batches.map(([, r]) => r.events)).toEqual([3, 3, 1]);
    expect(await rowsOf(t.hp.db, ids)).toEqual({ events: 0, deliveries: 0, attempts: 0 });
    expect(await rollupsBetween(t.hp.db, tenant, 1, 10)).toBe(0);
    expect(await rollupsBetween(t.hp.db, tenant, 0, 1)).toBe(recentRollups);
  });
});

function tenantUuid(typeId: string): string {
  const uuid = fromTypeId('tenant', typeId);
  if (uuid === null) throw new Error(`not a tenant id: ${typeId}`);
  return uuid;
}
