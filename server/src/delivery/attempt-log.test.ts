import { Writable } from 'node:stream';
import { newId, toTypeId } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { logAttempt } from './attempt-log.ts';
import type { AttemptContext } from './context.ts';
import type { Outcome } from './outcome.ts';
import type { SendResult } from './sender.ts';

function captured(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

const ctx = {
  id: newId(),
  tenant_id: newId(),
  event_id: newId(),
  endpoint_id: newId(),
  url: 'https://hooks.example.com/in?token=url-secret',
  headers_enc: 'sealed-headers',
  data: { card: 'body-secret' },
  secret_enc: 'sealed-secret',
  example: false,
} as unknown as AttemptContext;

const ok: SendResult = {
  ok: true,
  httpStatus: 204,
  headers: {},
  excerpt: 'response-text',
  truncated: false,
  durationMs: 12,
};
const refused: SendResult = {
  ok: false,
  httpStatus: null,
  errorKind: 'egress_blocked',
  errorMessage:
    'localhost resolves to 127.0.0.1, ::1, …; add 127.0.0.1 (or ::1) to HOOKPORT_EGRESS_ALLOWLIST to allow it',
  durationMs: 0,
};
const succeeded: Outcome = { status: 'succeeded', retryInSeconds: null, disable: null };
const failed: Outcome = { status: 'failed', retryInSeconds: null, disable: null };

describe('logAttempt', () => {
  it('writes the public ids, outcome, status and duration at info, and nothing of the request', () => {
    const { logger, lines } = captured('info');
    logAttempt(logger, { ctx, attempt: 2, result: ok, outcome: succeeded, recorded: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'delivery attempt',
      tenantId: toTypeId('tenant', ctx.tenant_id),
      eventId: toTypeId('event', ctx.event_id),
      deliveryId: toTypeId('delivery', ctx.id),
      endpointId: toTypeId('endpoint', ctx.endpoint_id),
      attempt: 2,
      example: false,
      outcome: 'succeeded',
      httpStatus: 204,
      durationMs: 12,
    });
    const text = JSON.stringify(lines);
    for (const leak of ['url-secret', 'sealed-headers', 'body-secret', 'sealed-secret', 'response-text', ctx.id]) {
      expect(text).not.toContain(leak);
    }
  });

  it('marks the attempt of an example (send-example) as one', () => {
    const { logger, lines } = captured('info');
    logAttempt(logger, { ctx: { ...ctx, example: true }, attempt: 1, result: ok, outcome: succeeded, recorded: true });
    expect(lines[0]).toMatchObject({ example: true, outcome: 'succeeded' });
  });

  it('writes an egress refusal at warn, with its hint, even where info is off', () => {
    const { logger, lines } = captured('warn');
    logAttempt(logger, { ctx, attempt: 1, result: ok, outcome: succeeded, recorded: true });
    logAttempt(logger, { ctx, attempt: 1, result: refused, outcome: failed, recorded: true });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'delivery attempt refused by the egress guard',
        errorKind: 'egress_blocked',
        error: refused.errorMessage,
        outcome: 'failed',
      }),
    ]);
  });

  it('writes nothing, and builds nothing, when its level is off', () => {
    const { logger, lines } = captured('error');
    let asked = 0;
    const counting = new Proxy(ctx, {
      get(target, key, receiver) {
        asked++;
        return Reflect.get(target, key, receiver);
      },
    });
    logAttempt(logger, { ctx: counting, attempt: 1, result: refused, outcome: failed, recorded: true });
    expect(lines).toEqual([]);
    expect(asked).toBe(0);
  });
});
