import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, DeliveryKit, type EventBody } from './support/delivery.ts';
import { type ApiResponse, createTenant, startHookport, type TestHookport } from './support/harness.ts';
import type { EndpointWithSecret, PageOf, Problem } from './support/types.ts';

/**
 * GET /v1/deliveries: every filter and the cursor, over a known set of
 * deliveries. Three endpoints answer 204, 404 and 503; a one-step, immediate
 * retry schedule settles the failing ones at once.
 */

let t: TestHookport;
let kit: DeliveryKit;
let ok: EndpointWithSecret;
let notFound: EndpointWithSecret;
let unavailable: EndpointWithSecret;
/** e1 (ticket.created), then after it settled e2 (ticket.updated) and e3 (ticket.created). */
let events: EventBody[];
let all: Delivery[];

beforeAll(async () => {
  t = await startHookport({ HOOKPORT_RETRY_SCHEDULE: '0' });
  kit = new DeliveryKit(t, await createTenant(t));
  const answering = (status: number) =>
    kit.receiver((_req, _n, res) => {
      res.writeHead(status).end();
    });
  ok = await kit.endpoint((await answering(204)).url);
  notFound = await kit.endpoint((await answering(404)).url);
  unavailable = await kit.endpoint((await answering(503)).url);
  const e1 = await kit.accepted('ticket.created', { n: 1 });
  await kit.quiescent();
  const e2 = await kit.accepted('ticket.updated', { n: 2 });
  const e3 = await kit.accepted('ticket.created', { n: 3 });
  await kit.quiescent();
  events = [e1, e2, e3];
  all = await kit.listAll();
});
afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function list(query: Record<string, string>): Promise<Delivery[]> {
  const res = await t.api.get<PageOf<Delivery>>(`/v1/deliveries?${new URLSearchParams({ limit: '100', ...query })}`, {
    token: kit.tenant.token,
  });
  expect(res.status).toBe(200);
  return res.body.data;
}

function idsOf(ds: readonly Delivery[]): string[] {
  return ds.map((d) => d.id).sort();
}

function eventAt(i: number): EventBody {
  const e = events[i];
  if (!e) throw new Error(`no event ${i}`);
  return e;
}

describe('GET /v1/deliveries', () => {
  it('has one delivery per event and endpoint, newest first', () => {
    expect(all).toHaveLength(9);
    expect(all.map((d) => d.id)).toEqual([...all.map((d) => d.id)].sort().reverse());
    expect(all.filter((d) => d.endpointId === ok.id).every((d) => d.status === 'succeeded')).toBe(true);
    expect(all.filter((d) => d.endpointId !== ok.id).every((d) => d.status === 'failed')).toBe(true);
  });

  it('filters by endpointId', async () => {
    const got = await list({ endpointId: notFound.id });
    expect(got).toHaveLength(3);
    expect(got.every((d) => d.endpointId === notFound.id)).toBe(true);
  });

  it('filters by eventType', async () => {
    const got = await list({ eventType: 'ticket.updated' });
    expect(got).toHaveLength(3);
    expect(got.every((d) => d.eventId === eventAt(1).id && d.eventType === 'ticket.updated')).toBe(true);
  });

  it('filters by eventId: where one event went, one delivery per subscribed endpoint', async () => {
    const got = await list({ eventId: eventAt(2).id });
    expect(got).toHaveLength(3);
    expect(got.every((d) => d.eventId === eventAt(2).id)).toBe(true);
    expect(got.map((d) => d.endpointId).sort()).toEqual([ok.id, notFound.id, unavailable.id].sort());
  });

  it('refuses an eventId that is not an event id with 422 naming it', async () => {
    const res = await t.api.get<Problem>(`/v1/deliveries?eventId=${ok.id}`, { token: kit.tenant.token });
    expect(res.status).toBe(422);
    expect(res.body.errors?.[0]?.path).toBe('eventId');
  });

  it('filters by status', async () => {
    expect(idsOf(await list({ status: 'succeeded' }))).toEqual(idsOf(all.filter((d) => d.endpointId === ok.id)));
    expect(idsOf(await list({ status: 'failed' }))).toEqual(idsOf(all.filter((d) => d.endpointId !== ok.id)));
    expect(await list({ status: 'held' })).toEqual([]);
  });

  it('filters by the class of the last HTTP status', async () => {
    const byEndpoint = (ep: EndpointWithSecret) => idsOf(all.filter((d) => d.endpointId === ep.id));
    expect(idsOf(await list({ httpStatusClass: '2xx' }))).toEqual(byEndpoint(ok));
    expect(idsOf(await list({ httpStatusClass: '4xx' }))).toEqual(byEndpoint(notFound));
    expect(idsOf(await list({ httpStatusClass: '5xx' }))).toEqual(byEndpoint(unavailable));
    expect(await list({ httpStatusClass: '3xx' })).toEqual([]);
    expect((await list({ httpStatusClass: '5xx' })).every((d) => d.lastHttpStatus === 503)).toBe(true);
  });

  it('filters by creation time: since is inclusive, until exclusive', async () => {
    const boundary = eventAt(1).createdAt;
    const later = all.filter((d) => d.eventId !== eventAt(0).id);
    const earlier = all.filter((d) => d.eventId === eventAt(0).id);
    expect(idsOf(await list({ since: boundary }))).toEqual(idsOf(later));
    expect(idsOf(await list({ until: boundary }))).toEqual(idsOf(earlier));
    expect(await list({ since: boundary, until: boundary })).toEqual([]);
  });

  it('combines filters', async () => {
    const got = await list({ endpointId: unavailable.id, eventType: 'ticket.created', status: 'failed' });
    expect(idsOf(got)).toEqual(
      idsOf(all.filter((d) => d.endpointId === unavailable.id && d.eventType === 'ticket.created')),
    );
    expect(got).toHaveLength(2);
  });

  it('pages with the cursor through every delivery exactly once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: '2', ...(cursor ? { cursor } : {}) });
      const res: ApiResponse<PageOf<Delivery>> = await t.api.get<PageOf<Delivery>>(`/v1/deliveries?${query}`, {
        token: kit.tenant.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((d) => d.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(seen).toEqual(all.map((d) => d.id));
  });

  it('pages within a filter', async () => {
    const first = await t.api.get<PageOf<Delivery>>('/v1/deliveries?status=failed&limit=4', {
      token: kit.tenant.token,
    });
    expect(first.body.data).toHaveLength(4);
    const cursor = first.body.nextCursor;
    if (!cursor) throw new Error('expected a second page');
    const second = await t.api.get<PageOf<Delivery>>(
      `/v1/deliveries?status=failed&limit=4&cursor=${encodeURIComponent(cursor)}`,
      { token: kit.tenant.token },
    );
    expect(second.body.data).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    expect(idsOf([...first.body.data, ...second.body.data])).toEqual(idsOf(all.filter((d) => d.status === 'failed')));
  });

  it('refuses a cursor it did not issue with 422', async () => {
    const res = await t.api.get<Problem>('/v1/deliveries?cursor=bm90LWEtY3Vyc29y', { token: kit.tenant.token });
    expect(res.status).toBe(422);
    expect(res.body.errors?.[0]?.path).toBe('cursor');
  });
});
