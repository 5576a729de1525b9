import { fromTypeId } from '@hookport/spec';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryKit } from './support/delivery.ts';
import { createTenant, startHookport, type TestHookport } from './support/harness.ts';
import { until } from './support/until.ts';

/**
 * Tracing (docs/tracing.md) on the real server and worker, with an in-memory exporter injected: a
 * request continues the caller's trace, the publish is its child, and each delivery attempt, retries
 * included, is a CLIENT span in that same trace whose traceparent the receiver is sent. A second
 * Hookport without tracing, in the same process, sends no traceparent and stores none.
 */

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';
const incoming = `00-${traceId}-${callerSpanId}-01`;

let exporter: InMemorySpanExporter;
let traced: TestHookport;
let kit: DeliveryKit;
let untraced: TestHookport;
let plainKit: DeliveryKit;

// Two servers start side by side: on a loaded machine one start alone can take most of a hook's default timeout.
beforeAll(async () => {
  exporter = new InMemorySpanExporter();
  // One retry, a second after the first attempt: the failing-then-succeeding receiver below.
  [traced, untraced] = await Promise.all([
    startHookport({ HOOKPORT_RETRY_SCHEDULE: '1' }, 'all', { spanExporter: exporter }),
    startHookport(),
  ]);
  kit = new DeliveryKit(traced, await createTenant(traced));
  plainKit = new DeliveryKit(untraced, await createTenant(untraced));
}, 180_000);
afterAll(async () => {
  await kit?.close();
  await plainKit?.close();
  await traced?.close();
  await untraced?.close();
});

const spans = () => exporter.getFinishedSpans();

function spanWaiting(what: string, match: (s: ReadableSpan) => boolean): Promise<ReadableSpan> {
  return until(what, async () => spans().find(match));
}

/** The stored traceparent of an event, by its public id. */
async function storedTraceparent(t: TestHookport, eventId: string): Promise<string | null> {
  const uuid = fromTypeId('event', eventId);
  const [row] = await t.hp.db.query<{ traceparent: string | null }>('select traceparent from events where id = $1', [
    uuid,
  ]);
  if (!row) throw new Error(`event ${eventId} not stored`);
  return row.traceparent;
}

