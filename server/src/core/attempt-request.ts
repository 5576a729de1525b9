import { type AttemptRequest, type DeliveryProfile, maskHeaders, type ProfileName } from '@hookport/spec';
import { openHeaders } from '../shared/sealed-headers.ts';
import type { SecretBox } from './crypto.ts';

/**
 * Signs nothing real: reads render with this instead of the endpoint's secret, so a signature is never
 * computed on read, and one a profile sets without declaring it in `signatureHeaders` is still no endpoint's.
 * Standard Webhooks keys are `whsec_` and base64; the other profiles take any string.
 */
const readSecret = `whsec_${Buffer.alloc(24).toString('base64')}`;

/** What a delivery's attempts' requests are rendered from: its event, and its endpoint as it is now. */
export interface AttemptRequestSource {
  eventId: string;
  eventType: string;
  /** null: the event's content was expunged. */
  data: Record<string, unknown> | null;
  eventCreatedAt: Date;
  endpoint: {
    id: string;
    url: string;
    metadata: Record<string, string>;
    profile: ProfileName;
    headersEnc: string | null;
  };
}

/** The profile's headers with each signature it declares replaced by its placeholder. */
function withoutSignatures(profile: DeliveryProfile, headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, profile.signatureHeaders[name.toLowerCase()] ?? value]),
  );
}

/**
 * The requests a delivery's attempts sent, rendered again the way attempt-send.ts rendered them (the
 * profile renders from the event and the attempt's start time; custom headers first, the profile's over
 * them), so that nothing is stored per attempt for them. Given a delivery's source, the function returned
 * renders the request of the attempt started at the time given; the custom headers are opened once.
 * An expunged event renders headers only.
 */
export function createAttemptRequests(box: SecretBox, profileOf: (name: ProfileName) => DeliveryProfile) {
  return function requestsOf(source: AttemptRequestSource): (startedAt: Date) => AttemptRequest | null {
    const { endpoint } = source;
    const profile = profileOf(endpoint.profile);
    const custom = maskHeaders(openHeaders(box, endpoint.headersEnc));
    return (startedAt) => {
      let rendered: { body: string; headers: Record<string, string> };
      try {
        rendered = profile.render({
          eventId: source.eventId,
          eventType: source.eventType,
          data: source.data ?? {},
          eventCreatedAt: source.eventCreatedAt,
          now: startedAt,
          secrets: { current: readSecret, previous: null },
          endpoint: { id: endpoint.id, url: endpoint.url, metadata: endpoint.metadata },
        });
      } catch {
        // A profile may refuse what it never had to render (an expunged event's empty data): the read
        // still answers, without the request.
        return null;
      }
      return {
        headers: { ...custom, ...withoutSignatures(profile, rendered.headers) },
        body: source.data === null ? null : rendered.body,
      };
    };
  };
}
