import { prefixedId } from '@hookport/spec';

/** Spedy endpoint ids: `wh_` and the ULID form of the internal UUID. */
export const endpointIds = prefixedId('wh');

/** Spedy "delivery" ids name one attempt: `dlv_` and the ULID form of the attempt's UUID. */
export const deliveryIds = prefixedId('dlv');

/** Spedy's webhook-id header: the event, so retries and redeliveries carry the same id. */
export const messageIds = prefixedId('msg');
