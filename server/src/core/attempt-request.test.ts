import { vendorSurfaces } from '@hookport/compat';
import { type DeliveryProfile, type RenderInput, toTypeId } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { nativeProfile } from '../delivery/native-profile.ts';
import { sealHeaders } from '../shared/sealed-headers.ts';
import { type AttemptRequestSource, createAttemptRequests } from './attempt-request.ts';
import { newSecretKey, SecretBox } from './crypto.ts';

const box = new SecretBox(newSecretKey());
const native = nativeProfile([1]);
const startedAt = new Date('2026-03-01T10:00:05.250Z');
const eventId = '0190d8a8-5c1b-7c3e-9d7a-1b2c3d4e5f60';

function source(over: Partial<AttemptRequestSource> = {}): AttemptRequestSource {
  return {
    eventId,
    eventType: 'ticket.created',
    data: { id: 'T-1' },
    eventCreatedAt: new Date('2026-03-01T10:00:00.000Z'),
    endpoint: {
      id: '0190d8a8-5c1b-7c3e-9d7a-1b2c3d4e5f61',
      url: 'https://example.com/hook',
      metadata: {},
      profile: 'native',
      headersEnc: sealHeaders(box, { Authorization: 'Bearer 0123456789abcdef' }),
    },
    ...over,
  };
}

/** A profile that records what it was given and sets the headers given, declaring both signature headers. */
function stubProfile(headers: Record<string, string>, seen: RenderInput[] = []): DeliveryProfile {
  return {
    ...native,
    signatureHeaders: { 'x-hub-signature-256': 'sha256=<signature>', 'webhook-signature': 'v1,<signature>' },
    render(input) {
      seen.push(input);
      return { body: 'stub', headers };
    },
  };
}

describe("an attempt's request rendered on read", () => {
  it('is the native rendering at the attempt start, signature a placeholder, custom values masked', () => {
    const request = createAttemptRequests(box, () => native)(source())(startedAt);
    expect(request).toEqual({
      headers: {
        Authorization: 'Bearer ••••cdef',
        'content-type': 'application/json',
        'webhook-id': toTypeId('event', eventId),
        'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)),
        'webhook-signature': 'v1,<signature>',
      },
      body: JSON.stringify({ type: 'ticket.created', timestamp: '2026-03-01T10:00:00.000Z', data: { id: 'T-1' } }),
    });
  });

  it("never signs with the endpoint's secret, and hides every signature header the profile declares, any case", () => {
    const seen: RenderInput[] = [];
    const profile = stubProfile({ 'X-Hub-Signature-256': 'sha256=abc', 'Webhook-Signature': 'v1,abc' }, seen);
    const request = createAttemptRequests(box, () => profile)(source())(startedAt);
    expect(request?.headers).toMatchObject({
      'X-Hub-Signature-256': 'sha256=<signature>',
      'Webhook-Signature': 'v1,<signature>',
    });
    expect(seen[0]?.secrets).toEqual({ current: expect.stringMatching(/^whsec_A+=*$/), previous: null });
  });

  it('has headers and no body for an expunged event, and is null when the profile cannot render', () => {
    const expunged = createAttemptRequests(box, () => native)(source({ data: null }))(startedAt);
    expect(expunged?.body).toBeNull();
    expect(expunged?.headers['webhook-id']).toBe(toTypeId('event', eventId));
    const refusing: DeliveryProfile = {
      ...native,
      render() {
        throw new Error('no format for this');
      },
    };
    expect(createAttemptRequests(box, () => refusing)(source())(startedAt)).toBeNull();
  });
});

describe("every profile's signature headers", () => {
  const profiles = [native, ...vendorSurfaces.map((surface) => surface.profile({}))];
  const input = (secret: string): RenderInput => ({
    eventId,
    eventType: 'ticket.created',
    data: { id: 'T-1' },
    eventCreatedAt: new Date('2026-03-01T10:00:00.000Z'),
    now: startedAt,
    secrets: { current: secret, previous: null },
    endpoint: { id: eventId, url: 'https://example.com/hook', metadata: {} },
  });

  // A header whose value depends on the secret is a signature: one a profile sets without declaring it
  // would be shown on read (signed with the read's placeholder secret, but the shape of a real one).
  it.each(profiles.map((p) => [p.name, p] as const))('%s declares every header its secret changes', (_, profile) => {
    const one = profile.render(input(`whsec_${Buffer.alloc(24, 1).toString('base64')}`)).headers;
    const two = profile.render(input(`whsec_${Buffer.alloc(24, 2).toString('base64')}`)).headers;
    const secretDependent = Object.keys(one).filter((name) => one[name] !== two[name]);
    expect(secretDependent.length).toBeGreaterThan(0);
    for (const name of secretDependent) expect(Object.keys(profile.signatureHeaders)).toContain(name.toLowerCase());
  });
});
