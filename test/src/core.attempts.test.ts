import type { AttemptView, CorePort } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit, type EventBody } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import type { EndpointWithSecret } from './support/types.ts';

/**
 * The port's numbered listings that vendor surfaces build on: attempts with
 * every filter, offset and total; endpoints by profile with offset and total.
 * Two endpoints answer 204 and 500; a one-step immediate retry gives the
 * failing one two attempts per event.
 */

let t: TestHookport;
let core: CorePort;
let kit: DeliveryKit;
let tenantId: string;
let ok: EndpointWithSecret;
let failing: EndpointWithSecret;
let created: EventBody;
let updated: EventBody;
let all: AttemptView[];
let firstBatchEnd: Date;

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '0' });
  core = t.hp.core;
  const tenant = await createTenant(t);
  tenantId = uuidOf(tenant.id);
  kit = new DeliveryKit(t, tenant);
  const answering = (status: number) =>
    kit.receiver((_req, _n, res) => {
      res.writeHead(status).end();
    });
  ok = await kit.endpoint((await answering(204)).url);
  failing = await kit.endpoint((await answering(500)).url);
  created = await kit.accepted('ticket.created', { n: 1 });
  await kit.quiescent();
  firstBatchEnd = new Date();
  updated = await kit.accepted('ticket.updated', { n: 2 });
  await kit.quiescent();
  all = (await core.attempts.list(tenantId, { offset: 0, limit: 100 })).items;
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const list = (f: Partial<Parameters<CorePort['attempts']['list']>[1]>) =>
  core.attempts.list(tenantId, { offset: 0, limit: 100, ...f });

