import { describe, expect, it } from 'vitest';
import type { ApiResponse } from './support/harness.ts';
import { createToken } from './support/harness.ts';
import { expectInvalid, expectProblem, expectUnchanged } from './support/problem-assertions.ts';
import type { Endpoint, EndpointWithSecret, PageOf } from './support/types.ts';
import { vendorFixture } from './support/vendor-fixture.ts';

/*
 * Payload filters (docs/delivery.md, "Payload filters"): an endpoint with a filter gets deliveries of the
 * matching events only, and no delivery row at all for the others; the filter round-trips through create,
 * read, list and update (null clears it), test-filter evaluates one without storing anything, and every
 * invalid or oversized filter is a 422 naming its path. A compat surface never sees the filter and its
 * updates keep it. One server per file, with a Helpdesk tenant so the compat case can run on it too.
 */

const { t, api: helpdesk, tenant, kit } = await vendorFixture('helpdesk');

const bigTicket = { ticket: { priority: 'high', amount: 500, tags: ['vip'] } };
const smallTicket = { ticket: { priority: 'high', amount: 20, tags: [] } };
const lowTicket = { ticket: { priority: 'low', amount: 900, tags: ['vip'] } };
const urgentTicket = { ticket: { priority: 'urgent', amount: 101, tags: ['eu', 'vip'] } };

/** High or urgent priority and an amount above 100: nested form and a dotted path side by side. */
const priorityFilter = {
  data: { ticket: { priority: { $in: ['high', 'urgent'] } } },
  'data.ticket.amount': { $gt: 100 },
};

function createEndpoint(json: Record<string, unknown>): Promise<ApiResponse<EndpointWithSecret>> {
  return t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: 'https://example.com/hooks', eventTypes: ['ticket.*'], ...json },
  });
}

function updateEndpoint(id: string, json: Record<string, unknown>): Promise<ApiResponse<Endpoint>> {
  return t.api.patch<Endpoint>(`/v1/endpoints/${id}`, { token: tenant.token, json });
}

