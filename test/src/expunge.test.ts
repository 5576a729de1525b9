import { fromTypeId } from '@hookport/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryKit, type EventBody } from './support/delivery.ts';
import { createTenant, createToken, startHookport, vendorApi } from './support/harness.ts';
import { expectProblem } from './support/problem-assertions.ts';
import { until } from './support/until.ts';

/**
 * DELETE /v1/events/{id}/content (docs/api.md, "Expunging an event's content"): the payload and the
 * response bodies its attempts stored are gone from the database, the event, its deliveries and attempts
 * stay, marked expunged; an unfinished delivery is failed and never sent; redeliver is a 409
 * `event_expunged`; the vendor surfaces still read the event's deliveries, in their own shape.
 */

const t = await startHookport();
const fx = await createTenant(t, { presets: ['helpdesk', 'spedy', 'tsanet', 'rapidly'] });
const kit = new DeliveryKit(t, fx);
afterAll(async () => {
  await kit.close();
  const errorLines = t.logs.filter((line) => line.includes('"level":50'));
  await t.close();
  expect(errorLines).toEqual([]);
});

const payloadSecret = 'payload-s3cr3t';
const responseSecret = 'response-s3cr3t';
const vendors = ['spedy', 'tsanet', 'rapidly'] as const;

const receiver = await kit.receiver((_req, _n, res) => res.writeHead(200).end(`{"echo":"${responseSecret}"}`));
const native = await kit.endpoint(receiver.url, { eventTypes: ['ticket.created'] });
for (const profile of vendors) await kit.endpoint(receiver.url, { eventTypes: ['ticket.created'], profile });
// A paused endpoint: its delivery is held when the content is expunged.
const pausedReceiver = await kit.receiver();
const paused = await kit.endpoint(pausedReceiver.url, { eventTypes: ['ticket.created'] });
await kit.setStatus(paused.id, 'paused');

/** An event delivered to the four active endpoints (native and three vendors) and held for the paused one. */
async function deliveredEvent(key?: string): Promise<EventBody> {
  const res = await kit.publish('ticket.created', { secret: payloadSecret }, key ? { 'idempotency-key': key } : {});
  expect(res.status, res.text).toBe(202);
  const event = res.body;
  await until('every delivery of the event settled', async () => {
    const all = await kit.deliveriesOf(event.id);
    const done = all.filter((d) => d.status === 'succeeded').length === 4 && all.some((d) => d.status === 'held');
    return done ? all : undefined;
  });
  return event;
}

function expunge(id: string, token = fx.token) {
  return t.api.delete<EventBody>(`/v1/events/${id}/content`, { token });
}

/** The stored rows of the event, its deliveries and attempts, as text: what a database dump would show. */
async function storedText(eventTypeId: string): Promise<string> {
  const id = fromTypeId('event', eventTypeId);
  const rows = await t.hp.db.query(
    `select row_to_json(e)::text as event,
       (select json_agg(row_to_json(a))::text from attempts a join deliveries d on d.id = a.delivery_id
        where d.event_id = e.id) as attempts
     from events e where e.id = $1`,
    [id],
  );
  return JSON.stringify(rows);
}

