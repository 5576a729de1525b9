import type { DeliveryProfile } from '@hookport/spec';
import { startAttemptSpan } from '../tracing/attempt-spans.ts';
import type { Tracing } from '../tracing/tracing.ts';
import { type AttemptContext, deliverySettings, headersOpener, secretOpener } from './context.ts';
import type { ProfileRegistry } from './profiles.ts';
import type { Sender, SendResult } from './sender.ts';

/** One attempt as it went on the wire: when it started, under which settings, and what came back. */
export interface SentAttempt {
  started: Date;
  profile: DeliveryProfile;
  /** The endpoint's own schedule and timeout where it has them, else the profile's. */
  settings: ReturnType<typeof deliverySettings>;
  result: SendResult;
}

export interface AttemptSenderDeps {
  sender: Sender;
  profiles: ProfileRegistry;
  box: { open(sealed: string): string };
  /** Entries of the opened secrets' and headers' caches at most. */
  maxTracked: number;
  tracing?: Tracing | undefined;
}

/**
 * The render-and-send step of an attempt: the delivery's profile renders and signs the request with the
 * endpoint's opened secrets, its custom headers go with it (and a traceparent when tracing is on), and
 * the sender makes it under the attempt's timeout. Nothing is written here: the outcome is judged and
 * recorded by the caller (worker.ts, attempt-record.ts).
 */
export function createAttemptSender({ sender, profiles, box, maxTracked, tracing }: AttemptSenderDeps) {
  const openSecret = secretOpener(box, maxTracked);
  const openHeaders = headersOpener(box, maxTracked);

  return async function send(ctx: AttemptContext, attempt: number, signal?: AbortSignal): Promise<SentAttempt> {
    const profile = profiles.get(ctx.profile);
    const settings = deliverySettings(ctx, profile);
    const started = new Date();
    const rendered = profile.render({
      eventId: ctx.event_id,
      eventType: ctx.event_type,
      data: ctx.data,
      eventCreatedAt: ctx.event_created_at,
      now: started,
      secrets: {
        current: openSecret(ctx.secret_enc),
        previous: ctx.previous_secret_enc ? openSecret(ctx.previous_secret_enc) : null,
      },
      endpoint: { id: ctx.endpoint_id, url: ctx.url, metadata: ctx.metadata },
    });
    const span = tracing && startAttemptSpan(tracing, ctx, attempt);
    const custom = openHeaders(ctx.headers_enc);
    const result = await sender.send({
      url: ctx.url,
      headers: { ...(span ? span.headers(custom) : custom), ...rendered.headers },
      body: rendered.body,
      timeoutMs: settings.timeoutMs,
      signal,
    });
    span?.end(result);
    return { started, profile, settings, result };
  };
}