describe('with tracing on', () => {
  it('continues the caller trace through the publish to every attempt, retries included', async () => {
    const receiver = await kit.receiver((_req, n, res) => {
      res.writeHead(n === 1 ? 500 : 200).end();
    });
    // A token in the URL's query, as many receivers take one: spans name the host, never the URL.
    const ep = await kit.endpoint(`${receiver.url}?key=url-secret-4711`, { eventTypes: ['ticket.created'] });
    const res = await kit.publish('ticket.created', { n: 1 }, { traceparent: incoming });
    expect(res.status).toBe(202);
    const eventId = res.body.id;

    // The request span: a SERVER span continuing the caller's trace, named by its route template.
    const request = await spanWaiting(
      'the request span of the publish',
      (s) => s.kind === SpanKind.SERVER && s.parentSpanContext?.spanId === callerSpanId,
    );
    expect(request.spanContext().traceId).toBe(traceId);
    expect(request.name).toBe('POST /v1/events');
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/events',
      'http.response.status_code': 202,
    });

    // The publish span: its child, with the event's type, id and delivery count.
    const publish = await spanWaiting(
      'the publish span',
      (s) => s.kind === SpanKind.PRODUCER && s.attributes['hookport.event.id'] === eventId,
    );
    expect(publish.spanContext().traceId).toBe(traceId);
    expect(publish.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(publish.attributes).toMatchObject({ 'hookport.event.type': 'ticket.created', 'hookport.delivery.count': 1 });
    // The publish span's context is stored with the event, for attempts made later.
    expect(await storedTraceparent(traced, eventId)).toBe(`00-${traceId}-${publish.spanContext().spanId}-01`);

    // Two attempts (500, then 200 on the retry): two CLIENT spans, children of the publish, same trace.
    const delivery = await kit.deliveryOf(eventId, ep.id);
    await kit.settled(delivery.id, 'succeeded');
    const attempts = await until('two attempt spans', async () => {
      const found = spans().filter(
        (s) => s.kind === SpanKind.CLIENT && s.attributes['hookport.delivery.id'] === delivery.id,
      );
      return found.length === 2 ? found : undefined;
    });
    attempts.sort(
      (a, b) => Number(a.attributes['hookport.attempt.number']) - Number(b.attributes['hookport.attempt.number']),
    );
    const [first, second] = attempts as [ReadableSpan, ReadableSpan];
    for (const span of attempts) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
      expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': '127.0.0.1' });
    }
    expect(first.attributes).toMatchObject({
      'hookport.attempt.number': 1,
      'http.response.status_code': 500,
      'error.type': '500',
      'hookport.attempt.error_kind': 'http_status',
    });
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes).toMatchObject({ 'hookport.attempt.number': 2, 'http.response.status_code': 200 });
    expect(second.attributes['error.type']).toBeUndefined();
    expect(second.status.code).not.toBe(SpanStatusCode.ERROR);

    // Nothing secret in any span: not the URL's token, not the API token, not the event's data.
    const recorded = JSON.stringify(spans().map((s) => [s.name, s.attributes]));
    expect(recorded).not.toContain('url-secret-4711');
    expect(recorded).not.toContain(kit.tenant.token);
    expect(recorded).not.toContain('"n":1');

    // The receiver saw each attempt's own span as the parent: the trace continues on its side.
    const received = await receiver.waitFor(2);
    expect(received.map((r) => r.headers.traceparent)).toEqual([
      `00-${traceId}-${first.spanContext().spanId}-01`,
      `00-${traceId}-${second.spanContext().spanId}-01`,
    ]);
  });

  it('starts a trace of its own for a request without traceparent, and names unknown routes by method only', async () => {
    const res = await traced.raw.get('/v1/no-such-thing', {
      token: kit.tenant.token,
      headers: { 'x-request-id': 'tracing-unknown-route' },
    });
    expect(res.status).toBe(404);
    const span = await spanWaiting(
      'the span of the unknown route',
      (s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === '/v1/no-such-thing',
    );
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(404);
    // A 4xx is the caller's: the server span is not an error.
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('refuses traceparent and tracestate as custom headers, in any case', async () => {
    for (const name of ['traceparent', 'TraceState']) {
      const res = await traced.api.post<{ errors: { path: string }[] }>('/v1/endpoints', {
        token: kit.tenant.token,
        json: { url: 'http://127.0.0.1:9/hook', eventTypes: ['ticket.created'], headers: { [name]: 'x' } },
      });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e) => e.path)).toEqual([`headers.${name}`]);
    }
  });

  it('keeps the custom headers an endpoint sends beside the traceparent', async () => {
    const receiver = await kit.receiver();
    await kit.endpoint(receiver.url, { eventTypes: ['ticket.updated'], headers: { 'X-Team': 'billing' } });
    await kit.accepted('ticket.updated', { n: 2 });
    const [got] = await receiver.waitFor(1);
    expect(got?.headers['x-team']).toBe('billing');
    expect(got?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(got?.headers['webhook-signature']).toBeDefined();
  });
});

describe('with tracing off', () => {
  it('sends no traceparent and stores none, even when the publisher sent one', async () => {
    const receiver = await plainKit.receiver();
    await plainKit.endpoint(receiver.url, { eventTypes: ['ticket.created'] });
    const res = await plainKit.publish('ticket.created', { n: 3 }, { traceparent: incoming });
    expect(res.status).toBe(202);
    const [got] = await receiver.waitFor(1);
    expect(got?.headers.traceparent).toBeUndefined();
    expect(got?.headers.tracestate).toBeUndefined();
    expect(await storedTraceparent(untraced, res.body.id)).toBeNull();
    expect(untraced.hp.tracing).toBeUndefined();
  });
});
