import type { EndpointRecord } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { renderCreated, renderWebhook } from './handlers.ts';
import { CreateWebhookSchema, UpdateWebhookSchema, webhookIds } from './schemas.ts';

const endpoint: EndpointRecord = {
  id: '019a4b2c-3d4e-7f80-9a1b-2c3d4e5f6a7b',
  seq: 1,
  tenantId: 't',
  url: 'https://partner.example.com/webhooks/xpath',
  name: '',
  description: 'Partner production endpoint',
  eventTypes: ['cases.*', 'assignments.*'],
  status: 'active',
  profile: 'xpath',
  headers: {},
  rateLimit: null,
  metadata: {},
  filter: null,
  retrySchedule: null,
  timeoutMs: null,
  ordering: 'unordered',
  disabledReason: null,
  createdAt: new Date('2026-04-29T09:10:00.456Z'),
  updatedAt: new Date('2026-04-29T09:30:00.789Z'),
};

describe('webhook ids', () => {
  it('are wh_ and the upper-case ULID of the internal UUID, and decode back', () => {
    const id = webhookIds.encode(endpoint.id);
    expect(id).toMatch(new RegExp(webhookIds.pattern));
    expect(webhookIds.decode(id)).toBe(endpoint.id);
  });

  it("decode the seed's example id, and refuse other shapes", () => {
    expect(webhookIds.decode('wh_01J1C6ZGQ6FQTH2X6M2VS3P0XW')).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ['wh_01j1c6zgq6fqth2x6m2vs3p0xw', 'ep_01J1C6ZGQ6FQTH2X6M2VS3P0XW', '42', 'wh_', endpoint.id]) {
      expect(webhookIds.decode(bad)).toBeNull();
    }
  });
});

describe('rendering', () => {
  it('renders the seed fields, snake_case, timestamps in whole seconds', () => {
    expect(renderWebhook(endpoint)).toEqual({
      id: webhookIds.encode(endpoint.id),
      url: 'https://partner.example.com/webhooks/xpath',
      description: 'Partner production endpoint',
      events: ['cases.*', 'assignments.*'],
      status: 'active',
      created_at: '2026-04-29T09:10:00Z',
      updated_at: '2026-04-29T09:30:00Z',
    });
  });

  it('shows paused and disabled endpoints as paused', () => {
    expect(renderWebhook({ ...endpoint, status: 'paused' }).status).toBe('paused');
    expect(renderWebhook({ ...endpoint, status: 'disabled' }).status).toBe('paused');
  });

  it('puts the secret before the timestamps on create, as the seed does', () => {
    expect(Object.keys(renderCreated(endpoint, 'whsec_x'))).toEqual([
      'id',
      'url',
      'description',
      'events',
      'status',
      'secret',
      'created_at',
      'updated_at',
    ]);
  });
});

describe('request schemas', () => {
  it("accept the seed's example bodies", () => {
    expect(
      CreateWebhookSchema.safeParse({
        url: 'https://partner.example.com/webhooks/xpath',
        events: ['cases.*', 'assignments.*'],
        description: 'Partner production endpoint',
      }).success,
    ).toBe(true);
    expect(UpdateWebhookSchema.safeParse({ status: 'paused', events: ['cases.*'] }).success).toBe(true);
  });

  it('refuse unknown fields and statuses the vendor does not have', () => {
    expect(CreateWebhookSchema.safeParse({ url: 'https://a.example.com', events: ['x'], secret: 's' }).success).toBe(
      false,
    );
    expect(UpdateWebhookSchema.safeParse({ status: 'disabled' }).success).toBe(false);
  });
});
