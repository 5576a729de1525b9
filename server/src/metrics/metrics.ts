import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Outcome } from '../delivery/outcome.ts';
import type { SendResult } from '../delivery/sender.ts';
import {
  type AttemptOutcome,
  attemptOutcome,
  type PublishSurface,
  publishSurfaces,
  type StatusClass,
  statusClass,
} from './labels.ts';

/**
 * One process's metrics (docs/operations.md): its own prom-client registry, made by runtime.ts and
 * passed in, never prom-client's global one — tests run several Hookports in one process, and each must
 * count only its own work. Every counter counts what this process did, so the sum over processes is
 * the installation's figure.
 */
export interface Metrics {
  registry: Registry;
  /** `count` events (1 unless a batch) were accepted through a surface's publish (idempotent replays are not). */
  published(surface: PublishSurface, count?: number): void;
  /** An attempt was made and recorded (an attempt another run had already recorded is not counted). */
  attempted(result: SendResult, outcome: Outcome, started: Date, eventCreatedAt: Date): void;
  /** An API request was answered; `route` is the matched route's pattern, never the raw path. */
  requested(route: string, status: number, seconds: number): void;
}

/** Seconds: an attempt is bounded by HOOKPORT_DELIVERY_TIMEOUT_MS (at most 120 s). */
const attemptBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120];
/** Seconds from acceptance to the first 2xx: retries stretch it from under a second to days. */
const latencyBuckets = [
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  300,
  900,
  1800,
  3600,
  7200,
  6 * 3600,
  24 * 3600,
  72 * 3600,
];
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metricPrefix = 'hookport_';

interface Increment {
  inc(): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  // The process's own figures (CPU, memory, event loop, GC), prefixed like ours. prom-client keeps an
  // event-loop monitor and a GC observer per registry for good; one Hookport per process in production.
  collectDefaultMetrics({ register: registry, prefix: metricPrefix });

  const events = new Counter({
    name: `${metricPrefix}events_published_total`,
    help: 'Events accepted by this process, by the surface they were published through (idempotent replays and system events are not counted).',
    labelNames: ['surface'] as const,
    registers,
  });
  // Every surface's series exists from the start (at 0), so rate() and alerts see a publish from the first.
  for (const surface of publishSurfaces) events.labels(surface).inc(0);
  const attempts = new Counter({
    name: `${metricPrefix}attempts_total`,
    help: 'Delivery attempts made by this process, by outcome and HTTP status class.',
    labelNames: ['outcome', 'status_class'] as const,
    registers,
  });
  const attemptDuration = new Histogram({
    name: `${metricPrefix}attempt_duration_seconds`,
    help: 'Duration of one delivery attempt, connect to the last byte of the answer (or the error).',
    buckets: attemptBuckets,
    registers,
  });
  const latency = new Histogram({
    name: `${metricPrefix}delivery_latency_seconds`,
    help: 'From the event accepted to the first 2xx of a delivery, retries included.',
    buckets: latencyBuckets,
    registers,
  });
  const requests = new Counter({
    name: `${metricPrefix}http_requests_total`,
    help: 'API requests answered, by the matched route pattern and the status.',
    labelNames: ['route', 'status'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: `${metricPrefix}http_request_duration_seconds`,
    help: 'Time to answer an API request, by the matched route pattern.',
    labelNames: ['route'] as const,
    buckets: requestBuckets,
    registers,
  });

  // Children are made once per label set and kept: an attempt costs two lookups, no label object. Every
  // key is a bounded label value (labels.ts; routes are patterns), so these maps stay small.
  const attemptChildren = new Map<`${AttemptOutcome} ${StatusClass}`, Increment>();
  const requestChildren = new Map<string, Increment>();
  const durationChildren = new Map<string, { observe(value: number): void }>();

  return {
    registry,
    published(surface, count = 1) {
      events.labels(surface).inc(count);
    },
    attempted(result, outcome, started, eventCreatedAt) {
      const label = attemptOutcome(result, outcome);
      const cls = statusClass(result.httpStatus);
      const key = `${label} ${cls}` as const;
      let child = attemptChildren.get(key);
      if (!child) {
        child = attempts.labels(label, cls);
        attemptChildren.set(key, child);
      }
      child.inc();
      attemptDuration.observe(result.durationMs / 1000);
      if (label === 'succeeded') {
        // Clocks of the database (the event's time) and this host may differ a little: never negative.
        const answeredAt = started.getTime() + result.durationMs;
        latency.observe(Math.max(0, (answeredAt - eventCreatedAt.getTime()) / 1000));
      }
    },
    requested(route, status, seconds) {
      const key = `${status} ${route}`;
      let child = requestChildren.get(key);
      if (!child) {
        child = requests.labels(route, String(status));
        requestChildren.set(key, child);
      }
      child.inc();
      let duration = durationChildren.get(route);
      if (!duration) {
        duration = requestDuration.labels(route);
        durationChildren.set(route, duration);
      }
      duration.observe(seconds);
    },
  };
}
