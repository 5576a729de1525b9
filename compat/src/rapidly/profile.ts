import type { DeliveryProfile, RenderedRequest, RenderInput } from '@hookport/spec';
import {
  standardWebhooksHeaders,
  standardWebhooksSignatureHeaders,
  wholeStringKey,
} from '../shared/standard-webhooks.ts';
import type { ProfileOverrides } from '../shared/surface.ts';
import type { webhookFormats } from './schemas.ts';

export type WebhookFormat = (typeof webhookFormats)[number];

/** Where an endpoint's Rapidly `format` is kept: Hookport endpoints have no such column. */
export const formatKey = 'rapidly.format';

/** The format an endpoint's metadata records; endpoints made elsewhere get `raw`. */
export function formatOf(metadata: Record<string, string>): WebhookFormat {
  const format = metadata[formatKey];
  return format === 'discord' || format === 'slack' ? format : 'raw';
}

/**
 * Rapidly retries through Dramatiq: about 2 s·2ⁿ with jitter, at most 20
 * minutes apart, up to 10 attempts (9 retries). The worker adds the jitter.
 */
export const rapidlyRetrySchedule: readonly number[] = Array.from({ length: 9 }, (_, n) => Math.min(2 * 2 ** n, 1200));

/** Rapidly's httpx client waits 10 s. */
export const rapidlyTimeoutMs = 10_000;

/** The facts a payload is built from: the same for every attempt, so the stored payload is what was sent. */
export interface PayloadInput {
  eventType: string;
  data: Record<string, unknown>;
  eventCreatedAt: Date;
  eventId: string;
}

/** The object a chat message names: the event data's `id` when it has one, the event id otherwise. */
function objectId(input: PayloadInput): string {
  const id = input.data.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : input.eventId;
}

/**
 * Rapidly's generic Discord message (BaseWebhookPayload.get_discord_payload):
 * the event type as content and one branded embed. The brand's icon and
 * thumbnail URLs are Rapidly's own assets and are left out.
 */
function discordPayload(input: PayloadInput): object {
  return {
    content: input.eventType,
    embeds: [
      {
        color: 25343,
        author: { name: 'Rapidly' },
        footer: { text: 'Powered by Rapidly' },
        title: input.eventType,
        description: input.eventType,
        fields: [{ name: 'Object', value: objectId(input) }],
      },
    ],
  };
}

/** Rapidly's generic Slack message (get_slack_payload): a section block and the branding context block. */
function slackPayload(input: PayloadInput): object {
  return {
    text: input.eventType,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: input.eventType },
        fields: [{ type: 'mrkdwn', text: `*Object*\n${objectId(input)}` }],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Powered by Rapidly' }] },
    ],
  };
}

/**
 * The request body for an endpoint of this format. `raw` is the
 * `{type, timestamp, data}` payload, timestamped when the event was created
 * (Rapidly builds the payload once, at send time, and re-sends it as is).
 */
export function renderPayload(format: WebhookFormat, input: PayloadInput): string {
  switch (format) {
    case 'discord':
      return JSON.stringify(discordPayload(input));
    case 'slack':
      return JSON.stringify(slackPayload(input));
    default:
      return JSON.stringify({ type: input.eventType, timestamp: input.eventCreatedAt.toISOString(), data: input.data });
  }
}

/**
 * Deliveries to endpoints created through the Rapidly surface: the payload of
 * the endpoint's format, signed with Standard Webhooks headers whose HMAC key
 * is the UTF-8 bytes of the whole `rapidly_whs_…` secret. `webhook-id` is the
 * event id, the same for every attempt and redelivery.
 */
export function rapidlyProfile(overrides: ProfileOverrides): DeliveryProfile {
  return {
    name: 'rapidly',
    retrySchedule: overrides.retrySchedule ?? rapidlyRetrySchedule,
    timeoutMs: rapidlyTimeoutMs,
    // Rapidly disables an endpoint after 10 consecutive failed events, whatever the operator's default.
    disableAfterFailedDeliveries: 10,
    signatureHeaders: standardWebhooksSignatureHeaders,
    render(input: RenderInput): RenderedRequest {
      const body = renderPayload(formatOf(input.endpoint.metadata), input);
      return {
        body,
        headers: {
          'content-type': 'application/json',
          ...standardWebhooksHeaders(input, input.eventId, body, wholeStringKey),
        },
      };
    },
  };
}
