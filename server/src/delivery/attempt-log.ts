import { isUuid, toTypeId } from '@hookport/spec';
import type { Logger } from 'pino';
import type { AttemptContext } from './context.ts';
import type { Outcome } from './outcome.ts';
import type { SendResult } from './sender.ts';

/** The ids of a delivery as the native API shows them (TypeIDs), so a log line can be looked up there. */
export function publicIds(ctx: Pick<AttemptContext, 'id' | 'event_id' | 'endpoint_id' | 'tenant_id'>) {
  return {
    tenantId: toTypeId('tenant', ctx.tenant_id),
    eventId: toTypeId('event', ctx.event_id),
    deliveryId: toTypeId('delivery', ctx.id),
    endpointId: toTypeId('endpoint', ctx.endpoint_id),
  };
}

/** An endpoint's id as the native API shows it, for log lines about an endpoint alone. */
export function publicEndpointId(endpointId: string): string {
  return toTypeId('endpoint', endpointId);
}

/** A delivery's id as the native API shows it; the text as it is when it is not a UUID (a malformed job). */
export function publicDeliveryId(deliveryId: string): string {
  return isUuid(deliveryId) ? toTypeId('delivery', deliveryId) : deliveryId;
}

export interface AttemptLine {
  ctx: AttemptContext;
  attempt: number;
  result: SendResult;
  outcome: Outcome;
  /** False when another run had already recorded this attempt (nothing was written). */
  recorded: boolean;
}

/**
 * One line per delivery attempt: the public ids, the outcome, the HTTP status
 * or the kind of error, the duration, and when the next attempt is due. Never
 * a URL, a header, a body or a secret: the transport's error message is kept
 * (it names hosts and addresses, which is what an operator acts on). An
 * egress refusal is a warning, as it needs the operator (the message says
 * what to allowlist); so is a refusal or failure of the egress proxy. The object is built only when the line is written: the
 * worker makes thousands of attempts a second.
 */
export function logAttempt(logger: Logger, { ctx, attempt, result, outcome, recorded }: AttemptLine): void {
  const refused = result.httpStatus === null && result.errorKind === 'egress_blocked';
  const proxy =
    result.httpStatus === null && (result.errorKind === 'proxy_refused' || result.errorKind === 'proxy_error');
  const level = refused || proxy ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line = {
    ...publicIds(ctx),
    attempt,
    example: ctx.example,
    outcome: outcome.status,
    durationMs: result.durationMs,
    ...(result.httpStatus === null
      ? { errorKind: result.errorKind, error: result.errorMessage }
      : { httpStatus: result.httpStatus }),
    ...(outcome.retryInSeconds === null ? {} : { retryInSeconds: Math.round(outcome.retryInSeconds) }),
    ...(recorded ? {} : { recorded }),
  };
  logger[level](
    line,
    refused
      ? 'delivery attempt refused by the egress guard'
      : proxy
        ? 'delivery attempt failed at the egress proxy'
        : 'delivery attempt',
  );
}