async function endpointRead(id: string): Promise<Endpoint> {
  const res = await t.api.get<Endpoint>(`/v1/endpoints/${id}`, { token: tenant.token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

function testFilter(json: unknown, token = tenant.token): Promise<ApiResponse<{ matches: boolean }>> {
  return t.api.post<{ matches: boolean }>('/v1/endpoints/test-filter', { token, json });
}

describe('delivering only matching events', () => {
  it('an endpoint with a filter gets deliveries of the matching events only; the others leave no row', async () => {
    const filtered = await kit.receiver();
    const everything = await kit.receiver();
    const withFilter = await kit.endpoint(filtered.url, { filter: priorityFilter });
    const without = await kit.endpoint(everything.url);

    const published = [];
    for (const data of [bigTicket, smallTicket, lowTicket, urgentTicket]) {
      published.push(await kit.accepted('ticket.created', data));
    }
    const [big, small, low, urgent] = published;
    if (!big || !small || !low || !urgent) throw new Error('four events were published');

    // Rows are written with the event, in its transaction: they are there as soon as it is accepted.
    for (const event of [small, low]) {
      expect(event.deliveryCount).toBe(1);
      expect((await kit.deliveriesOf(event.id)).map((d) => d.endpointId)).toEqual([without.id]);
    }
    for (const event of [big, urgent]) {
      expect(event.deliveryCount).toBe(2);
      expect((await kit.deliveriesOf(event.id)).map((d) => d.endpointId).sort()).toEqual(
        [withFilter.id, without.id].sort(),
      );
    }

    await everything.waitFor(4);
    const got = await filtered.waitFor(2);
    await kit.quiescent();
    // Nothing is pending any more, so nothing else can arrive: exactly the two matching events came.
    expect(filtered.received).toHaveLength(2);
    expect(got.map((r) => (JSON.parse(r.body) as { data: unknown }).data)).toEqual(
      expect.arrayContaining([bigTicket, urgentTicket]),
    );
    expect(await kit.listAll({ endpointId: withFilter.id })).toHaveLength(2);
  });

  it('a paused endpoint holds only the matching events, and a filter cleared with null lets everything in', async () => {
    const receiver = await kit.receiver();
    const endpoint = await kit.endpoint(receiver.url, {
      eventTypes: ['ticket.updated'],
      status: 'paused',
      filter: { 'data.ticket.tags': 'vip' },
    });
    const vip = await kit.accepted('ticket.updated', bigTicket);
    const plain = await kit.accepted('ticket.updated', smallTicket);
    expect((await kit.deliveriesOf(vip.id)).filter((d) => d.endpointId === endpoint.id)).toMatchObject([
      { status: 'held' },
    ]);
    expect((await kit.deliveriesOf(plain.id)).filter((d) => d.endpointId === endpoint.id)).toEqual([]);

    const cleared = await updateEndpoint(endpoint.id, { filter: null, status: 'active' });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.filter).toBeNull();
    const later = await kit.accepted('ticket.updated', smallTicket);
    await receiver.waitFor(2);
    expect((await kit.deliveriesOf(later.id)).map((d) => d.endpointId)).toContain(endpoint.id);
  });
});

describe('filter on the endpoint resource', () => {
  it('round-trips through create, get, list and update; {} is no filter; a PATCH without it keeps it', async () => {
    const created = await createEndpoint({ filter: priorityFilter });
    expect(created.status, created.text).toBe(201);
    expect(created.body.filter).toEqual(priorityFilter);
    expect((await endpointRead(created.body.id)).filter).toEqual(priorityFilter);
    const listed = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?limit=100', { token: tenant.token });
    expect(listed.body.data.find((e) => e.id === created.body.id)?.filter).toEqual(priorityFilter);

    const renamed = await updateEndpoint(created.body.id, { name: 'renamed' });
    expect(renamed.body.filter).toEqual(priorityFilter);
    const replaced = await updateEndpoint(created.body.id, { filter: { type: { $endsWith: '.created' } } });
    expect(replaced.body.filter).toEqual({ type: { $endsWith: '.created' } });
    const emptied = await updateEndpoint(created.body.id, { filter: {} });
    expect(emptied.body.filter).toBeNull();

    const plain = await createEndpoint({});
    expect(plain.body.filter).toBeNull();
    const empty = await createEndpoint({ filter: {} });
    expect(empty.body.filter).toBeNull();
  });

  it('refuses an invalid filter on create with a 422 naming its path, storing nothing', async () => {
    const res = await expectUnchanged(t, () =>
      createEndpoint({ filter: { data: { amount: { $gt: true } }, 'data.x': { $regex: 'a' } } }),
    );
    const problem = expectInvalid(res, 'filter.data.amount.$gt', 'filter.data.x.$regex');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: 'filter.data.amount.$gt', message: 'must be a number or a string', code: 'invalid_filter' },
        { path: 'filter.data.x.$regex', message: 'is not an operator', code: 'invalid_filter' },
      ]),
    );
  });

  it('refuses an invalid filter on update and keeps the one stored', async () => {
    const created = await createEndpoint({ filter: { type: 'ticket.created' } });
    const res = await expectUnchanged(t, () =>
      updateEndpoint(created.body.id, { filter: { $or: [{ type: 'a' }, { type: { $in: 'b' } }] } }),
    );
    expectInvalid(res, 'filter.$or.1.type.$in');
    expect((await endpointRead(created.body.id)).filter).toEqual({ type: 'ticket.created' });
  });

  it.each([
    ['more than 4 KiB of JSON', { 'data.a': { $in: Array.from({ length: 60 }, () => 'x'.repeat(70)) } }, 'filter'],
    ['more than 64 keys', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`data.k${i}`, i])), 'filter'],
    [
      'more than 10 levels',
      Array.from({ length: 10 }).reduce<Record<string, unknown>>((inner) => ({ $not: inner }), { type: 'x' }),
      `filter.${Array(10).fill('$not').join('.')}`,
    ],
    [
      'an $in of more than 64 values',
      { 'data.n': { $in: Array.from({ length: 65 }, (_, i) => i) } },
      'filter.data.n.$in',
    ],
    ['a string over 256 characters', { 'data.s': { $startsWith: 'x'.repeat(257) } }, 'filter.data.s.$startsWith'],
    ['a path of more than 16 steps', { [Array(17).fill('a').join('.')]: 1 }, `filter.${Array(17).fill('a').join('.')}`],
  ])('refuses a filter with %s (422 at %s)', async (_what, filter, path) => {
    const res = await expectUnchanged(t, () => createEndpoint({ filter }));
    const problem = expectInvalid(res, path);
    expect(problem.errors?.every((e) => e.code === 'invalid_filter')).toBe(true);
  });
});