describe('attempts.list', () => {
  it('lists every attempt newest first, with its delivery facts', () => {
    // ok: one attempt per event; failing: two per event (the first and its one retry).
    expect(all).toHaveLength(6);
    const times = all.map((a) => a.startedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const a of all) {
      expect([uuidOf(ok.id), uuidOf(failing.id)]).toContain(a.endpointId);
      expect([uuidOf(created.id), uuidOf(updated.id)]).toContain(a.eventId);
      expect(a.eventType).toBe(a.eventId === uuidOf(created.id) ? 'ticket.created' : 'ticket.updated');
      expect(a.deliveryStatus).toBe(a.endpointId === uuidOf(ok.id) ? 'succeeded' : 'failed');
      // The event and delivery facts come with it, so surfaces render a page in one read.
      expect(a.eventData).toEqual({ n: a.eventType === 'ticket.created' ? 1 : 2 });
      expect(a.eventCreatedAt.toISOString()).toBe(
        a.eventType === 'ticket.created' ? created.createdAt : updated.createdAt,
      );
      expect(a.deliveryLastHttpStatus).toBe(a.endpointId === uuidOf(ok.id) ? 204 : 500);
      expect(a.deliveryCreatedAt.getTime()).toBeLessThanOrEqual(a.startedAt.getTime());
      expect(a.deliveryUpdatedAt.getTime()).toBeGreaterThanOrEqual(a.deliveryCreatedAt.getTime());
    }
  });

  it('filters by endpoints and event types (any of several)', async () => {
    const byFailing = await list({ endpointIds: [uuidOf(failing.id)] });
    expect(byFailing.total).toBe(4);
    expect(byFailing.items.every((a) => a.endpointId === uuidOf(failing.id))).toBe(true);
    expect((await list({ endpointIds: [uuidOf(failing.id), uuidOf(ok.id)] })).total).toBe(6);
    const byType = await list({ eventTypes: ['ticket.updated'] });
    expect(byType.total).toBe(3);
    expect(byType.items.every((a) => a.eventType === 'ticket.updated')).toBe(true);
    expect((await list({ eventTypes: ['ticket.updated', 'ticket.created'] })).total).toBe(6);
    expect((await list({ eventTypes: ['ticket.deleted'] })).total).toBe(0);
  });

  it('filters by success and by status class', async () => {
    const succeeded = await list({ succeeded: true });
    expect(succeeded.items.map((a) => a.httpStatus)).toEqual([204, 204]);
    const failed = await list({ succeeded: false });
    expect(failed.total).toBe(4);
    expect(failed.items.every((a) => a.httpStatus === 500 && a.errorKind === 'http_status')).toBe(true);
    expect((await list({ httpStatusClass: '5xx' })).total).toBe(4);
    expect((await list({ httpStatusClass: '2xx' })).total).toBe(2);
    expect((await list({ httpStatusClass: '4xx' })).total).toBe(0);
  });

  it('filters by time', async () => {
    const before = await list({ until: firstBatchEnd });
    expect(before.total).toBe(3);
    expect(before.items.every((a) => a.eventType === 'ticket.created')).toBe(true);
    const after = await list({ since: firstBatchEnd });
    expect(after.total).toBe(3);
    expect(after.items.every((a) => a.eventType === 'ticket.updated')).toBe(true);
  });

  it('searches ids and status codes by substring', async () => {
    const one = all[0];
    if (!one) throw new Error('no attempts');
    expect((await list({ query: one.id.slice(-12) })).items.map((a) => a.id)).toEqual([one.id]);
    expect((await list({ query: one.id.slice(-12).toUpperCase() })).items.map((a) => a.id)).toEqual([one.id]);
    const ofEvent = await list({ query: uuidOf(updated.id) });
    expect(ofEvent.total).toBe(3);
    // A status code: the four attempts answered 500, plus any whose ids happen to hold "500" (random hex).
    const idsHold = (a: AttemptView) => [a.id, a.deliveryId, a.eventId].some((id) => id.includes('500'));
    const by500 = await list({ query: '500' });
    const answered500 = all.filter((a) => a.httpStatus === 500).map((a) => a.id);
    expect(answered500).toHaveLength(4);
    expect(by500.items.map((a) => a.id)).toEqual(expect.arrayContaining(answered500));
    expect(by500.items.every((a) => a.httpStatus === 500 || idsHold(a))).toBe(true);
    expect(by500.total).toBe(all.filter((a) => a.httpStatus === 500 || idsHold(a)).length);
    expect((await list({ query: 'no-such-thing' })).total).toBe(0);
  });

  it('pages by offset with the total on every page, past the end too', async () => {
    const first = await list({ offset: 0, limit: 4 });
    const second = await list({ offset: 4, limit: 4 });
    expect(first.total).toBe(6);
    expect(second.total).toBe(6);
    expect([...first.items, ...second.items].map((a) => a.id)).toEqual(all.map((a) => a.id));
    const beyond = await list({ offset: 50, limit: 4 });
    expect(beyond).toEqual({ items: [], total: 6 });
  });

  it('gets one attempt by id, for its tenant only', async () => {
    const one = all[0];
    if (!one) throw new Error('no attempts');
    expect(await core.attempts.get(tenantId, one.id)).toEqual(one);
    const other = uuidOf((await createTenant(t)).id);
    await expect(core.attempts.get(other, one.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(core.attempts.get(tenantId, 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
    expect((await core.attempts.list(other, { offset: 0, limit: 10 })).total).toBe(0);
  });
});

describe('endpoints.listNumbered', () => {
  it('pages endpoints oldest first (or newest first) with the total, filtered by profile', async () => {
    const xpath = await kit.endpoint('http://127.0.0.1:9/x', { profile: 'xpath' });
    const asc = await core.endpoints.listNumbered(tenantId, { offset: 0, limit: 2 });
    expect(asc.total).toBe(3);
    expect(asc.items.map((e) => e.id)).toEqual([uuidOf(ok.id), uuidOf(failing.id)]);
    const desc = await core.endpoints.listNumbered(tenantId, { offset: 0, limit: 1, order: 'desc' });
    expect(desc.items.map((e) => e.id)).toEqual([uuidOf(xpath.id)]);
    const onlyXpath = await core.endpoints.listNumbered(tenantId, { offset: 0, limit: 10, profile: 'xpath' });
    expect(onlyXpath).toMatchObject({ total: 1, items: [{ id: uuidOf(xpath.id), profile: 'xpath' }] });
    expect(await core.endpoints.listNumbered(tenantId, { offset: 10, limit: 10 })).toEqual({ items: [], total: 3 });
  });
});
