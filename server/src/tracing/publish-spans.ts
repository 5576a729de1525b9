import { CoreError, toTypeId } from '@hookport/spec';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import type { Tracing } from './tracing.ts';

/**
 * The store core publishes through, with one PRODUCER span per stored event: a child of the active
 * span (the API request's), with the event type, id and delivery count. The span's W3C traceparent is
 * stored with the event (events.traceparent), so each delivery attempt, whenever it runs and in
 * whichever process, joins this trace (attempt-spans.ts). Used only when tracing is on: off, core gets
 * the store itself and the column stays null.
 */
export function tracedPublishes(store: DeliveryStore, { tracer, propagator }: Tracing): DeliveryStore {
  // Without storeLoneEvent, every publish goes through storeEvent below and gets its span: a publish
  // nobody subscribes to pays for its transaction while tracing is on.
  const { storeLoneEvent: _, ...untraced } = store;
  return {
    ...untraced,
    async storeEvent(q, tenantId, event, options) {
      const span = tracer.startSpan('publish', {
        kind: SpanKind.PRODUCER,
        attributes: { 'hookport.event.type': event.type, 'hookport.tenant.id': toTypeId('tenant', tenantId) },
      });
      const carrier: { traceparent?: string } = {};
      propagator.inject(trace.setSpan(context.active(), span), carrier, {
        set: (c, key, value) => {
          if (key === 'traceparent') c.traceparent = value;
        },
      });
      try {
        const stored = await store.storeEvent(q, tenantId, { ...event, traceparent: carrier.traceparent }, options);
        span.setAttributes({
          'hookport.event.id': toTypeId('event', stored.event.id),
          'hookport.delivery.count': stored.deliveryIds.length,
        });
        return stored;
      } catch (err) {
        // A refusal (an unknown type, a schema mismatch) is the caller's mistake, named but not an error
        // of ours; anything else marks the span failed.
        if (err instanceof CoreError) span.setAttribute('hookport.refusal', err.code);
        else span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  };
}
