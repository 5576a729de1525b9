// The standardwebhooks package (what the server signs with) appears only here, as the independent reference.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../webhooks.ts';
import { signTestWebhook } from './sign.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = JSON.stringify({ type: 'order.paid', timestamp: '2026-01-15T10:30:00.000Z', data: { id: 'o-1' } });

describe('signTestWebhook', () => {
  it('gives the headers the server would send, signature for signature', async () => {
    const at = new Date('2026-01-15T10:30:00.000Z');
    const headers = await signTestWebhook({ secret, body, id: 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz', timestamp: at });
    expect(headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz',
      'webhook-timestamp': String(at.getTime() / 1000),
      'webhook-signature': new Webhook(secret).sign('evt_01jbz8c1x9f8r5m6w0q2v3t4yz', at, body),
    });
  });

  it('signs now with a fresh event id by default, and verifyWebhook accepts it', async () => {
    const headers = await signTestWebhook({ secret, body: new TextEncoder().encode(body) });
    expect(headers['webhook-id']).toMatch(/^evt_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    await expect(verifyWebhook(body, headers, secret)).resolves.toMatchObject({ data: { id: 'o-1' } });
  });

  it('an old timestamp lets a test exercise the receiver refusing a replay', async () => {
    const headers = await signTestWebhook({ secret, body, timestamp: new Date(Date.now() - 3_600_000) });
    const error = await verifyWebhook(body, headers, secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('timestamp_too_old');
  });
});
