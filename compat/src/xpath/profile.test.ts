import type { RenderInput } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newXpathSecret } from './handlers.ts';
import { xpathProfile, xpathRetrySchedule } from './profile.ts';

const eventId = '019a4b2c-3d4e-7f80-9a1b-2c3d4e5f6a7b';

function input(overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    eventId,
    eventType: 'cases.tasks.created',
    data: { case: { id: 'C-1' } },
    eventCreatedAt: new Date('2026-04-29T09:10:00.123Z'),
    now: new Date(),
    secrets: { current: newXpathSecret(), previous: null },
    endpoint: { id: 'e', url: 'https://partner.example.com/h', metadata: {} },
    ...overrides,
  };
}

describe('xpathProfile', () => {
  it('uses the vendor schedule and timeout unless the operator overrides the schedule', () => {
    expect(xpathProfile({}).retrySchedule).toEqual([10, 60, 300]);
    expect(xpathProfile({}).retrySchedule).toBe(xpathRetrySchedule);
    expect(xpathProfile({}).timeoutMs).toBe(15_000);
    expect(xpathProfile({ retrySchedule: [1, 1, 2] }).retrySchedule).toEqual([1, 1, 2]);
    expect(xpathProfile({}).name).toBe('xpath');
  });

  it('renders {type, timestamp, data} signed so that standardwebhooks verifies it', () => {
    const i = input();
    const { body, headers } = xpathProfile({}).render(i);
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(body)).toEqual({
      type: 'cases.tasks.created',
      timestamp: '2026-04-29T09:10:00Z',
      data: { case: { id: 'C-1' } },
    });
    expect(new Webhook(i.secrets.current).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('keeps the webhook-id and the body across attempts', () => {
    const first = xpathProfile({}).render(input({ now: new Date('2026-04-29T09:10:01Z') }));
    const retry = xpathProfile({}).render(input({ now: new Date('2026-04-29T09:11:01Z') }));
    expect(first.headers['webhook-id']).toMatch(/^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['webhook-timestamp']).not.toBe(first.headers['webhook-timestamp']);
  });

  it('signs with both secrets during a rotation, so either verifies', () => {
    const current = newXpathSecret();
    const previous = newXpathSecret();
    const { body, headers } = xpathProfile({}).render(input({ secrets: { current, previous } }));
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newXpathSecret()).verify(body, headers)).toThrow();
  });
});

describe('newXpathSecret', () => {
  it('is whsec_ and the base64 of 32 random bytes', () => {
    const a = newXpathSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newXpathSecret()).not.toBe(a);
  });
});
