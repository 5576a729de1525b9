import type { EndpointRecord } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, renderWebhook, toUpdate, workspaceIdOf } from './handlers.ts';
import { isStorableText, unwrapWebhook, webhookIds } from './schemas.ts';

const uuid = '0193b8d2-7c4e-7a51-9f1d-3c2b1a0f9e8d';

function endpoint(status: EndpointRecord['status']): EndpointRecord {
  const at = new Date('2025-01-15T10:30:00Z');
  return {
    id: uuid,
    seq: 1,
    tenantId: uuid,
    url: 'https://example.com/webhook',
    name: 'My Integration',
    description: '',
    eventTypes: ['ticket.created'],
    status,
    profile: 'helpdesk',
    headers: {},
    rateLimit: null,
    metadata: {},
    filter: null,
    retrySchedule: null,
    timeoutMs: null,
    ordering: 'unordered',
    disabledReason: status === 'disabled' ? 'failing' : null,
    createdAt: at,
    updatedAt: at,
  };
}

describe('helpdesk translation', () => {
  it('unwraps {"webhook": …} and passes a bare body through', () => {
    expect(unwrapWebhook({ webhook: { name: 'x' } })).toEqual({ name: 'x' });
    expect(unwrapWebhook({ name: 'x' })).toEqual({ name: 'x' });
    expect(unwrapWebhook({ webhook: 'x' })).toBe('x');
    expect(unwrapWebhook([{ webhook: {} }])).toEqual([{ webhook: {} }]);
    expect(unwrapWebhook(null)).toBeNull();
  });

  it('renders an endpoint as a Helpdesk webhook, timestamps with milliseconds', () => {
    const rendered = renderWebhook(endpoint('active'));
    expect(webhookIds.decode(rendered.id)).toBe(uuid);
    expect(rendered).toEqual({
      id: expect.stringMatching(/^whk_[0-7][0-9A-HJKMNP-TV-Z]{25}$/),
      name: 'My Integration',
      targetUrl: 'https://example.com/webhook',
      events: ['ticket.created'],
      active: true,
      createdAt: '2025-01-15T10:30:00.000Z',
      updatedAt: '2025-01-15T10:30:00.000Z',
    });
    expect(renderWebhook(endpoint('paused')).active).toBe(false);
    expect(renderWebhook(endpoint('disabled')).active).toBe(false);
  });

  it('turns only the fields present into changes', () => {
    expect(toUpdate(endpoint('active'), {})).toEqual({});
    expect(toUpdate(endpoint('active'), { name: 'n', targetUrl: 'https://x.example', events: ['a'] })).toEqual({
      name: 'n',
      url: 'https://x.example',
      eventTypes: ['a'],
    });
  });

  it('maps active onto status without touching an endpoint already in that state', () => {
    expect(toUpdate(endpoint('active'), { active: false })).toEqual({ status: 'paused' });
    expect(toUpdate(endpoint('active'), { active: true })).toEqual({});
    expect(toUpdate(endpoint('paused'), { active: true })).toEqual({ status: 'active' });
    expect(toUpdate(endpoint('disabled'), { active: true })).toEqual({ status: 'active' });
    expect(toUpdate(endpoint('disabled'), { active: false })).toEqual({});
  });

  it('names a workspace by the native tenant id (the e2e tests send the id /v1/tenants returns)', () => {
    expect(workspaceIdOf(uuid)).toMatch(/^tnt_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    expect(workspaceIdOf(uuid).slice(4).toUpperCase()).toBe(webhookIds.encode(uuid).slice(4));
  });

  it('makes Standard Webhooks secrets of 32 random bytes', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });
});

describe('storable text', () => {
  it('refuses NUL and lone surrogates, accepts any other text', () => {
    expect(isStorableText('Ticket sync ✓ 🎫')).toBe(true);
    expect(isStorableText('a\0b')).toBe(false);
    expect(isStorableText('a\ud800b')).toBe(false);
    expect(isStorableText('a\udc00')).toBe(false);
  });
});
