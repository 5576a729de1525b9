import type { ProfileName } from './schemas/common.ts';

/**
 * How deliveries to one kind of endpoint are shaped and signed. The native
 * profile lives in the server; each vendor adapter brings its own, and the
 * worker only ever talks to this interface.
 */
export interface DeliveryProfile {
  name: ProfileName;
  /** Seconds to wait before each retry: attempt n+1 waits retrySchedule[n-1]. Its length is the retry count. */
  retrySchedule: readonly number[];
  /** Total time allowed for one attempt, connect to last byte read. */
  timeoutMs: number;
  /**
   * Disable an endpoint after this many deliveries failed in a row, when the
   * vendor does so at its own threshold (Rapidly: 10). Absent: the operator's
   * HOOKPORT_DISABLE_AFTER_FAILURES.
   */
  disableAfterFailedDeliveries?: number;
  /**
   * The headers `render` computes from the endpoint's secret, by lowercase name, each with the placeholder
   * a read of an attempt's request shows instead (core/attempt-request.ts): a signature is never shown.
   */
  signatureHeaders: Readonly<Record<string, string>>;
  render(input: RenderInput): RenderedRequest;
}

export interface RenderInput {
  /** The event id, stable across retries and redeliveries (receivers deduplicate on it). */
  eventId: string;
  eventType: string;
  data: Record<string, unknown>;
  eventCreatedAt: Date;
  /** When this attempt is made (the signature timestamp). */
  now: Date;
  /** The current secret, and the previous one while a rotation's grace period runs. */
  secrets: { current: string; previous: string | null };
  /** Endpoint facts a profile may need (e.g. a chat format). */
  endpoint: { id: string; url: string; metadata: Record<string, string> };
}

export interface RenderedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * Event types Hookport itself publishes; endpoints may subscribe to them without a catalogue entry
 * (by name, `*`, or a `prefix.*` that selects one). Besides ping, the operational events about an
 * endpoint (docs/delivery.md, "Operational events").
 */
export const systemEventTypes = [
  'ping',
  'endpoint.disabled',
  'endpoint.failing',
  'endpoint.recovered',
  'delivery.exhausted',
] as const;

export function isSystemEventType(type: string): boolean {
  return (systemEventTypes as readonly string[]).includes(type);
}
