import { z } from '@hono/zod-openapi';
import { TimestampSchema } from './common.ts';
import { EventTypeNameSchema } from './event-types.ts';

/** The widths a statistics answer may bucket by (UTC: an hour or day starts on the hour or at midnight UTC). */
export const statsBuckets = ['minute', 'hour', 'day'] as const;
export type StatsBucket = (typeof statsBuckets)[number];
export const StatsBucketSchema = z.enum(statsBuckets).openapi('StatsBucket', {
  description: 'The width of each bucket, aligned in UTC.',
});

/** The most buckets one statistics answer holds: a day of minutes. */
export const maxStatsBuckets = 1440;

const q = (name: string) => ({ param: { name, in: 'query' as const } });

export const StatsQuerySchema = z.object({
  since: TimestampSchema.optional().openapi({
    ...q('since'),
    description: 'Start of the range, rounded down to the start of its bucket. Default: 24 hours before until.',
  }),
  until: TimestampSchema.optional().openapi({
    ...q('until'),
    description: 'End of the range (exclusive; a bucket counts the attempts of the minutes before it). Default: now.',
  }),
  bucket: StatsBucketSchema.default('hour').openapi({ ...q('bucket'), description: 'Default: hour.' }),
  eventType: EventTypeNameSchema.optional().openapi({
    ...q('eventType'),
    description: 'Only the attempts of deliveries of this event type (exact name).',
  }),
});

const count = z.number().int();
const percentile = z.number().int().nullable();

export const StatsCountsSchema = z
  .object({
    deliveries: z
      .object({
        succeeded: count.openapi({ description: 'Deliveries whose successful attempt started in the bucket.' }),
        failed: count.openapi({
          description:
            'Deliveries that failed for good (attempts exhausted, or not retryable) with an attempt started in the bucket.',
        }),
      })
      .openapi({ description: 'Deliveries by final outcome, counted in the bucket of their last attempt.' }),
    attempts: z.object({
      total: count,
      retried: count.openapi({ description: 'Attempts that failed and scheduled another attempt.' }),
      byStatusClass: z.object({ '2xx': count, '3xx': count, '4xx': count, '5xx': count, error: count }).openapi({
        description:
          'Attempts by the class of their HTTP status; error: no HTTP answer (timeout, connection, DNS, TLS, egress refused, response too large).',
      }),
    }),
    successRatio: z.number().nullable().openapi({
      description: 'succeeded / (succeeded + failed) deliveries; null when no delivery ended.',
      example: 0.98,
    }),
    latencyMs: z.object({ p50: percentile, p95: percentile, p99: percentile }).openapi({
      description:
        'Attempt duration percentiles (nearest rank), each the upper bound of the fixed histogram bucket it falls in (1, 2, … 9, 12, 15, 20 … 120000 ms, about 31 % apart above 10 ms): the true value is at most this and above the bound below. Null when there were no attempts.',
    }),
  })
  .openapi('StatsCounts');

export const DeliveryStatsSchema = z
  .object({
    since: TimestampSchema.openapi({ description: 'The start of the first bucket.' }),
    until: TimestampSchema,
    bucket: StatsBucketSchema,
    eventType: z.string().nullable(),
    total: StatsCountsSchema.openapi({ description: 'The whole range.' }),
    buckets: z
      .array(StatsCountsSchema.extend({ start: TimestampSchema }))
      .openapi({ description: 'Every bucket of the range, oldest first, empty ones included.' }),
  })
  .openapi('DeliveryStats');