describe('POST /v1/endpoints/test-filter', () => {
  const event = { type: 'ticket.created', data: bigTicket };

  it('answers whether the filter matches the event, storing nothing', async () => {
    const yes = await expectUnchanged(t, () => testFilter({ filter: priorityFilter, event }));
    expect(yes.status, yes.text).toBe(200);
    expect(yes.body).toEqual({ matches: true });
    const no = await testFilter({ filter: priorityFilter, event: { ...event, data: lowTicket } });
    expect(no.body).toEqual({ matches: false });
    const byType = await testFilter({ filter: { type: { $startsWith: 'ticket.' } }, event });
    expect(byType.body).toEqual({ matches: true });
    const empty = await testFilter({ filter: {}, event });
    expect(empty.body).toEqual({ matches: true });
  });

  it('answers 422 naming the path of what is wrong', async () => {
    const bad = await testFilter({ filter: { data: { amount: { $gt: [1] } } }, event });
    const problem = expectInvalid(bad, 'filter.data.amount.$gt');
    expect(problem.errors).toEqual([
      { path: 'filter.data.amount.$gt', message: 'must be a number or a string', code: 'invalid_filter' },
    ]);
    expectInvalid(await testFilter({ filter: { type: 'x' } }), 'event');
    expectInvalid(await testFilter({ filter: 'type = x', event }), 'filter');
  });

  it('needs endpoints:read', async () => {
    const reader = await createToken(t, tenant.id, ['endpoints:read']);
    expect((await testFilter({ filter: { type: 'x' }, event }, reader)).status).toBe(200);
    const publisher = await createToken(t, tenant.id, ['events:publish']);
    expectProblem(await testFilter({ filter: { type: 'x' }, event }, publisher), 'forbidden');
  });
});

describe('compat surfaces', () => {
  it('a Helpdesk webhook given a filter natively keeps it through a Helpdesk update, which never shows it', async () => {
    const created = await helpdesk.request<{ webhook: { id: string } }>('POST', '/helpdesk/api/v1/webhooks', {
      token: tenant.token,
      headers: { 'x-workspace-id': tenant.id },
      json: { webhook: { name: 'hd', targetUrl: 'https://example.com/hd-filter', events: ['ticket.created'] } },
    });
    expect(created.status, created.text).toBe(201);
    const listed = await t.api.get<PageOf<Endpoint>>('/v1/endpoints?profile=helpdesk&limit=100', {
      token: tenant.token,
    });
    const native = listed.body.data.find((e) => e.url === 'https://example.com/hd-filter');
    if (!native) throw new Error('the Helpdesk webhook is not listed natively');
    expect(native.filter).toBeNull();

    const given = await updateEndpoint(native.id, { filter: { 'data.ticket.priority': 'high' } });
    expect(given.status, given.text).toBe(200);
    const path = `/helpdesk/api/v1/webhooks/${created.body.webhook.id}`;
    const updated = await helpdesk.request<{ webhook: Record<string, unknown> }>('PUT', path, {
      token: tenant.token,
      headers: { 'x-workspace-id': tenant.id },
      json: { webhook: { name: 'renamed', events: ['ticket.created', 'ticket.updated'], active: true } },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.webhook).not.toHaveProperty('filter');
    expect((await endpointRead(native.id)).filter).toEqual({ 'data.ticket.priority': 'high' });

    const published = await kit.accepted('ticket.created', lowTicket);
    const rows = await kit.deliveriesOf(published.id);
    expect(rows.map((d) => d.endpointId)).not.toContain(native.id);
  });
});
