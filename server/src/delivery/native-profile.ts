import { standardWebhooksHeaders } from '@hookport/compat';
import type { DeliveryProfile, RenderedRequest, RenderInput } from '@hookport/spec';
import { toTypeId } from '../core/ids.ts';

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
