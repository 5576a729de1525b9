import type { DeliveryProfile, RenderedRequest, RenderInput } from '@hookport/spec';
import { Webhook } from 'standardwebhooks';
import { toTypeId } from '../core/ids.ts';

/** Standard Webhooks signature headers; two signatures (space-separated) while a rotation's grace period runs. */
export function standardWebhooksHeaders(input: RenderInput, msgId: string, body: string): Record<string, string> {
  const signatures = [input.secrets.current, input.secrets.previous]
    .filter((s): s is string => s !== null)
    .map((secret) => new Webhook(secret).sign(msgId, input.now, body));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(input.now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

export function nativeProfile(retrySchedule: readonly number[], timeoutMs = 15_000): DeliveryProfile {
  return {
    name: 'native',
    retrySchedule,
    timeoutMs,
    render(input: RenderInput): RenderedRequest {
      const msgId = toTypeId('event', input.eventId);
      const body = JSON.stringify({ type: input.eventType, timestamp: input.now.toISOString(), data: input.data });
      return { body, headers: { 'content-type': 'application/json', ...standardWebhooksHeaders(input, msgId, body) } };
    },
  };
}
