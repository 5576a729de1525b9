import { type DeliveryProfile, type RenderedRequest, type RenderInput, toTypeId } from '@hookport/spec';
import { standardWebhooksHeaders, standardWebhooksSignatureHeaders } from '../shared/standard-webhooks.ts';
import type { ProfileOverrides } from '../shared/surface.ts';

/** Helpdesk's retries (vendors.md): 10 s, 60 s, 300 s after the first attempt. */
export const helpdeskRetrySchedule = [10, 60, 300] as const;
export const helpdeskTimeoutMs = 15_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The `data` of a Helpdesk payload. A publisher that already wrote Helpdesk's
 * shape (`{ticket: {…}}`) is passed through untouched; for any other ticket
 * event the data is the ticket itself and is wrapped. Events that are not
 * about tickets (Hookport's `ping` and operational events such as `endpoint.disabled`) keep their data as is.
 * A `ticket.updated` ticket always carries `updatedFields` (empty when the
 * publisher named no changes), so receivers can read it unconditionally.
 */
export function helpdeskData(eventType: string, data: Record<string, unknown>): Record<string, unknown> {
  if (!eventType.startsWith('ticket.')) return data;
  const wrapped = isObject(data.ticket) ? data : { ticket: data };
  const ticket = wrapped.ticket;
  if (eventType === 'ticket.updated' && isObject(ticket) && !('updatedFields' in ticket)) {
    return { ...wrapped, ticket: { ...ticket, updatedFields: {} } };
  }
  return wrapped;
}

/** `{"event", "timestamp", "data": {"ticket": …}}`; the timestamp is when the event happened, so retries repeat it. */
export function helpdeskBody(input: RenderInput): string {
  return JSON.stringify({
    event: input.eventType,
    timestamp: input.eventCreatedAt.toISOString(),
    data: helpdeskData(input.eventType, input.data),
  });
}

/** The webhook-id: the event id as the native API shows it (`evt_…`), the same on every retry and redelivery. */
export function messageIdOf(eventId: string): string {
  return toTypeId('event', eventId);
}

export function helpdeskProfile({ retrySchedule }: ProfileOverrides = {}): DeliveryProfile {
  return {
    name: 'helpdesk',
    retrySchedule: retrySchedule ?? helpdeskRetrySchedule,
    timeoutMs: helpdeskTimeoutMs,
    signatureHeaders: standardWebhooksSignatureHeaders,
    render(input: RenderInput): RenderedRequest {
      const body = helpdeskBody(input);
      return {
        body,
        headers: {
          'content-type': 'application/json',
          ...standardWebhooksHeaders(input, messageIdOf(input.eventId), body),
        },
      };
    },
  };
}
