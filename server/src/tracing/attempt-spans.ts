import { toTypeId } from '@hookport/spec';
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SendResult } from '../delivery/sender.ts';
import type { Tracing } from './tracing.ts';

/** What an attempt span needs of the attempt's context (delivery/context.ts). */
export interface AttemptOfEvent {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  url: string;
  /** The publish span's traceparent, stored with the event; null when tracing was off at publish. */
  traceparent: string | null;
}

export interface AttemptSpan {
  /**
   * The headers to send: the endpoint's custom headers with this attempt's `traceparent` set, replacing
   * any trace-context header an endpoint stored before those names were reserved (whatever its case).
   */
  headers(custom: Record<string, string>): Record<string, string>;
  /** Ends the span with the attempt's answer or failure. */
  end(result: SendResult): void;
}

const traceHeaders = new Set(['traceparent', 'tracestate']);

function hostOf(url: string): { host: string; port: number | undefined } {
  const u = new URL(url);
  const port = u.port === '' ? undefined : Number(u.port);
  return { host: u.hostname, port };
}

/**
 * One CLIENT span per delivery attempt, a child of the publish span whose traceparent the event
 * carries, so a retry hours later is still in the trace of its publish. An event published while
 * tracing was off starts a trace of its own. The receiver is sent the attempt span's traceparent.
 * The URL itself is not recorded (webhook URLs often carry a token in their query); its host is.
 */
export function startAttemptSpan({ tracer, propagator }: Tracing, ctx: AttemptOfEvent, attempt: number): AttemptSpan {
  const parent =
    ctx.traceparent === null
      ? ROOT_CONTEXT
      : propagator.extract(
          ROOT_CONTEXT,
          { traceparent: ctx.traceparent },
          {
            keys: (c) => Object.keys(c),
            get: (c, key) => (key === 'traceparent' ? c.traceparent : undefined),
          },
        );
  const { host, port } = hostOf(ctx.url);
  const span: Span = tracer.startSpan(
    'POST',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'server.address': host,
        ...(port === undefined ? {} : { 'server.port': port }),
        // The HTTP conventions count resends from 0; the attempt number is the log's and the API's.
        'http.request.resend_count': attempt - 1,
        'hookport.attempt.number': attempt,
        'hookport.event.type': ctx.event_type,
        'hookport.event.id': toTypeId('event', ctx.event_id),
        'hookport.delivery.id': toTypeId('delivery', ctx.id),
        'hookport.endpoint.id': toTypeId('endpoint', ctx.endpoint_id),
      },
    },
    parent,
  );
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(parent, span), carrier, {
    set: (c, key, value) => {
      c[key] = value;
    },
  });
  return {
    headers(custom) {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(custom)) {
        if (!traceHeaders.has(name.toLowerCase())) out[name] = value;
      }
      return Object.assign(out, carrier);
    },
    end(result) {
      if (result.httpStatus !== null) span.setAttribute('http.response.status_code', result.httpStatus);
      if (!result.ok) {
        const kind = result.httpStatus === null ? result.errorKind : String(result.httpStatus);
        span.setAttributes({
          'error.type': kind,
          'hookport.attempt.error_kind': result.httpStatus === null ? result.errorKind : 'http_status',
        });
        span.setStatus({
          code: SpanStatusCode.ERROR,
          ...(result.httpStatus === null ? { message: result.errorMessage } : {}),
        });
      }
      span.end();
    },
  };
}
