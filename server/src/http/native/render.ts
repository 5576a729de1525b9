import type { EndpointRecord, EventTypeRecord, Page, TenantRecord, TokenRecord } from '@hookport/spec';
import { toTypeId } from '../../core/ids.ts';

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
    disabledReason: e.disabledReason,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}
