import {
  type AttemptView,
  CoreError,
  type CorePort,
  type EndpointRecord,
  filterMatches,
  type Scope,
} from '@hookport/spec';
import { bearer, scopeGuard, tenantIn } from '../shared/authorize.ts';
import { allEndpointsOf, allEventTypesOf, endpointOf } from '../shared/endpoints.ts';
import { createSurfaceRouter } from '../shared/router.ts';
import type { Mount } from '../shared/surface.ts';
import { isoSeconds } from '../shared/time.ts';
import { newTsanetSecret, tsanetBody } from './profile.ts';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks } from './routes.ts';

/** How an unauthenticated caller is told to authenticate (Spring Security's bearer challenge). */
const challenge = { 'WWW-Authenticate': 'Bearer' };

/** "All event types" is stored as the filter `*`, so types added to the catalogue later are included. */
export const allEventTypes = '*';

/**
 * TSANet has one bearer token and no published scope names: listing
 * subscriptions needs endpoints:read, creating and deleting endpoints:write,
 * the delivery log deliveries:read (each write scope includes its read).
 */
function lacking(scope: Scope): CoreError {
  return new CoreError('forbidden', `Access denied: this token lacks the ${scope} scope.`);
}

function notFound(id: string): CoreError {
  return new CoreError('not_found', `Webhook subscription not found: ${id}`);
}

/**
 * The endpoint sequence number of a path id: decimal digits within int64 that
 * a JavaScript number holds exactly. Anything else cannot name a subscription.
 */
export function parseSubscriptionId(text: string): number | null {
  if (!/^[0-9]{1,19}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The endpoint behind an int64 id, if it is this tenant's and was made through TSANet; otherwise the 404. */
function tsanetEndpoint(port: CorePort, tenantId: string, idText: string): Promise<EndpointRecord> {
  return endpointOf(port, tenantId, 'tsanet', parseSubscriptionId(idText), () => notFound(idText));
}

/** The names in the tenant's event catalogue, to show `*` and wildcards as the types they stand for. */
async function catalogue(port: CorePort, tenantId: string): Promise<string[]> {
  return (await allEventTypesOf(port, tenantId)).map((t) => t.name).sort();
}

/**
 * TSANet clients map eventTypes onto an enum of concrete names, so a filter
 * that stands for several (`*`, or a `prefix.*` set natively) is shown as the
 * catalogue names it selects today.
 */
export function shownEventTypes(filters: readonly string[], names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const filter of filters) {
    if (filter === allEventTypes || filter.endsWith('.*')) {
      for (const name of names) if (filterMatches(filter, name)) out.add(name);
    } else {
      out.add(filter);
    }
  }
  return [...out];
}

export function renderSubscription(endpoint: EndpointRecord, names: readonly string[]) {
  return {
    id: endpoint.seq,
    callbackUrl: endpoint.url,
    eventTypes: shownEventTypes(endpoint.eventTypes, names),
    active: endpoint.status === 'active',
    createdAt: isoSeconds(endpoint.createdAt),
    updatedAt: isoSeconds(endpoint.updatedAt),
  };
}

/** One attempt as a TSANet delivery log entry; `requestBody` is what the profile sent for its event. */
export function renderDelivery(attempt: AttemptView, requestBody: string | null) {
  return {
    id: attempt.seq,
    cloudEventId: attempt.eventId,
    eventType: attempt.eventType,
    httpStatus: attempt.httpStatus,
    attemptNumber: attempt.number,
    success: attempt.errorKind === null,
    requestBody,
    responseBody: attempt.responseExcerpt,
    createdAt: isoSeconds(attempt.startedAt),
  };
}

/** The body an attempt carried, rendered again from its stored event (the payload is deterministic). */
function requestBodyOf(a: AttemptView): string {
  return tsanetBody({
    eventId: a.eventId,
    eventType: a.eventType,
    data: a.eventData,
    eventCreatedAt: a.eventCreatedAt,
  });
}

/** A Spring `Page`: 0-based `number`, `first`/`last`/`empty` flags and the totals. */
export function springPage<T>(content: T[], total: number, page: number, size: number) {
  const totalPages = Math.ceil(total / size);
  return {
    content,
    totalElements: total,
    totalPages,
    size,
    number: page,
    numberOfElements: content.length,
    first: page === 0,
    last: page >= totalPages - 1,
    empty: content.length === 0,
  };
}

export function tsanetRouter(mount: Mount) {
  const { port } = mount;
  const guarded = scopeGuard(mount, bearer(challenge), lacking);
  return createSurfaceRouter()
    .openapi(guarded(listWebhooks, 'endpoints:read'), async (c) => {
      const tenantId = tenantIn(c);
      const [endpoints, names] = await Promise.all([
        allEndpointsOf(port, tenantId, 'tsanet'),
        catalogue(port, tenantId),
      ]);
      return c.json(
        endpoints.map((e) => renderSubscription(e, names)),
        200,
      );
    })
    .openapi(guarded(createWebhook, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const body = c.req.valid('json');
      const eventTypes = body.eventTypes && body.eventTypes.length > 0 ? body.eventTypes : [allEventTypes];
      const secret = newTsanetSecret();
      const { endpoint } = await port.endpoints.create(tenantId, {
        url: body.callbackUrl,
        eventTypes,
        profile: 'tsanet',
        secret,
      });
      const shown = renderSubscription(endpoint, await catalogue(port, tenantId));
      return c.json(
        {
          id: shown.id,
          callbackUrl: shown.callbackUrl,
          eventTypes: shown.eventTypes,
          active: shown.active,
          secret,
          createdAt: shown.createdAt,
        },
        200,
      );
    })
    .openapi(guarded(listDeliveries, 'deliveries:read'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await tsanetEndpoint(port, tenantId, c.req.valid('param').id);
      const { page, size } = c.req.valid('query');
      const attempts = await port.attempts.list(tenantId, {
        endpointIds: [endpoint.id],
        offset: page * size,
        limit: size,
      });
      const content = attempts.items.map((a) => renderDelivery(a, requestBodyOf(a)));
      return c.json(springPage(content, attempts.total, page, size), 200);
    })
    .openapi(guarded(deleteWebhook, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const endpoint = await tsanetEndpoint(port, tenantId, c.req.valid('param').id);
      await port.endpoints.delete(tenantId, endpoint.id);
      return c.body(null, 204);
    });
}
