import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromTypeId, toTypeId } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hookport } from '../runtime.ts';
import { openTestHookport, type TestApiHookport } from '../test-hookport.ts';
import { bossSchemaOf, deliverQueue, slowQueue } from './queue.ts';
import { Sender } from './sender.ts';

/**
 * The hand-off of fifo endpoints (store-order.ts) against a real database (PGlite, or PostgreSQL when
 * DATABASE_URL is set). The process runs the API only: no dispatcher takes the jobs, so each test reads
 * which deliveries got a job, and runs the attempts itself against a loopback receiver.
 */

let test: TestApiHookport;
let hp: Hookport;
let sender: Sender;
let receiver: Server;
let receiverUrl: string;
/** The status the receiver answers with. */
let answer = 204;

beforeAll(async () => {
  test = await openTestHookport();
  hp = test.hp;
  // The receiver is on loopback: the sender's egress guard must allow it.
  sender = new Sender(hp.config.egressAllowlist, 'hookport-test');
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(answer).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await sender?.close();
  await test?.close();
});

const call = (method: string, path: string, json: unknown, token?: string) => test.request(method, path, json, token);

async function ok(method: string, path: string, json: unknown, token?: string) {
  const { status, body } = await call(method, path, json, token);
  if (status >= 300) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(body)}`);
  return body;
}

const worker = () => test.worker(sender);

/**
 * A tenant with a fifo endpoint (one retry after 1 s, then exhausted) and an unordered one, both on the
 * receiver, and `count` events published to both. Returns each endpoint's deliveries in publish order.
 */
async function fifoTenant(count: number) {
  const tenant = await ok('POST', '/v1/tenants', { name: 'Order', presets: ['helpdesk'] });
  const { token } = await ok('POST', `/v1/tenants/${tenant.id}/tokens`, { name: 't', scopes: ['*'] });
  const as = String(token);
  const endpoint = (ordering: string) =>
    ok('POST', '/v1/endpoints', { url: receiverUrl, eventTypes: ['ticket.*'], ordering, retrySchedule: [1] }, as);
  const fifo = await endpoint('fifo');
  const unordered = await endpoint('unordered');
  for (let n = 1; n <= count; n++) await ok('POST', '/v1/events', { type: 'ticket.created', data: { n } }, as);
  const deliveriesOf = async (ep: Record<string, unknown>) => {
    const page = await ok('GET', `/v1/deliveries?endpointId=${ep.id}&limit=100`, undefined, as);
    return (page.data as { id: string }[]).map((d) => d.id).reverse();
  };
  return {
    token: as,
    fifo,
    unordered,
    fifoDeliveries: await deliveriesOf(fifo),
    others: await deliveriesOf(unordered),
  };
}

/** The internal uuid of a public delivery id. */
function uuidOf(publicId: string): string {
  const id = fromTypeId('delivery', publicId);
  if (id === null) throw new Error(`not a delivery id: ${publicId}`);
  return id;
}

/** Jobs queued since the last call, by delivery (taken off the queue: the test is their only reader). */
async function takeJobs(): Promise<Map<string, number[]>> {
  const jobs = new Map<string, number[]>();
  for (const name of [deliverQueue, slowQueue]) {
    for (const j of await hp.queue.boss.fetch<{ deliveryId: string; attempt: number }>(name, { batchSize: 1000 })) {
      jobs.set(j.data.deliveryId, [...(jobs.get(j.data.deliveryId) ?? []), j.data.attempt]);
    }
  }
  return jobs;
}

/** The attempts of the delivery queued for later (pg-boss's start_after in the future: fetch leaves them). */
async function scheduledAttempts(deliveryId: string): Promise<number[]> {
  const rows = await hp.db.query<{ attempt: number }>(
    `select (data->>'attempt')::int as attempt from "${bossSchemaOf(hp.config.dbSchema)}".job
     where data->>'deliveryId' = $1 and state = 'created' and start_after > now()`,
    [deliveryId],
  );
  return rows.map((r) => r.attempt);
}

/** Runs attempt `attempt` of the delivery, as if its job had been claimed. */
const attempt = (deliveryId: string, n = 1) =>
  worker().attemptDelivery({ id: randomUUID(), retryCount: 0, name: deliverQueue, data: { deliveryId, attempt: n } });

async function statusOf(deliveryId: string): Promise<string | undefined> {
  const [row] = await hp.db.query<{ status: string }>('select status from deliveries where id = $1', [deliveryId]);
  return row?.status;
}

describe('a fifo endpoint (store-order.ts)', () => {
  it('queues only its oldest delivery at publish; an unordered endpoint gets every job', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const [first, second, third] = t.fifoDeliveries.map(uuidOf);
    const others = t.others.map(uuidOf);
    const jobs = await takeJobs();
    expect(jobs.get(first ?? '')).toEqual([1]);
    expect(jobs.has(second ?? '')).toBe(false);
    expect(jobs.has(third ?? '')).toBe(false);
    for (const id of others) expect(jobs.get(id)).toEqual([1]);
    expect(t.fifo.ordering).toBe('fifo');
    expect(t.unordered.ordering).toBe('unordered');
  });

  it('releases the next one when the head succeeds, and not while it is retried', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const [first = '', second = '', third = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    answer = 500;
    await attempt(first);
    // Retried in 1 s: still the head, its retry queued, nothing else released.
    expect(await statusOf(first)).toBe('pending');
    expect(await scheduledAttempts(first)).toEqual([2]);
    let jobs = await takeJobs();
    expect(jobs.has(second)).toBe(false);
    answer = 204;
    await attempt(first, 2);
    expect(await statusOf(first)).toBe('succeeded');
    jobs = await takeJobs();
    expect(jobs.get(second)).toEqual([1]);
    expect(jobs.has(third)).toBe(false);
    // A job that reaches a delivery still waiting its turn (a stale one) sends nothing.
    await attempt(third);
    expect(await statusOf(third)).toBe('pending');
    expect((await takeJobs()).size).toBe(0);
  });

  it('releases the next one when the head is exhausted', async () => {
    await takeJobs();
    const t = await fifoTenant(2);
    const [first = '', second = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    answer = 500;
    await attempt(first);
    await attempt(first, 2);
    answer = 204;
    expect(await statusOf(first)).toBe('failed');
    expect((await takeJobs()).get(second)).toEqual([1]);
  });

  it('skip: a waiting delivery is skipped without releasing; the head is skipped and the next released', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const [first = '', second = '', third = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    const skipped = await ok('POST', `/v1/deliveries/${t.fifoDeliveries[1]}/skip`, undefined, t.token);
    expect(skipped.status).toBe('skipped');
    expect(skipped.lastError).toBe('Skipped by an operator.');
    expect((await takeJobs()).size).toBe(0);
    await ok('POST', `/v1/deliveries/${t.fifoDeliveries[0]}/skip`, undefined, t.token);
    const jobs = await takeJobs();
    expect(jobs.get(third)).toEqual([1]);
    expect(jobs.has(second)).toBe(false);
    // The head's queued attempt, if a worker still takes it, sends nothing.
    await attempt(first);
    expect(await statusOf(first)).toBe('skipped');
    // Skipping again is a conflict, in the native error shape.
    const again = await call('POST', `/v1/deliveries/${t.fifoDeliveries[0]}/skip`, undefined, t.token);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
  });

  it('redeliver: a pending one is a 409; a finished one waits behind the head', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const [first = '', second = '', third = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    const pending = await call('POST', `/v1/deliveries/${t.fifoDeliveries[0]}/redeliver`, undefined, t.token);
    expect(pending.status).toBe(409);
    await attempt(first);
    expect((await takeJobs()).get(second)).toEqual([1]);
    // The first is redelivered while the second is in flight: no job yet; it goes next (publish order).
    const again = await ok('POST', `/v1/deliveries/${t.fifoDeliveries[0]}/redeliver`, undefined, t.token);
    expect(again.status).toBe('pending');
    expect((await takeJobs()).size).toBe(0);
    await attempt(second);
    const jobs = await takeJobs();
    expect(jobs.get(first)).toEqual([2]);
    expect(jobs.has(third)).toBe(false);
  });

  it('pause parks the head; resume releases only the oldest', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const [first = '', second = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    await ok('PATCH', `/v1/endpoints/${t.fifo.id}`, { status: 'paused' }, t.token);
    await attempt(first);
    expect(await statusOf(first)).toBe('held');
    // Only this endpoint's deliveries: a job an earlier test took and never completed comes back once its
    // heartbeat is missed (pg-boss's retry), which a slow run can reach.
    const ours = (jobs: Map<string, number[]>) =>
      [...jobs.keys()].filter((id) => t.fifoDeliveries.map(uuidOf).includes(id));
    expect(ours(await takeJobs())).toEqual([]);
    await ok('PATCH', `/v1/endpoints/${t.fifo.id}`, { status: 'active' }, t.token);
    const jobs = await takeJobs();
    expect(ours(jobs)).toEqual([first]);
    await attempt(first);
    expect((await takeJobs()).get(second)).toEqual([1]);
  });

  it("expunging the head's event fails it and releases the next", async () => {
    await takeJobs();
    const t = await fifoTenant(2);
    const [first = '', second = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    const [row] = await hp.db.query<{ event_id: string }>('select event_id from deliveries where id = $1', [first]);
    await ok('DELETE', `/v1/events/${toTypeId('event', row?.event_id ?? '')}/content`, undefined, t.token);
    expect(await statusOf(first)).toBe('failed');
    expect((await takeJobs()).get(second)).toEqual([1]);
  });

  it('bulk replay puts finished deliveries back in line: one job, the first in publish order', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const ids = t.fifoDeliveries.map(uuidOf);
    const [first = '', second = '', third = ''] = ids;
    await takeJobs();
    for (const id of ids) await attempt(id);
    expect(await Promise.all(ids.map(statusOf))).toEqual(['succeeded', 'succeeded', 'succeeded']);
    await takeJobs();
    const since = new Date(Date.now() - 60_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const replay = await ok('POST', '/v1/deliveries/replay', { endpointId: t.fifo.id, since, until }, t.token);
    expect(replay.queued).toBe(3);
    const jobs = await takeJobs();
    expect(jobs.get(first)).toEqual([2]);
    expect(jobs.has(second)).toBe(false);
    expect(jobs.has(third)).toBe(false);
  });

  it('switching to unordered queues every waiting delivery', async () => {
    await takeJobs();
    const t = await fifoTenant(3);
    const [, second = '', third = ''] = t.fifoDeliveries.map(uuidOf);
    await takeJobs();
    const updated = await ok('PATCH', `/v1/endpoints/${t.fifo.id}`, { ordering: 'unordered' }, t.token);
    expect(updated.ordering).toBe('unordered');
    const jobs = await takeJobs();
    expect(jobs.get(second)).toEqual([1]);
    expect(jobs.get(third)).toEqual([1]);
  });

  it('refuses an unknown ordering with a 422, storing nothing', async () => {
    const tenant = await ok('POST', '/v1/tenants', { name: 'Bad order', presets: ['helpdesk'] });
    const { token } = await ok('POST', `/v1/tenants/${tenant.id}/tokens`, { name: 't', scopes: ['*'] });
    const res = await call(
      'POST',
      '/v1/endpoints',
      { url: receiverUrl, eventTypes: ['ticket.*'], ordering: 'lifo' },
      String(token),
    );
    expect(res.status).toBe(422);
    const list = await ok('GET', '/v1/endpoints', undefined, String(token));
    expect(list.data).toEqual([]);
  });
});
