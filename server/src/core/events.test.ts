import type { QuotaLimit } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import type { Queryable, Row } from '../db/database.ts';
import type { DeliveryStore, EventRow } from '../shared/delivery-port.ts';
import type { DataGate } from './event-data.ts';
import { type DailyQuota, publishIn } from './events.ts';

/**
 * The daily quota's statement in publishIn (docs/api.md, "Quotas"): sent only when a limit applies to
 * the tenant, as the publish's own read of the type found it; an unlimited tenant's publish skips it.
 */

const tenantId = '0193a1b2-0000-7000-8000-000000000001';
const type = { schema: null, updated_at: '2026-12-07T00:00:00Z' };
const gate: DataGate = { prove: async () => undefined, see: () => {} };
const quotaTable = 'tenant_event_days';

function eventRow(eventType: string): EventRow {
  return {
    id: '0193a1b2-0000-7000-8000-000000000002',
    tenant_id: tenantId,
    type: eventType,
    data: {},
    delivery_count: 0,
    created_at: new Date(),
    example: false,
  };
}

/** A database that records every statement, answers the publish's reads, and the quota as `counted`. */
function recording(dayQuota: unknown, counted: number | null) {
  const texts: string[] = [];
  const checked = { type, day_quota: dayQuota };
  const answer = (text: string): Row[] => {
    if (text.includes(quotaTable)) return [{ day_limit: 2, counted }];
    if (text.includes("'day_quota'")) return [{ checked }];
    return [];
  };
  const q: Queryable = {
    query: async <T extends object = Row>(text: string) => {
      texts.push(text);
      return answer(text) as T[];
    },
    exec: async () => {},
  };
  // The store's statement reads the check with the endpoints; here it hands the same value to the check.
  const store: DeliveryStore = {
    async storeEvent(_q, _tenant, event, options) {
      texts.push('store');
      options?.check?.run(checked as never);
      return { event: eventRow(event.type), deliveryIds: [] };
    },
    requeue: async () => [],
    releaseHeld: async () => {},
    expungeEvent: async () => null,
    skip: async () => null,
    releaseOrdered: async () => {},
  };
  return { q, store, quotaStatements: () => texts.filter((t) => t.includes(quotaTable)).length };
}

const last = (defaultLimit: QuotaLimit): DailyQuota => ({ defaultLimit, count: 'last' });

describe('publishIn and the daily quota', () => {
  it('sends no quota statement for a tenant without a limit, with or without an idempotency key', async () => {
    for (const idempotencyKey of [undefined, 'k-1']) {
      const db = recording(null, null);
      const input = { type: 'order.placed', data: {}, idempotencyKey };
      const published = await publishIn(db.q, db.store, tenantId, input, last('unlimited'), { gate, proof: undefined });
      expect(published).toMatchObject({ replayed: false, dayLimit: 'unlimited' });
      expect(db.quotaStatements()).toBe(0);
    }
    // Its own 'unlimited' over a limited default skips it too.
    const db = recording('unlimited', null);
    await publishIn(db.q, db.store, tenantId, { type: 'order.placed', data: {} }, last(10), { gate, proof: undefined });
    expect(db.quotaStatements()).toBe(0);
  });

  it('counts a tenant limited by the default or by its own quota, and refuses it over the limit', async () => {
    for (const [dayQuota, defaultLimit] of [
      [null, 10],
      [2, 'unlimited'],
    ] as const) {
      const db = recording(dayQuota, 1);
      const input = { type: 'order.placed', data: {} };
      await publishIn(db.q, db.store, tenantId, input, last(defaultLimit), { gate, proof: undefined });
      expect(db.quotaStatements()).toBe(1);
      const over = recording(dayQuota, null);
      await expect(
        publishIn(over.q, over.store, tenantId, input, last(defaultLimit), { gate, proof: undefined }),
      ).rejects.toMatchObject({ code: 'daily_quota_exceeded' });
    }
  });

  it('counts first, before the limit is read, when asked to (the outbox)', async () => {
    const db = recording(null, 1);
    const quota: DailyQuota = { defaultLimit: 'unlimited', count: 'first' };
    await publishIn(db.q, db.store, tenantId, { type: 'order.placed', data: {} }, quota, { gate, proof: undefined });
    // One statement reads the limit and counts (an unlimited tenant writes nothing there).
    expect(db.quotaStatements()).toBe(1);
  });
});
