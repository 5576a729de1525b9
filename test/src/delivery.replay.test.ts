import { afterAll, describe, expect, it } from 'vitest';
import { type Delivery, DeliveryKit, type EventBody } from './support/delivery.ts';
import { type ApiResponse, createTenant, createToken, startHookport } from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged } from './support/problem-assertions.ts';

/**
 * POST /v1/deliveries/replay (docs/delivery.md, "Bulk replay"): a dry run counts without queuing; a replay
 * sends exactly the matching finished deliveries again to a real receiver, as a new attempt with the same
 * webhook-id; an Idempotency-Key repeat answers the same and queues nothing; another tenant's deliveries
 * and a filtered portal's other endpoints are never touched; bad input is a 4xx naming the field, with
 * nothing queued.
 */

interface ReplayResult {
  dryRun: boolean;
  matched: number;
  queued: number;
  skipped: number;
}

const t = await startHookport();
const fx = await createTenant(t);
const kit = new DeliveryKit(t, fx);
const other = await createTenant(t, { name: 'Other' });
const otherKit = kit.forTenant(other);
afterAll(async () => {
  await kit.close();
  const errorLines = t.logs.filter((line) => line.includes('"level":50'));
  await t.close();
  expect(errorLines).toEqual([]);
});

// One attempt only, so a refused delivery fails at once.
const once = { retrySchedule: [] };
const failing = await kit.receiver((_req, _n, res) => res.writeHead(500).end());
const healthy = await kit.receiver();
const flaky = await kit.endpoint(failing.url, {
  eventTypes: ['ticket.created', 'ticket.updated'],
  metadata: { customer: 'c1' },
  ...once,
});
const steady = await kit.endpoint(healthy.url, {
  eventTypes: ['ticket.created'],
  metadata: { customer: 'c2' },
  ...once,
});
const theirs = await otherKit.endpoint(failing.url, { eventTypes: ['ticket.created'], ...once });

const since = new Date(Date.now() - 3_600_000).toISOString();
const until = new Date(Date.now() + 3_600_000).toISOString();

const created: EventBody[] = [];
for (let i = 0; i < 3; i++) created.push(await kit.accepted('ticket.created', { n: i }));
const updated = await kit.accepted('ticket.updated', { n: 'u' });
const theirEvent = await otherKit.accepted('ticket.created', { n: 'theirs' });
for (const e of created) {
  await kit.settled((await kit.deliveryOf(e.id, flaky.id)).id, 'failed');
  await kit.settled((await kit.deliveryOf(e.id, steady.id)).id, 'succeeded');
}
await kit.settled((await kit.deliveryOf(updated.id, flaky.id)).id, 'failed');
const theirDelivery = await otherKit.deliveryOf(theirEvent.id, theirs.id);
await otherKit.settled(theirDelivery.id, 'failed');
failing.respond((_req, _n, res) => res.writeHead(204).end());

function replay(json: Record<string, unknown>, options: { key?: string; token?: string } = {}) {
  return t.api.post<ReplayResult>('/v1/deliveries/replay', {
    token: options.token ?? fx.token,
    json: { since, until, ...json },
    ...(options.key ? { headers: { 'idempotency-key': options.key } } : {}),
  });
}

function expectResult(res: ApiResponse<ReplayResult>, status: 200 | 202, body: ReplayResult) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toEqual(body);
}

/** Each delivery's status and attempt count, by id: what a replay changes. */
async function states(k: DeliveryKit = kit): Promise<Map<string, string>> {
  const all: Delivery[] = await k.listAll();
  return new Map(all.map((d) => [d.id, `${d.status}/${d.attemptCount}`]));
}

