import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hookport } from '../runtime.ts';
import { openTestHookport, type TestApiHookport } from '../test-hookport.ts';
import { deliverQueue, slowQueue } from './queue.ts';
import { Sender } from './sender.ts';
import type { WorkerHooks } from './worker.ts';

/**
 * The worker against a real database (PGlite, or PostgreSQL when DATABASE_URL
 * is set). The process runs the API only, so no dispatcher takes the jobs: each
 * test runs one attempt itself, with a hook between the delivery's load and
 * what the worker does with it.
 */

let test: TestApiHookport;
let hp: Hookport;
let sender: Sender;

beforeAll(async () => {
  test = await openTestHookport();
  hp = test.hp;
  sender = new Sender([], 'hookport-test');
});

afterAll(async () => {
  await sender?.close();
  await test?.close();
});

async function call(method: string, path: string, json: unknown, token?: string) {
  const { status, body } = await test.request(method, path, json, token);
  if (status >= 300) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A tenant with one endpoint (never reached: these tests send nothing) and one pending delivery to it. */
async function pendingDelivery() {
  const tenant = await call('POST', '/v1/tenants', { name: 'Park', presets: ['helpdesk'] });
  const { token } = await call('POST', `/v1/tenants/${tenant.id}/tokens`, { name: 't', scopes: ['*'] });
  const tenantToken = String(token);
  const endpoint = await call(
    'POST',
    '/v1/endpoints',
    { url: 'http://127.0.0.1:9/hook', eventTypes: ['ticket.*'] },
    tenantToken,
  );
  await call('POST', '/v1/events', { type: 'ticket.created', data: { n: 1 } }, tenantToken);
  // The tests of this file run one after another, and ids are time-ordered: the newest is this one.
  const [delivery] = await hp.db.query<{ id: string }>('select id from deliveries order by id desc limit 1');
  if (!delivery) throw new Error('no delivery was created');
  const setStatus = (status: string) => call('PATCH', `/v1/endpoints/${endpoint.id}`, { status }, tenantToken);
  return { deliveryId: delivery.id, setStatus };
}

const worker = (hooks: WorkerHooks) => test.worker(sender, hooks);

/** A job for the delivery's first attempt, as if claimed (no worker takes the real one here). */
const firstAttempt = (deliveryId: string) => ({
  id: randomUUID(),
  retryCount: 0,
  name: deliverQueue,
  data: { deliveryId, attempt: 1 },
});

async function statusOf(deliveryId: string): Promise<string | undefined> {
  const [row] = await hp.db.query<{ status: string }>('select status from deliveries where id = $1', [deliveryId]);
  return row?.status;
}

/** Jobs queued for this delivery's attempt (taken off the queue: the test is their only reader). */
async function queuedAttempts(deliveryId: string): Promise<number[]> {
  const jobs = [];
  for (const name of [deliverQueue, slowQueue]) {
    jobs.push(...(await hp.queue.boss.fetch<{ deliveryId: string; attempt: number }>(name, { batchSize: 100 })));
  }
  return jobs.filter((j) => j.data.deliveryId === deliveryId).map((j) => j.data.attempt);
}

describe('parking a delivery whose endpoint is paused', () => {
  it('holds the delivery when the endpoint is still paused', async () => {
    const { deliveryId, setStatus } = await pendingDelivery();
    await setStatus('paused');
    await worker({}).attemptDelivery(firstAttempt(deliveryId));
    expect(await statusOf(deliveryId)).toBe('held');
  });

  it('does not leave it held when a resume commits between the load and the park', async () => {
    const { deliveryId, setStatus } = await pendingDelivery();
    await setStatus('paused');
    let resumed = false;
    // The worker has loaded the delivery and seen the endpoint paused; the resume commits now. It finds
    // no held delivery to queue, since this one is not parked yet.
    await worker({
      beforePark: async (id) => {
        if (id !== deliveryId) return;
        await setStatus('active');
        resumed = true;
      },
    }).attemptDelivery(firstAttempt(deliveryId));
    expect(resumed).toBe(true);
    // Still pending, with its attempt queued again (beside the original job, which no worker took here).
    expect(await statusOf(deliveryId)).toBe('pending');
    expect(await queuedAttempts(deliveryId)).toEqual([1, 1]);
  });
});
