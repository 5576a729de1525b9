import type {
  DeliveryAttempt,
  DeliveryRecord,
  EndpointRecord,
  EventRecord,
  EventTypeRecord,
  Page,
  TenantRecord,
  TokenRecord,
} from '@hookport/spec';
import { toTypeId } from '@hookport/spec';

/** Records of the core port rendered in the native API's shape: TypeIDs and ISO timestamps. */

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function page<T, U>(p: Page<T>, render: (item: T) => U) {
  return { data: p.items.map(render), nextCursor: p.nextCursor };
}

export function renderTenant(t: TenantRecord) {
  return {
    id: toTypeId('tenant', t.id),
    name: t.name,
    metadata: t.metadata,
    quotas: t.quotas,
    limits: t.limits,
    retentionDays: t.retentionDays,
    effectiveRetentionDays: t.effectiveRetentionDays,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function renderToken(t: TokenRecord) {
  return {
    id: toTypeId('token', t.id),
    tenantId: toTypeId('tenant', t.tenantId),
    name: t.name,
    scopes: t.scopes,
    createdAt: iso(t.createdAt),
    expiresAt: isoOrNull(t.expiresAt),
  };
}

export function renderEventType(e: EventTypeRecord) {
  return {
    name: e.name,
    description: e.description,
    schema: e.schema,
    examples: e.examples,
    deprecated: e.deprecated,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function renderEndpoint(e: EndpointRecord) {
  return {
    id: toTypeId('endpoint', e.id),
    url: e.url,
    name: e.name,
    description: e.description,
    eventTypes: e.eventTypes,
    status: e.status,
    profile: e.profile,
    headers: e.headers,
    rateLimit: e.rateLimit,
    metadata: e.metadata,
    filter: e.filter,
    retrySchedule: e.retrySchedule,
    timeoutMs: e.timeoutMs,
    ordering: e.ordering,
    disabledReason: e.disabledReason,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function renderEvent(e: EventRecord) {
  return {
    id: toTypeId('event', e.id),
    type: e.type,
    data: e.expungedAt ? null : e.data,
    deliveryCount: e.deliveryCount,
    createdAt: iso(e.createdAt),
    expungedAt: isoOrNull(e.expungedAt),
    example: e.example,
  };
}

export function renderDelivery(d: DeliveryRecord) {
  return {
    id: toTypeId('delivery', d.id),
    eventId: toTypeId('event', d.eventId),
    endpointId: toTypeId('endpoint', d.endpointId),
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: isoOrNull(d.nextAttemptAt),
    lastHttpStatus: d.lastHttpStatus,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

/** `withBody: false` for a caller that reads no event payloads (a filtered portal): the request's body is null. */
export function renderAttempt(a: DeliveryAttempt, withBody: boolean) {
  return {
    id: toTypeId('attempt', a.id),
    number: a.number,
    startedAt: iso(a.startedAt),
    durationMs: a.durationMs,
    httpStatus: a.httpStatus,
    errorKind: a.errorKind,
    errorMessage: a.errorMessage,
    responseExcerpt: a.responseExcerpt,
    responseTruncated: a.responseTruncated,
    nextAttemptAt: isoOrNull(a.nextAttemptAt),
    request: a.request && { headers: a.request.headers, body: withBody ? a.request.body : null },
  };
}
