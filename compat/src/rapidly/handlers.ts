import { createHash, randomBytes } from 'node:crypto';
import {
  type AttemptView,
  CoreError,
  type CorePort,
  type DeliveryRecord,
  type EndpointRecord,
  isUuid,
  type Scope,
  type UpdateEndpointInput,
} from '@hookport/spec';
import { bearer, scopeGuard, tenantIn } from '../shared/authorize.ts';
import { allEndpointsOf, endpointOf } from '../shared/endpoints.ts';
import { createSurfaceRouter } from '../shared/router.ts';
import type { Mount } from '../shared/surface.ts';
import { coreFieldDetail, InsufficientScope, RapidlyValidationError, realm, type ValidationDetail } from './errors.ts';
import { formatKey, formatOf, renderPayload } from './profile.ts';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  redeliverEvent,
  resetEndpointSecret,
  updateEndpoint,
} from './routes.ts';

const challenge = { 'WWW-Authenticate': `Bearer realm="${realm}"` };

/** Rapidly's scopes for reading (either one will do) and for writing. */
const readScopes = ['webhooks:read', 'webhooks:write'];
const writeScopes = ['webhooks:write'];

/**
 * Rapidly's `webhooks:read` / `webhooks:write` over Hookport's scopes:
 * reading endpoints needs endpoints:read, reading deliveries deliveries:read,
 * changing endpoints endpoints:write, redelivering deliveries:write (a write
 * scope includes its read scope, and `*` everything). The refusal names
 * Rapidly's scopes.
 */
function lacking(needed: Scope): CoreError {
  return new InsufficientScope(needed.endsWith(':read') ? readScopes : writeScopes);
}

/**
 * `rapidly_whs_` + URL-safe base64 (unpadded) of 32 random bytes and a 4-byte
 * integrity tag, the shape of Rapidly's generate_token. The tag here is the
 * head of a BLAKE2b-512 digest (Rapidly uses a 4-byte BLAKE2b); nothing
 * outside checks it.
 */
export function newRapidlySecret(): string {
  const entropy = randomBytes(32);
  const tag = createHash('blake2b512').update(entropy).digest().subarray(0, 4);
  return `rapidly_whs_${Buffer.concat([entropy, tag]).toString('base64url')}`;
}

/** Rapidly never shows an unmodified row's modified_at. */
function modifiedAt(createdAt: Date, updatedAt: Date): string | null {
  return updatedAt.getTime() > createdAt.getTime() ? updatedAt.toISOString() : null;
}

export function renderEndpoint(endpoint: EndpointRecord, secret: string) {
  return {
    id: endpoint.id,
    created_at: endpoint.createdAt.toISOString(),
    modified_at: modifiedAt(endpoint.createdAt, endpoint.updatedAt),
    url: endpoint.url,
    format: formatOf(endpoint.metadata),
    secret,
    workspace_id: endpoint.tenantId,
    events: endpoint.eventTypes,
    enabled: endpoint.status === 'active',
  };
}

function deliveryOutcome(status: DeliveryRecord['status']): boolean | null {
  if (status === 'succeeded') return true;
  return status === 'failed' ? false : null;
}

/** One attempt as Rapidly's WebhookDelivery, with its delivery as the WebhookEvent. */
export function renderAttempt(attempt: AttemptView, endpoint: EndpointRecord) {
  const response = attempt.responseExcerpt || attempt.errorMessage || null;
  return {
    id: attempt.id,
    created_at: attempt.startedAt.toISOString(),
    modified_at: null,
    succeeded: attempt.errorKind === null,
    http_code: attempt.httpStatus,
    response: response === null ? null : response.slice(0, 2048),
    webhook_event: {
      id: attempt.deliveryId,
      created_at: attempt.deliveryCreatedAt.toISOString(),
      modified_at: modifiedAt(attempt.deliveryCreatedAt, attempt.deliveryUpdatedAt),
      last_http_code: attempt.deliveryLastHttpStatus,
      succeeded: deliveryOutcome(attempt.deliveryStatus),
      skipped: attempt.deliveryStatus === 'skipped',
      payload: renderPayload(formatOf(endpoint.metadata), {
        eventType: attempt.eventType,
        data: attempt.eventData,
        eventCreatedAt: attempt.eventCreatedAt,
        eventId: attempt.eventId,
      }),
      type: attempt.eventType,
      is_archived: false,
    },
  };
}

