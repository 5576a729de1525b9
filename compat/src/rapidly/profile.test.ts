import type { RenderInput } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newRapidlySecret } from './handlers.ts';
import { formatKey, formatOf, rapidlyProfile, rapidlyRetrySchedule, renderPayload } from './profile.ts';

const secret = 'rapidly_whs_ovyN6cPrTv56AApvzCaJno08SSmGJmgbWilb33N2JuK';

function input(format: string | undefined, previous: string | null = null): RenderInput {
  return {
    eventId: '01936f6c-8f4a-7c3e-9b1d-2f5a6c7d8e9f',
    eventType: 'customer.created',
    data: { id: 'cus_1', email: 'a@example.com' },
    eventCreatedAt: new Date('2026-01-15T10:30:00.000Z'),
    now: new Date(),
    secrets: { current: secret, previous },
    endpoint: { id: 'e', url: 'https://example.com', metadata: format ? { [formatKey]: format } : {} },
  };
}

describe('rapidly profile', () => {
  it('retries about 2 s·2ⁿ, 10 attempts in all, capped at 20 minutes; times out after 10 s', () => {
    expect(rapidlyRetrySchedule).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512]);
    const p = rapidlyProfile({});
    expect(p.name).toBe('rapidly');
    expect(p.retrySchedule).toBe(rapidlyRetrySchedule);
    expect(p.timeoutMs).toBe(10_000);
    expect(rapidlyProfile({ retrySchedule: [1, 1, 2] }).retrySchedule).toEqual([1, 1, 2]);
  });

  it('renders raw as {type, timestamp, data}, timestamped at the event, signed with the whole secret as key', () => {
    const req = rapidlyProfile({}).render(input('raw'));
    expect(JSON.parse(req.body)).toEqual({
      type: 'customer.created',
      timestamp: '2026-01-15T10:30:00.000Z',
      data: { id: 'cus_1', email: 'a@example.com' },
    });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-id']).toBe('01936f6c-8f4a-7c3e-9b1d-2f5a6c7d8e9f');
    new Webhook(Buffer.from(secret).toString('base64')).verify(req.body, req.headers);
  });

  it('signs with both secrets while an old one is still live', () => {
    const req = rapidlyProfile({}).render(input('raw', 'rapidly_whs_previous_secret_0123456789abcdef'));
    expect(req.headers['webhook-signature']?.split(' ')).toHaveLength(2);
  });

  it('renders discord and slack as chat messages naming the object', () => {
    const base = { eventType: 'share.created', data: { id: 'sh_1' }, eventCreatedAt: new Date(), eventId: 'evt' };
    expect(JSON.parse(renderPayload('discord', base))).toEqual({
      content: 'share.created',
      embeds: [
        {
          color: 25343,
          author: { name: 'Rapidly' },
          footer: { text: 'Powered by Rapidly' },
          title: 'share.created',
          description: 'share.created',
          fields: [{ name: 'Object', value: 'sh_1' }],
        },
      ],
    });
    const slack = JSON.parse(renderPayload('slack', { ...base, data: {} }));
    expect(slack.text).toBe('share.created');
    expect(slack.blocks[0].fields[0].text).toBe('*Object*\nevt');
    expect(slack.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Powered by Rapidly' }] });
  });

  it('reads the format from the metadata, raw when absent or unknown', () => {
    expect(formatOf({ [formatKey]: 'slack' })).toBe('slack');
    expect(formatOf({ [formatKey]: 'discord' })).toBe('discord');
    expect(formatOf({ [formatKey]: 'xml' })).toBe('raw');
    expect(formatOf({})).toBe('raw');
  });

  it('makes rapidly_whs_ secrets of 36 url-safe base64 bytes, all different', () => {
    const a = newRapidlySecret();
    expect(a).toMatch(/^rapidly_whs_[A-Za-z0-9_-]{48}$/);
    expect(newRapidlySecret()).not.toBe(a);
  });
});
