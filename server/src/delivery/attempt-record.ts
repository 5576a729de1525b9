import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { logAttempt, publicEndpointId } from './attempt-log.ts';
import type { SentAttempt } from './attempt-send.ts';
import type { Batcher } from './batch.ts';
import type { AttemptContext } from './context.ts';
import { type DisableLimits, disableReason, errorOf, failingLevel, type Outcome } from './outcome.ts';
import type { ClaimedJob } from './queue.ts';
import type { Finish, Store } from './store.ts';

export interface AttemptRecorderDeps {
  db: Database;
  store: Pick<Store, 'record'>;
  /** The group commit of jobs that end without a transaction of their own (store.finish). */
  finisher: Batcher<Finish, boolean>;
  logger: Logger;
  /** When an endpoint of a profile is disabled for failing. */
  limitsOf(profile: SentAttempt['profile']): DisableLimits;
  metrics?: Pick<Metrics, 'attempted'> | undefined;
}

/**
 * The record step of an attempt: writes what was sent and answered, with the outcome the worker judged,
 * completing the job in the same transaction; then logs it and counts it. The common case, a success on
 * a healthy endpoint, changes nothing but the delivery and its attempt log: it is written with others
 * (the group commit). Failures (schedule, health, disabling) keep their own transaction, and so do fifo
 * endpoints' successes, whose transaction hands off to the next delivery (one at a time: there is
 * nothing to group).
 */
export function createAttemptRecorder({ db, store, finisher, logger, limitsOf, metrics }: AttemptRecorderDeps) {
  async function write(ctx: AttemptContext, job: ClaimedJob, sent: SentAttempt, outcome: Outcome): Promise<boolean> {
    const { result, started, profile } = sent;
    const attempt = job.data.attempt;
    if (outcome.status === 'succeeded' && !ctx.endpoint_failing && !ctx.fifo && result.httpStatus !== null) {
      const { httpStatus, durationMs, excerpt, truncated } = result;
      const success = {
        deliveryId: ctx.id,
        tenantId: ctx.tenant_id,
        endpointId: ctx.endpoint_id,
        eventType: ctx.event_type,
        attempt,
        started,
        httpStatus,
        durationMs,
        excerpt,
        truncated,
      };
      return finisher.run({ job, success });
    }
    const written = await store.record(db, {
      delivery: ctx,
      attempt,
      started,
      httpStatus: result.httpStatus,
      durationMs: result.durationMs,
      error: errorOf(result),
      excerpt: result.httpStatus === null ? null : result.excerpt,
      truncated: result.httpStatus === null ? false : result.truncated,
      outcome,
      disableReason: (health) => disableReason(health, limitsOf(profile)),
      failingLevel: (health) => failingLevel(health, limitsOf(profile)),
      job,
    });
    if (written.disabled) {
      logger.warn({ endpointId: publicEndpointId(ctx.endpoint_id), reason: written.disabled }, 'endpoint disabled');
    }
    return written.recorded;
  }

  return async function record(ctx: AttemptContext, job: ClaimedJob, sent: SentAttempt, outcome: Outcome) {
    const recorded = await write(ctx, job, sent, outcome);
    logAttempt(logger, { ctx, attempt: job.data.attempt, result: sent.result, outcome, recorded });
    if (recorded) metrics?.attempted(sent.result, outcome, sent.started, ctx.event_created_at);
  };
}