function notFound(): CoreError {
  return new CoreError('not_found', 'Not found');
}

/** The UUID a path id names (any letter case, as Python's UUID parses it); null when it is none. */
function uuidIn(text: string): string | null {
  const id = text.toLowerCase();
  return isUuid(id) ? id : null;
}

/** An endpoint of this tenant created through the Rapidly surface; anything else is not found. */
function rapidlyEndpoint(port: CorePort, tenantId: string, idText: string): Promise<EndpointRecord> {
  return endpointOf(port, tenantId, 'rapidly', uuidIn(idText), notFound);
}

/** Every Rapidly endpoint of the tenant, by id. */
async function rapidlyEndpoints(port: CorePort, tenantId: string): Promise<Map<string, EndpointRecord>> {
  return new Map((await allEndpointsOf(port, tenantId, 'rapidly')).map((e) => [e.id, e]));
}

/** The core's field errors (egress refusals, unknown event types) as Rapidly's 422, echoing the input. */
async function translated<T>(body: unknown, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof CoreError) || err.code !== 'validation_failed' || err.errors.length === 0) throw err;
    throw new RapidlyValidationError(coreFieldDetail(err, body));
  }
}

const truthy = new Set(['true', '1', 'yes', 'on', 't', 'y']);

function pageMeta(total: number, page: number, perPage: number) {
  return { total, page, per_page: perPage, pages: Math.ceil(total / perPage) };
}