describe('DELETE /v1/events/{id}/content', () => {
  it('erases the payload and the attempts’ response bodies in the database; the records stay', async () => {
    const event = await deliveredEvent('expunge-key');
    expect(await storedText(event.id)).toContain(payloadSecret);
    expect(await storedText(event.id)).toContain(responseSecret);

    const res = await expunge(event.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: event.id, type: 'ticket.created', data: null, deliveryCount: 5 });
    expect(res.body.expungedAt).toEqual(expect.any(String));

    const stored = await storedText(event.id);
    expect(stored).not.toContain(payloadSecret);
    expect(stored).not.toContain(responseSecret);
    const [row] = await t.hp.db.query<{
      data: unknown;
      request_hash: string | null;
      excerpts: number;
      attempts: number;
    }>(
      `select e.data, e.request_hash,
         (select count(a.response_excerpt)::integer from attempts a join deliveries d on d.id = a.delivery_id
          where d.event_id = e.id) as excerpts,
         (select count(*)::integer from attempts a join deliveries d on d.id = a.delivery_id
          where d.event_id = e.id) as attempts
       from events e where e.id = $1`,
      [fromTypeId('event', event.id)],
    );
    expect(row).toEqual({ data: {}, request_hash: null, excerpts: 0, attempts: 4 });

    // Reads show it expunged, with its deliveries and attempts.
    const read = await t.api.get<EventBody>(`/v1/events/${event.id}`, { token: fx.token });
    expect(read.body).toEqual(res.body);
    const deliveries = await kit.deliveriesOf(event.id);
    expect(deliveries).toHaveLength(5);
    const delivered = await kit.delivery((await kit.deliveryOf(event.id, native.id)).id);
    expect(delivered.status).toBe('succeeded');
    expect(delivered.attempts).toHaveLength(1);
    expect(delivered.attempts[0]).toMatchObject({ httpStatus: 200, responseExcerpt: null, responseTruncated: false });

    // Again: nothing changes, the first expunge's time stays.
    const again = await expunge(event.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);

    // The Idempotency-Key of an expunged event cannot replay it.
    const replay = await kit.publish('ticket.created', { secret: payloadSecret }, { 'idempotency-key': 'expunge-key' });
    expectProblem(replay, 'event_expunged');
  });

  it('fails a held delivery, which is not sent when its endpoint resumes; redeliver is a 409 event_expunged', async () => {
    const event = await deliveredEvent();
    expect((await expunge(event.id)).status).toBe(200);
    const held = await kit.deliveryOf(event.id, paused.id);
    expect(held).toMatchObject({ status: 'failed', lastError: 'Not sent: the event content was expunged.' });

    const redeliver = await t.api.post(`/v1/deliveries/${held.id}/redeliver`, { token: fx.token });
    expectProblem(redeliver, 'event_expunged');
    const succeeded = await kit.deliveryOf(event.id, native.id);
    expectProblem(await t.api.post(`/v1/deliveries/${succeeded.id}/redeliver`, { token: fx.token }), 'event_expunged');

    // Resume and recover: a later event reaches the endpoint; the expunged one never does.
    const before = pausedReceiver.received.length;
    await kit.setStatus(paused.id, 'active');
    const recovered = await t.api.post<{ recovered: number }>(`/v1/endpoints/${paused.id}/recover`, {
      token: fx.token,
      json: { since: new Date(Date.now() - 3_600_000).toISOString() },
    });
    expect(recovered.status, recovered.text).toBe(202);
    const later = await kit.accepted('ticket.created', { n: 'later' });
    await kit.settled((await kit.deliveryOf(later.id, paused.id)).id, 'succeeded');
    const sent = pausedReceiver.received.slice(before).map((r) => JSON.parse(r.body) as { id?: string });
    expect(sent.map((p) => p.id)).not.toContain(event.id);
    expect((await kit.deliveryOf(event.id, paused.id)).status).toBe('failed');
    await kit.setStatus(paused.id, 'paused');
  });

  it('is 404 for another tenant’s event, and needs deliveries:write', async () => {
    const event = await deliveredEvent();
    const other = await createTenant(t);
    expectProblem(await expunge(event.id, other.token), 'not_found');
    const publishOnly = await createToken(t, fx.id, ['events:publish', 'deliveries:read']);
    expectProblem(await expunge(event.id, publishOnly), 'forbidden');
    const writer = await createToken(t, fx.id, ['deliveries:write']);
    expect((await expunge(event.id, writer)).status).toBe(200);
    // Unknown ids are 404, like any id that names nothing.
    expectProblem(await expunge('evt_01jbz8c1x9f8r5m6w0q2v3t4yz'), 'not_found');
  });
});

describe('the vendor surfaces read an expunged event’s deliveries', () => {
  it('Spedy, TSANet and Rapidly answer 2xx in their own shape, without the erased content', async () => {
    await deliveredEvent();
    // Every event of the tenant, so that no log entry may show the content.
    const events = await t.api.get<{ data: EventBody[] }>('/v1/events?limit=100', { token: fx.token });
    for (const e of events.body.data) expect((await expunge(e.id)).status).toBe(200);
    const endpointOf = async (profile: string) => {
      const res = await t.api.get<{ data: { id: string; profile: string }[] }>('/v1/endpoints?limit=100', {
        token: fx.token,
      });
      const found = res.body.data.find((e) => e.profile === profile);
      if (!found) throw new Error(`no ${profile} endpoint`);
      return found.id;
    };

    const spedy = vendorApi(t, 'spedy');
    const spedyId = `wh_${(await endpointOf('spedy')).slice('ep_'.length).toUpperCase()}`;
    const spedyLog = await spedy.get(`/api/v1/webhook-endpoints/${spedyId}/deliveries`, { token: fx.token });
    expect(spedyLog.status, spedyLog.text).toBe(200);

    const tsanet = vendorApi(t, 'tsanet');
    const subscriptions = await tsanet.get<{ id: number }[]>('/v1/webhooks', { token: fx.token });
    expect(subscriptions.status, subscriptions.text).toBe(200);
    const [subscription] = subscriptions.body;
    if (!subscription) throw new Error('no TSANet subscription');
    const tsanetLog = await tsanet.get(`/v1/webhooks/${subscription.id}/deliveries`, { token: fx.token });
    expect(tsanetLog.status, tsanetLog.text).toBe(200);

    const rapidly = vendorApi(t, 'rapidly');
    const rapidlyLog = await rapidly.get('/api/webhooks/deliveries', { token: fx.token });
    expect(rapidlyLog.status, rapidlyLog.text).toBe(200);

    for (const log of [spedyLog, tsanetLog, rapidlyLog]) {
      expect(log.text).not.toContain(payloadSecret);
      expect(log.text).not.toContain(responseSecret);
    }
  });
});
