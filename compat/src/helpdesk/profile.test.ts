import type { RenderInput } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSigningSecret } from './handlers.ts';
import { helpdeskData, helpdeskProfile, messageIdOf } from './profile.ts';

const eventId = '0193b8d2-7c4e-7a51-9f1d-3c2b1a0f9e8d';

function input(eventType: string, data: Record<string, unknown>, secret = newSigningSecret()): RenderInput {
  return {
    eventId,
    eventType,
    data,
    eventCreatedAt: new Date('2025-01-15T10:30:00.000Z'),
    now: new Date(),
    secrets: { current: secret, previous: null },
    endpoint: { id: 'e', url: 'https://example.com/hook', metadata: {} },
  };
}

describe('helpdesk payload data', () => {
  it('passes a {ticket} object through untouched', () => {
    const data = { ticket: { id: 'tkt_1', status: 'open' }, actor: 'agent' };
    expect(helpdeskData('ticket.created', data)).toEqual(data);
  });

  it('wraps data that is the ticket itself', () => {
    expect(helpdeskData('ticket.deleted', { id: 'tkt_1' })).toEqual({ ticket: { id: 'tkt_1' } });
  });

  it("keeps the publisher's updatedFields on ticket.updated, and adds an empty one when absent", () => {
    const updatedFields = { status: { from: 'open', to: 'pending' } };
    expect(helpdeskData('ticket.updated', { ticket: { id: 'tkt_1', updatedFields } })).toEqual({
      ticket: { id: 'tkt_1', updatedFields },
    });
    expect(helpdeskData('ticket.updated', { id: 'tkt_1' })).toEqual({ ticket: { id: 'tkt_1', updatedFields: {} } });
  });

  it('leaves events that are not about tickets alone', () => {
    expect(helpdeskData('ping', { hello: true })).toEqual({ hello: true });
  });
});

describe('helpdesk profile', () => {
  it('renders {event, timestamp, data} signed with Standard Webhooks', () => {
    const secret = newSigningSecret();
    const { body, headers } = helpdeskProfile().render(input('ticket.created', { ticket: { id: 'tkt_1' } }, secret));
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-id']).toBe(messageIdOf(eventId));
    expect(new Webhook(secret).verify(body, headers)).toEqual({
      event: 'ticket.created',
      timestamp: '2025-01-15T10:30:00.000Z',
      data: { ticket: { id: 'tkt_1' } },
    });
  });

  it('uses 10 s, 60 s, 300 s and 15 s unless the operator overrides the schedule', () => {
    expect(helpdeskProfile()).toMatchObject({ name: 'helpdesk', retrySchedule: [10, 60, 300], timeoutMs: 15_000 });
    expect(helpdeskProfile({ retrySchedule: [1, 1, 2] }).retrySchedule).toEqual([1, 1, 2]);
  });

  it('derives the webhook-id from the event id alone: the native evt_ TypeID', () => {
    expect(messageIdOf(eventId)).toMatch(/^evt_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    expect(messageIdOf(eventId)).toBe(messageIdOf(eventId));
  });
});