export function rapidlyRouter(mount: Mount) {
  const { port } = mount;
  const guarded = scopeGuard(mount, bearer(challenge), lacking);
  const show = async (endpoint: EndpointRecord) =>
    renderEndpoint(endpoint, await port.endpoints.revealSecret(endpoint.tenantId, endpoint.id));

  return createSurfaceRouter()
    .openapi(guarded(listEndpoints, 'endpoints:read'), async (c) => {
      const tenantId = tenantIn(c);
      const q = c.req.valid('query');
      const limit = Math.min(q.limit, 100);
      // Another workspace's endpoints are not readable: filtering on it alone finds nothing.
      const readable = q.workspace_id === undefined || q.workspace_id.some((id) => id.toLowerCase() === tenantId);
      const page = readable
        ? await port.endpoints.listNumbered(tenantId, {
            profile: 'rapidly',
            order: 'desc',
            offset: (q.page - 1) * limit,
            limit,
          })
        : { items: [], total: 0 };
      const data = await Promise.all(page.items.map(show));
      return c.json({ data, meta: pageMeta(page.total, q.page, limit) }, 200);
    })
    .openapi(guarded(createEndpoint, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const body = c.req.valid('json');
      if (body.workspace_id != null && body.workspace_id.toLowerCase() !== tenantId) {
        throw new RapidlyValidationError([
          { type: 'value_error', loc: ['body', 'workspace_id'], msg: 'Workspace not found.', input: body.workspace_id },
        ]);
      }
      const secret = body.secret ?? newRapidlySecret();
      const { endpoint } = await translated(body, () =>
        port.endpoints.create(tenantId, {
          url: body.url,
          eventTypes: body.events,
          profile: 'rapidly',
          metadata: { [formatKey]: body.format },
          secret,
        }),
      );
      return c.json(renderEndpoint(endpoint, secret), 201);
    })
    .openapi(guarded(getEndpoint, 'endpoints:read'), async (c) => {
      const tenantId = tenantIn(c);
      return c.json(await show(await rapidlyEndpoint(port, tenantId, c.req.valid('param').id)), 200);
    })
    .openapi(guarded(updateEndpoint, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const current = await rapidlyEndpoint(port, tenantId, c.req.valid('param').id);
      const body = c.req.valid('json');
      const input: UpdateEndpointInput = {
        ...(body.url != null ? { url: body.url } : {}),
        ...(body.events != null ? { eventTypes: body.events } : {}),
        ...(body.enabled != null ? { status: body.enabled ? 'active' : 'disabled' } : {}),
        ...(body.format != null ? { metadata: { ...current.metadata, [formatKey]: body.format } } : {}),
      };
      let updated = await translated(body, () => port.endpoints.update(tenantId, current.id, input));
      // The deprecated `secret` field still sets the secret, as Rapidly's update does; it takes effect at once.
      if (body.secret != null) {
        await port.endpoints.rotateSecret(tenantId, current.id, { secret: body.secret, gracePeriodSeconds: 0 });
        updated = await port.endpoints.get(tenantId, current.id);
      }
      return c.json(await show(updated), 200);
    })
    .openapi(guarded(resetEndpointSecret, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const current = await rapidlyEndpoint(port, tenantId, c.req.valid('param').id);
      // Rapidly replaces the secret outright: no grace period during which the old one still signs.
      const { secret } = await port.endpoints.rotateSecret(tenantId, current.id, {
        secret: newRapidlySecret(),
        gracePeriodSeconds: 0,
      });
      return c.json(renderEndpoint(await port.endpoints.get(tenantId, current.id), secret), 200);
    })
    .openapi(guarded(deleteEndpoint, 'endpoints:write'), async (c) => {
      const tenantId = tenantIn(c);
      const current = await rapidlyEndpoint(port, tenantId, c.req.valid('param').id);
      await port.endpoints.delete(tenantId, current.id);
      return c.body(null, 204);
    })
    .openapi(guarded(listDeliveries, 'deliveries:read'), async (c) => {
      const tenantId = tenantIn(c);
      const q = c.req.valid('query');
      const limit = Math.min(q.limit, 100);
      await checkEventTypes(port, tenantId, q.event_type ?? []);
      const endpoints = await rapidlyEndpoints(port, tenantId);
      const endpointIds = q.endpoint_id
        ? q.endpoint_id.map((id) => id.toLowerCase()).filter((id) => endpoints.has(id))
        : [...endpoints.keys()];
      if (endpointIds.length === 0) return c.json({ data: [], meta: pageMeta(0, q.page, limit) }, 200);
      const page = await port.attempts.list(tenantId, {
        endpointIds,
        eventTypes: q.event_type,
        succeeded: q.succeeded === undefined ? undefined : truthy.has(q.succeeded),
        httpStatusClass: q.http_code_class,
        since: q.start_timestamp === undefined ? undefined : new Date(q.start_timestamp),
        until: q.end_timestamp === undefined ? undefined : new Date(q.end_timestamp),
        query: q.query,
        offset: (q.page - 1) * limit,
        limit,
      });
      const data = renderAttempts(page.items, endpoints);
      return c.json({ data, meta: pageMeta(page.total, q.page, limit) }, 200);
    })
    .openapi(guarded(redeliverEvent, 'deliveries:write'), async (c) => {
      const tenantId = tenantIn(c);
      const id = uuidIn(c.req.valid('param').id);
      if (id === null) throw notFound();
      const { delivery } = await port.deliveries.get(tenantId, id);
      const endpoint = await rapidlyEndpoint(port, tenantId, delivery.endpointId);
      // Rapidly schedules the send regardless and the worker skips a disabled endpoint; so does this.
      if (endpoint.status === 'active') await port.deliveries.redeliver(tenantId, delivery.id);
      return c.json(null, 202);
    });
}

/** Rapidly's event_type is an enum: a name outside the workspace's catalogue is a 422. */
async function checkEventTypes(port: CorePort, tenantId: string, names: readonly string[]): Promise<void> {
  const detail: ValidationDetail[] = [];
  for (const [i, name] of names.entries()) {
    try {
      await port.eventTypes.get(tenantId, name);
    } catch (err) {
      if (!(err instanceof CoreError) || err.code !== 'not_found') throw err;
      detail.push({
        type: 'enum',
        loc: ['query', 'event_type', i],
        msg: 'Input should be an event type of this workspace',
        input: name,
      });
    }
  }
  if (detail.length > 0) throw new RapidlyValidationError(detail);
}

/** Each attempt of the page with its endpoint (every listed attempt belongs to one of them). */
function renderAttempts(attempts: readonly AttemptView[], endpoints: Map<string, EndpointRecord>) {
  return attempts.flatMap((a) => {
    const endpoint = endpoints.get(a.endpointId);
    return endpoint ? [renderAttempt(a, endpoint)] : [];
  });
}
