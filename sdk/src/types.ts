/**
 * Names for the generated schema types (schema.d.ts, from spec/openapi.json),
 * so callers can write `Endpoint` rather than `components['schemas']['Endpoint']`.
 * Aliases only: nothing here is written by hand.
 */
import type { components, operations } from './schema.js';

export type { components, operations, paths } from './schema.js';

export type Schemas = components['schemas'];

/** The query parameters of an operation, by operationId. */
export type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type Tenant = Schemas['Tenant'];
export type CreateTenant = Schemas['CreateTenant'];
export type UpdateTenant = Schemas['UpdateTenant'];
export type TenantPage = Schemas['TenantPage'];

export type Token = Schemas['Token'];
export type CreatedToken = Schemas['CreatedToken'];
export type CreateToken = Schemas['CreateToken'];
export type TokenPage = Schemas['TokenPage'];
export type Scope = Schemas['Scope'];

export type PortalSession = Schemas['PortalSession'];
export type CreatePortalSession = Schemas['CreatePortalSession'];
export type CurrentPortalSession = Schemas['CurrentPortalSession'];

export type EventType = Schemas['EventType'];
export type CreateEventType = Schemas['CreateEventType'];
export type UpdateEventType = Schemas['UpdateEventType'];
export type EventTypePage = Schemas['EventTypePage'];

export type Endpoint = Schemas['Endpoint'];
export type EndpointWithSecret = Schemas['EndpointWithSecret'];
export type CreateEndpoint = Schemas['CreateEndpoint'];
export type UpdateEndpoint = Schemas['UpdateEndpoint'];
export type EndpointPage = Schemas['EndpointPage'];
export type RotateSecret = Schemas['RotateSecret'];
export type RotatedSecret = Schemas['RotatedSecret'];
export type Recover = Schemas['Recover'];
export type BulkReplay = Schemas['BulkReplay'];
export type BulkReplayResult = Schemas['BulkReplayResult'];
export type Recovered = Schemas['Recovered'];
export type PayloadFilter = Schemas['PayloadFilter'];
export type TestFilter = Schemas['TestFilter'];
export type SendExample = Schemas['SendExample'];
export type FilterResult = Schemas['FilterResult'];

export type Event = Schemas['Event'];
export type EventData = Schemas['EventData'];
export type PublishEvent = Schemas['PublishEvent'];
export type BatchEvent = Schemas['BatchEvent'];
export type PublishBatch = Schemas['PublishBatch'];
export type PublishedEvent = Schemas['PublishedEvent'];
export type EventPage = Schemas['EventPage'];

export type Delivery = Schemas['Delivery'];
export type DeliveryWithAttempts = Schemas['DeliveryWithAttempts'];
export type DeliveryPage = Schemas['DeliveryPage'];
export type DeliveryStatus = Schemas['DeliveryStatus'];

export type DeliveryStats = Schemas['DeliveryStats'];
export type StatsCounts = Schemas['StatsCounts'];
export type StatsBucket = Schemas['StatsBucket'];
export type Attempt = Schemas['Attempt'];

export type Problem = Schemas['Problem'];
