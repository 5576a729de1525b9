import type { RenderInput } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSpedySecret } from './handlers.ts';
import { spedyProfile, spedyRetrySchedule } from './profile.ts';

function input(secret: string, previous: string | null = null): RenderInput {
  return {
    eventId: '0190f5d2-7c1e-7a3b-8c4d-5e6f7a8b9c0d',
    eventType: 'ticket.created',
    data: { ticket: { id: 'T-1' } },
    eventCreatedAt: new Date('2025-06-15T14:30:00.123Z'),
    now: new Date(),
    secrets: { current: secret, previous },
    endpoint: { id: '0190f5d2-7c1e-7a3b-8c4d-5e6f7a8b9c0e', url: 'https://example.com/h', metadata: {} },
  };
}

describe('the Spedy delivery profile', () => {
  it('sends {type, timestamp, data} signed so that the standardwebhooks library verifies it', () => {
    const secret = newSpedySecret();
    const { body, headers } = spedyProfile().render(input(secret));
    expect(headers['content-type']).toBe('application/json');
    expect(new Webhook(secret).verify(body, headers)).toEqual({
      type: 'ticket.created',
      timestamp: '2025-06-15T14:30:00Z',
      data: { ticket: { id: 'T-1' } },
    });
    expect(headers['webhook-id']).toMatch(/^msg_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  });

  it('keeps the webhook-id across attempts, and signs with both secrets during a rotation', () => {
    const [a, b] = [newSpedySecret(), newSpedySecret()];
    const first = spedyProfile().render(input(a));
    const second = spedyProfile().render(input(b, a));
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(second.body, second.headers)).toBeTruthy();
    expect(new Webhook(b).verify(second.body, second.headers)).toBeTruthy();
  });

  it('retries after 10 s, 60 s, 300 s with a 15 s timeout, unless the operator overrides the schedule', () => {
    expect(spedyProfile().retrySchedule).toEqual([10, 60, 300]);
    expect(spedyRetrySchedule).toEqual([10, 60, 300]);
    expect(spedyProfile().timeoutMs).toBe(15_000);
    expect(spedyProfile({ retrySchedule: [1, 1, 2] }).retrySchedule).toEqual([1, 1, 2]);
    expect(spedyProfile({ retrySchedule: undefined }).retrySchedule).toEqual([10, 60, 300]);
  });

  it('makes whsec_ secrets of 24 random bytes', () => {
    const secret = newSpedySecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newSpedySecret()).not.toBe(secret);
  });
});