describe('POST /v1/deliveries/replay', () => {
  it('counts in a dry run, by every filter, and queues nothing', async () => {
    const before = await states();
    expectResult(await replay({ dryRun: true }), 200, { dryRun: true, matched: 7, queued: 0, skipped: 0 });
    expectResult(await replay({ dryRun: true, status: 'failed' }), 200, {
      dryRun: true,
      matched: 4,
      queued: 0,
      skipped: 0,
    });
    expectResult(await replay({ dryRun: true, status: 'succeeded', endpointId: steady.id }), 200, {
      dryRun: true,
      matched: 3,
      queued: 0,
      skipped: 0,
    });
    expectResult(await replay({ dryRun: true, eventType: 'ticket.updated' }), 200, {
      dryRun: true,
      matched: 1,
      queued: 0,
      skipped: 0,
    });
    // Outside the range, nothing.
    const later = { since: until, until: new Date(Date.parse(until) + 60_000).toISOString() };
    expectResult(await replay({ dryRun: true, ...later }), 200, { dryRun: true, matched: 0, queued: 0, skipped: 0 });
    // A dry run changes no delivery: still finished, still one attempt each.
    expect(await states()).toEqual(before);
  });

  it('sends exactly the matching deliveries again, as a new attempt with the same webhook-id', async () => {
    const before = await states();
    const theirsBefore = await states(otherKit);
    const received = failing.received.length;
    const res = await replay({ status: 'failed', eventType: 'ticket.created' });
    expectResult(res, 202, { dryRun: false, matched: 3, queued: 3, skipped: 0 });

    const targets = await Promise.all(created.map((e) => kit.deliveryOf(e.id, flaky.id)));
    // Queued in the request's own transactions: the others are as they were when it answered.
    const after = await states();
    for (const [id, state] of before) {
      if (targets.some((d) => d.id === id)) continue;
      expect(after.get(id), id).toBe(state);
    }
    for (const d of targets) {
      const done = await kit.settled(d.id, 'succeeded');
      expect(done.attempts.map((a) => [a.number, a.httpStatus])).toEqual([
        [1, 500],
        [2, 204],
      ]);
    }
    const sent = (await failing.waitFor(received + 3)).slice(received);
    expect(sent.map((r) => r.headers['webhook-id']).sort()).toEqual(created.map((e) => e.id).sort());
    // Another tenant's failed delivery to the same receiver was not touched.
    expect(await states(otherKit)).toEqual(theirsBefore);
    expect((await otherKit.delivery(theirDelivery.id)).attempts).toHaveLength(1);
    expect(failing.received.length).toBe(received + 3);
  });

  it('is idempotent per Idempotency-Key: the first answer again, nothing queued; another body is a 409', async () => {
    const body = { endpointId: steady.id, status: 'succeeded' };
    const first = await replay(body, { key: 'replay-steady' });
    expectResult(first, 202, { dryRun: false, matched: 3, queued: 3, skipped: 0 });
    for (const e of created) {
      const d = await kit.deliveryOf(e.id, steady.id);
      await kit.waitForDelivery(d.id, 'to succeed twice', (x) => x.status === 'succeeded' && x.attemptCount === 2);
    }
    const settled = await states();

    const again = await replay(body, { key: 'replay-steady' });
    expectResult(again, 202, first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await states()).toEqual(settled);

    const conflict = await expectUnchanged(t, () => replay({ ...body, dryRun: true }, { key: 'replay-steady' }));
    expectProblem(conflict, 'idempotency_conflict');
    // Without the key the same request queues them again.
    expectResult(await replay(body), 202, { dryRun: false, matched: 3, queued: 3, skipped: 0 });
    await kit.quiescent();
  });

  it('counts what cannot be sent again as skipped: expunged content, an endpoint not active', async () => {
    const expunged = await t.api.delete(`/v1/events/${updated.id}/content`, { token: fx.token });
    expect(expunged.status, expunged.text).toBe(200);
    expectResult(await replay({ dryRun: true, eventType: 'ticket.updated' }), 200, {
      dryRun: true,
      matched: 1,
      queued: 0,
      skipped: 1,
    });
    await kit.setStatus(steady.id, 'paused');
    const before = await states();
    expectResult(await replay({ eventType: 'ticket.updated' }), 202, {
      dryRun: false,
      matched: 1,
      queued: 0,
      skipped: 1,
    });
    expectResult(await replay({ endpointId: steady.id }), 202, { dryRun: false, matched: 3, queued: 0, skipped: 3 });
    expect(await states()).toEqual(before);
    await kit.setStatus(steady.id, 'active');
  });

  it('keeps a filtered portal to its own endpoints', async () => {
    const session = await t.api.post<{ token: string }>('/v1/portal-sessions', {
      token: t.adminToken,
      json: { tenantId: fx.id, endpointMetadata: { customer: 'c1' } },
    });
    expect(session.status, session.text).toBe(201);
    const token = session.body.token;
    expectProblem(await expectUnchanged(t, () => replay({ endpointId: steady.id }, { token })), 'not_found');
    // flaky's four deliveries, the expunged one skipped; steady's three are not its to see.
    expectResult(await replay({ dryRun: true }, { token }), 200, { dryRun: true, matched: 4, queued: 0, skipped: 1 });
  });

  it('refuses bad input with a 4xx naming the field, queuing nothing', async () => {
    await kit.quiescent();
    const bad: [Record<string, unknown>, string][] = [
      [{ until: since }, 'until'],
      [{ since: until, until: since }, 'until'],
      [{ since: new Date(Date.now() - 31 * 86_400_000).toISOString() }, 'since'],
      [{ since: 'yesterday' }, 'since'],
      [{ since: undefined }, 'since'],
      [{ status: 'pending' }, 'status'],
      [{ status: 'lost' }, 'status'],
      [{ dryRun: 'yes' }, 'dryRun'],
      [{ endpointId: 'ep_nope' }, 'endpointId'],
      [{ eventType: '' }, 'eventType'],
      [{ everything: true }, 'everything'],
    ];
    for (const [json, field] of bad) {
      const res = await expectUnchanged(t, () => replay(json, { key: `bad-${field}` }));
      expectInvalid(res, field);
    }
    // Another tenant's endpoint is a 404, as everywhere.
    expectProblem(await expectUnchanged(t, () => replay({ endpointId: theirs.id })), 'not_found');
    const reader = await createToken(t, fx.id, ['deliveries:read']);
    expectProblem(await expectUnchanged(t, () => replay({}, { token: reader })), 'forbidden');
    const noBody = await t.api.post('/v1/deliveries/replay', { token: fx.token });
    expect(noBody.status).toBeGreaterThanOrEqual(400);
    expect(noBody.status).toBeLessThan(500);
  });
});
