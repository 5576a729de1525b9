import { createHmac } from 'node:crypto';
import type { RenderInput } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { hubSignature, newTsanetSecret, tsanetPayload, tsanetProfile, tsanetRetrySchedule } from './profile.ts';

const input = (overrides: Partial<RenderInput> = {}): RenderInput => ({
  eventId: '0190b6f2-6c3e-7a4b-9c1d-2e3f4a5b6c7d',
  eventType: 'note.created',
  data: { requestToken: 'REQ-1', noteToken: 'NOTE-1', other: 'dropped' },
  eventCreatedAt: new Date('2026-03-01T10:00:00.123Z'),
  now: new Date('2026-03-01T10:05:00.000Z'),
  secrets: { current: 'current-secret', previous: null },
  endpoint: { id: 'e', url: 'https://example.com', metadata: {} },
  ...overrides,
});

describe('hubSignature', () => {
  it("matches GitHub's published X-Hub-Signature-256 example", () => {
    expect(hubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('keys the HMAC with the UTF-8 bytes of the secret and hashes the UTF-8 body', () => {
    const body = '{"eventType":"note.created","requestToken":"Zürich ✓"}';
    const expected = createHmac('sha256', Buffer.from('sécret', 'utf8'))
      .update(Buffer.from(body, 'utf8'))
      .digest('hex');
    expect(hubSignature('sécret', body)).toBe(`sha256=${expected}`);
  });
});

describe('tsanetPayload', () => {
  it('takes requestToken and noteToken from the event data and drops everything else', () => {
    expect(tsanetPayload(input())).toEqual({
      eventType: 'note.created',
      requestToken: 'REQ-1',
      noteToken: 'NOTE-1',
      timestamp: '2026-03-01T10:00:00Z',
    });
  });

  it('falls back to the event id when there is no requestToken, and omits a missing noteToken', () => {
    const payload = tsanetPayload(input({ eventType: 'ping', data: { requestToken: '', noteToken: null } }));
    expect(payload).toEqual({
      eventType: 'ping',
      requestToken: '0190b6f2-6c3e-7a4b-9c1d-2e3f4a5b6c7d',
      timestamp: '2026-03-01T10:00:00Z',
    });
    expect(Object.keys(payload)).not.toContain('noteToken');
  });

  it('writes numeric tokens as text', () => {
    expect(tsanetPayload(input({ data: { requestToken: 42, noteToken: 7 } }))).toMatchObject({
      requestToken: '42',
      noteToken: '7',
    });
  });
});

describe('tsanetProfile', () => {
  it("uses the vendor's schedule (3 retries: 10 s, 60 s, 300 s) and a 15 s timeout unless overridden", () => {
    expect(tsanetProfile().retrySchedule).toEqual([10, 60, 300]);
    expect(tsanetProfile({ retrySchedule: undefined }).retrySchedule).toBe(tsanetRetrySchedule);
    expect(tsanetProfile({ retrySchedule: [1, 1, 2] }).retrySchedule).toEqual([1, 1, 2]);
    expect(tsanetProfile().timeoutMs).toBe(15_000);
    expect(tsanetProfile().name).toBe('tsanet');
  });

  it('renders the same bytes at every attempt, signed once with the current secret even during a rotation', () => {
    const profile = tsanetProfile();
    const first = profile.render(input());
    const later = profile.render(
      input({ now: new Date('2026-03-01T11:00:00Z'), secrets: { current: 'current-secret', previous: 'old' } }),
    );
    expect(later.body).toBe(first.body);
    expect(first.headers).toEqual({
      'content-type': 'application/json',
      'x-hub-signature-256': hubSignature('current-secret', first.body),
    });
    expect(later.headers['x-hub-signature-256']).toBe(first.headers['x-hub-signature-256']);
    expect(later.headers['x-hub-signature-256']).not.toContain(' ');
  });
});

describe('newTsanetSecret', () => {
  it('is 32 random bytes as 64 lowercase hex characters', () => {
    const a = newTsanetSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newTsanetSecret()).not.toBe(a);
  });
});
