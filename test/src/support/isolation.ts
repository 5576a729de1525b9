import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Scope } from '@hookport/spec';
import { uuidToUlid } from '@hookport/spec';
import { expect } from 'vitest';
import { type Api, type ApiResponse, type TestHookport, vendorApi } from './harness.ts';

/**
 * The isolation matrix's view of the six API surfaces: every secured
 * operation read from the committed OpenAPI documents (so a route added later
 * is enumerated without touching the test), the scope each one needs (the
 * documents do not carry scopes, so they come from docs/api.md and
 * docs/compat/<vendor>.md, and a completeness check keeps this table and the
 * documents in step), how a path parameter is filled with a tenant's ids in
 * that surface's format, and how each surface words 400/401/403/404.
 */

export const surfaceNames = ['native', 'spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] as const;
export type SurfaceName = (typeof surfaceNames)[number];

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  example?: unknown;
  format?: string;
}

interface OpenApiOperation {
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Operation {
  surface: SurfaceName;
  method: string;
  template: string;
  /** `METHOD template`, the key of the scope table. */
  key: string;
  /** A body that passes the route's schema, so a refusal is about access and nothing else. */
  body: unknown;
  /** The names of its documented query parameters. */
  query: string[];
}

const documentFiles: Record<SurfaceName, string> = {
  native: '../../../spec/openapi.json',
  spedy: '../../../compat/openapi/spedy.json',
  helpdesk: '../../../compat/openapi/helpdesk.json',
  tsanet: '../../../compat/openapi/tsanet.json',
  rapidly: '../../../compat/openapi/rapidly.json',
  xpath: '../../../compat/openapi/xpath.json',
};

function readDocument(surface: SurfaceName): OpenApiDocument {
  return JSON.parse(readFileSync(fileURLToPath(new URL(documentFiles[surface], import.meta.url)), 'utf8'));
}

const httpMethods = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of a surface that declares `security`: the ones a token guards. */
export function securedOperations(surface: SurfaceName): Operation[] {
  const doc = readDocument(surface);
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!httpMethods.has(method) || !op.security || op.security.length === 0) continue;
      const upper = method.toUpperCase();
      const body = requestBodyOf(doc, op);
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      out.push({ surface, method: upper, template, key: `${upper} ${template}`, body, query });
    }
  }
  return out;
}

function requestBodyOf(doc: OpenApiDocument, op: OpenApiOperation): unknown {
  const content = op.requestBody?.content;
  if (!content) return undefined;
  const schema = content['application/json']?.schema;
  return schema ? minimalValue(doc, schema) : {};
}

/** The smallest value a schema accepts: required members only, each from its example or its type. */
export function minimalValue(doc: OpenApiDocument, schema: JsonSchema): unknown {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return minimalValue(doc, target);
  }
  const first = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (first) return minimalValue(doc, first);
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map((part) => minimalValue(doc, part) as object));
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const member = schema.properties?.[name];
        if (member) out[name] = minimalValue(doc, member);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => (schema.items ? minimalValue(doc, schema.items) : 'x'));
    case 'string':
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'uri') return 'https://example.com/isolation';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return {};
  }
}

/**
 * Operations the admin token may call as well as a tenant token with the scopes (portal sessions:
 * the admin opens them for any tenant). The matrix checks the admin gets past the access check there.
 */
export const adminAlsoAllowed: ReadonlySet<string> = new Set([
  'POST /v1/portal-sessions',
  'DELETE /v1/portal-sessions/{id}',
]);

/**
 * What an operation needs: the admin token, a portal session's token (and no other kind), or a tenant
 * token holding every listed scope.
 */
export type Need = 'admin' | 'portal' | readonly Scope[];

/**
 * The scope of every secured operation, per surface, from docs/api.md and the
 * Permissions/Scopes tables of docs/compat/<vendor>.md. The matrix proves each
 * entry both ways: a token without the scope is refused, one with exactly it
 * gets past the check.
 */
export const needs: Record<SurfaceName, Record<string, Need>> = {
  native: {
    'POST /v1/tenants': 'admin',
    'GET /v1/tenants': 'admin',
    'GET /v1/tenants/{id}': 'admin',
    'PATCH /v1/tenants/{id}': 'admin',
    'POST /v1/tenants/{id}/tokens': 'admin',
    'GET /v1/tenants/{id}/tokens': 'admin',
    'DELETE /v1/tenants/{id}/tokens/{tokenId}': 'admin',
    // The admin token may open and revoke these too (adminAlsoAllowed below).
    'POST /v1/portal-sessions': ['endpoints:write'],
    'DELETE /v1/portal-sessions/{id}': ['endpoints:write'],
    // The calling portal session's own record: a portal token only, tenant and admin tokens refused.
    'GET /v1/portal-sessions/current': 'portal',
    'POST /v1/event-types': ['endpoints:write'],
    'GET /v1/event-types': ['endpoints:read'],
    'GET /v1/event-types/{name}': ['endpoints:read'],
    'PATCH /v1/event-types/{name}': ['endpoints:write'],
    'DELETE /v1/event-types/{name}': ['endpoints:write'],
    'POST /v1/endpoints': ['endpoints:write'],
    'GET /v1/endpoints': ['endpoints:read'],
    'GET /v1/endpoints/{id}': ['endpoints:read'],
    'PATCH /v1/endpoints/{id}': ['endpoints:write'],
    'DELETE /v1/endpoints/{id}': ['endpoints:write'],
    'POST /v1/endpoints/{id}/secret/rotate': ['endpoints:write'],
    'POST /v1/endpoints/{id}/ping': ['endpoints:write'],
    'POST /v1/endpoints/{id}/send-example': ['endpoints:write'],
    'POST /v1/endpoints/{id}/recover': ['deliveries:write'],
    'POST /v1/endpoints/test-filter': ['endpoints:read'],
    'GET /v1/endpoints/{id}/stats': ['deliveries:read'],
    'GET /v1/stats': ['deliveries:read'],
    'POST /v1/events': ['events:publish'],
    'POST /v1/events/batch': ['events:publish'],
    'GET /v1/events': ['deliveries:read'],
    'GET /v1/events/{id}': ['deliveries:read'],
    'DELETE /v1/events/{id}/content': ['deliveries:write'],
    'GET /v1/deliveries': ['deliveries:read'],
    'GET /v1/deliveries/{id}': ['deliveries:read'],
    'POST /v1/deliveries/{id}/redeliver': ['deliveries:write'],
    'POST /v1/deliveries/replay': ['deliveries:write'],
    'POST /v1/deliveries/{id}/skip': ['deliveries:write'],
  },
  spedy: {
    'GET /api/v1/webhook-endpoints/events': ['endpoints:read'],
    'GET /api/v1/webhook-endpoints': ['endpoints:read'],
    'POST /api/v1/webhook-endpoints': ['endpoints:write'],
    'GET /api/v1/webhook-endpoints/{id}': ['endpoints:read'],
    'PATCH /api/v1/webhook-endpoints/{id}': ['endpoints:write'],
    'DELETE /api/v1/webhook-endpoints/{id}': ['endpoints:write'],
    'POST /api/v1/webhook-endpoints/{id}/ping': ['endpoints:write', 'deliveries:write'],
    'GET /api/v1/webhook-endpoints/{id}/deliveries': ['endpoints:read', 'deliveries:read'],
    'POST /api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver': ['endpoints:write', 'deliveries:write'],
  },
  helpdesk: {
    'GET /helpdesk/api/v1/webhooks': ['endpoints:write'],
    'POST /helpdesk/api/v1/webhooks': ['endpoints:write'],
    'GET /helpdesk/api/v1/webhooks/{id}': ['endpoints:write'],
    'PUT /helpdesk/api/v1/webhooks/{id}': ['endpoints:write'],
    'DELETE /helpdesk/api/v1/webhooks/{id}': ['endpoints:write'],
  },
  tsanet: {
    'GET /v1/webhooks': ['endpoints:read'],
    'POST /v1/webhooks': ['endpoints:write'],
    'GET /v1/webhooks/{id}/deliveries': ['deliveries:read'],
    'DELETE /v1/webhooks/{id}': ['endpoints:write'],
  },
  rapidly: {
    'GET /api/webhooks/endpoints': ['endpoints:read'],
    'POST /api/webhooks/endpoints': ['endpoints:write'],
    'GET /api/webhooks/endpoints/{id}': ['endpoints:read'],
    'PATCH /api/webhooks/endpoints/{id}': ['endpoints:write'],
    'DELETE /api/webhooks/endpoints/{id}': ['endpoints:write'],
    'PATCH /api/webhooks/endpoints/{id}/secret': ['endpoints:write'],
    'GET /api/webhooks/deliveries': ['deliveries:read'],
    'POST /api/webhooks/events/{id}/redeliver': ['deliveries:write'],
  },
  xpath: {
    'GET /v2.3/webhooks/endpoints': ['endpoints:read'],
    'POST /v2.3/webhooks/endpoints': ['endpoints:write'],
    'GET /v2.3/webhooks/endpoints/{webhookId}': ['endpoints:read'],
    'PATCH /v2.3/webhooks/endpoints/{webhookId}': ['endpoints:write'],
    'DELETE /v2.3/webhooks/endpoints/{webhookId}': ['endpoints:write'],
  },
};

export const tenantScopes: readonly Scope[] = [
  'endpoints:read',
  'endpoints:write',
  'events:publish',
  'deliveries:read',
  'deliveries:write',
];

/** Every scope of a tenant token except those that would grant `scope` (a write scope grants its read). */
export function scopesLacking(scope: Scope): Scope[] {
  const granting = new Set<Scope>([scope]);
  if (scope.endsWith(':read')) granting.add(scope.replace(':read', ':write') as Scope);
  return tenantScopes.filter((s) => !granting.has(s));
}

/** One tenant's resources, with each id in every format a surface shows it in. */
export interface TenantRefs {
  tenantId: string;
  tenantUuid: string;
  /** The word every name, URL, description and event of the tenant carries. */
  marker: string;
  tokenId: string;
  eventType: string;
  native: { endpoint: string; event: string; delivery: string; portalSession: string };
  spedy: { endpoint: string; delivery: string };
  helpdesk: { endpoint: string };
  tsanet: { endpoint: number };
  rapidly: { endpoint: string; event: string };
  xpath: { endpoint: string };
}

/**
 * How a path parameter is filled, by the collection segment in front of it:
 * `/v1/endpoints/{id}` takes the native endpoint id, `/deliveries/{deliveryId}`
 * Spedy's delivery id. A route with a new kind of parameter fails here,
 * loudly, until it is given one.
 */
const paramSources: Record<SurfaceName, Record<string, (r: TenantRefs) => string>> = {
  native: {
    tenants: (r) => r.tenantId,
    tokens: (r) => r.tokenId,
    'event-types': (r) => r.eventType,
    endpoints: (r) => r.native.endpoint,
    events: (r) => r.native.event,
    deliveries: (r) => r.native.delivery,
    'portal-sessions': (r) => r.native.portalSession,
  },
  spedy: { 'webhook-endpoints': (r) => r.spedy.endpoint, deliveries: (r) => r.spedy.delivery },
  helpdesk: { webhooks: (r) => r.helpdesk.endpoint },
  tsanet: { webhooks: (r) => String(r.tsanet.endpoint) },
  rapidly: { endpoints: (r) => r.rapidly.endpoint, events: (r) => r.rapidly.event },
  xpath: { endpoints: (r) => r.xpath.endpoint },
};

/**
 * Query parameters that can name another tenant's things, by name: a list
 * filtered on them must still show only the caller's own.
 */
const querySources: Record<string, (r: TenantRefs) => string> = {
  endpointId: (r) => r.native.endpoint,
  eventType: (r) => r.eventType,
  type: (r) => r.eventType,
  prefix: (r) => r.marker,
  workspace_id: (r) => r.tenantUuid,
  endpoint_id: (r) => r.rapidly.endpoint,
  event_type: (r) => r.eventType,
  query: (r) => r.marker,
};

/** One query string per documented parameter that can name a resource, filled with the given tenant's. */
export function foreignQueries(op: Operation, refs: TenantRefs): string[] {
  return op.query.flatMap((name) => {
    const source = querySources[name];
    return source ? [`${name}=${encodeURIComponent(source(refs))}`] : [];
  });
}

/** Does the path name a resource (has a parameter)? */
export function addressesResource(op: Operation): boolean {
  return op.template.includes('{');
}

/** The operation's path with its parameters filled from one tenant's ids. */
export function pathFor(op: Operation, refs: TenantRefs): string {
  return mixedPath(op, () => refs);
}

/** How many path parameters the operation has. */
export function paramCount(op: Operation): number {
  return op.template.split('/').filter((part) => part.startsWith('{')).length;
}

/**
 * The path with parameter n (0-based) filled from `refsOf(n)`: B's endpoint
 * with A's delivery, A's tenant with B's token id, and so on.
 */
export function mixedPath(op: Operation, refsOf: (n: number) => TenantRefs): string {
  const parts = op.template.split('/');
  let n = 0;
  return parts
    .map((part, i) => {
      if (!part.startsWith('{')) return part;
      const segment = parts[i - 1] ?? '';
      const source = paramSources[op.surface][segment];
      if (!source) throw new Error(`${op.surface} ${op.key}: no id source for a parameter after /${segment}/`);
      return encodeURIComponent(source(refsOf(n++)));
    })
    .join('/');
}

function randomUuid(): string {
  // A version-7-shaped UUID nobody stored: the right shape for every surface, and no row behind it.
  const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const typeId = (prefix: string, uuid: string) => `${prefix}_${uuidToUlid(uuid).toLowerCase()}`;

/** Ids of the right shape on every surface that name nothing: the answer for them is the baseline. */
export function nowhereRefs(): TenantRefs {
  const tenantUuid = randomUuid();
  return {
    tenantId: typeId('tnt', tenantUuid),
    tenantUuid,
    marker: 'nowhere',
    tokenId: typeId('tok', randomUuid()),
    eventType: 'isolation.nowhere',
    native: {
      endpoint: typeId('ep', randomUuid()),
      event: typeId('evt', randomUuid()),
      delivery: typeId('dlv', randomUuid()),
      portalSession: typeId('psn', randomUuid()),
    },
    spedy: { endpoint: `wh_${uuidToUlid(randomUuid())}`, delivery: `dlv_${uuidToUlid(randomUuid())}` },
    helpdesk: { endpoint: `whk_${uuidToUlid(randomUuid())}` },
    tsanet: { endpoint: 8_000_000_000_000 },
    rapidly: { endpoint: randomUuid(), event: randomUuid() },
    xpath: { endpoint: `wh_${uuidToUlid(randomUuid())}` },
  };
}

/** The requests of one surface, each answer checked against that surface's OpenAPI document. */
export function surfaceApi(t: TestHookport, surface: SurfaceName): Api {
  return surface === 'native' ? t.api : vendorApi(t, surface);
}

/** The headers a surface needs besides the token (Helpdesk: the workspace). */
export function surfaceHeaders(surface: SurfaceName, tenantId: string): Record<string, string> {
  return surface === 'helpdesk' ? { 'x-workspace-id': tenantId } : {};
}

export type Refusal = 'missing_workspace' | 'unauthorized' | 'forbidden' | 'not_found';

const statusOf: Record<Refusal, number> = {
  missing_workspace: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
};

const nativeCodes: Record<Refusal, string> = {
  missing_workspace: 'bad_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
};
const helpdeskCodes: Record<Refusal, string> = {
  missing_workspace: 'MISSING_WORKSPACE',
  unauthorized: 'INVALID_API_KEY',
  forbidden: 'INSUFFICIENT_API_PERMISSION',
  not_found: 'NOT_FOUND',
};
const spedyReasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};
const rapidlyErrors: Record<Refusal, readonly string[]> = {
  missing_workspace: [],
  unauthorized: ['Unauthorized'],
  // A tenant token without the scope gets RFC 6750's insufficient_scope; the admin token, which has no tenant, NotPermitted.
  forbidden: ['insufficient_scope', 'NotPermitted'],
  not_found: ['ResourceNotFound'],
};
/** The bearer challenge each surface sends with a 401 (Spedy and Helpdesk document none). */
const challenges: Partial<Record<SurfaceName, RegExp>> = {
  native: /^Bearer realm="hookport"/,
  tsanet: /^Bearer/,
  rapidly: /^Bearer realm="rapidly"/,
  xpath: /^Bearer realm="xpath"/,
};

/**
 * Asserts a refusal in the surface's own error shape (the body was already
 * validated against the surface's document by the request itself).
 */
export function expectRefusal(surface: SurfaceName, res: ApiResponse, refusal: Refusal, label: string): void {
  const status = statusOf[refusal];
  expect(res.status, `${label}: expected ${status}, got ${res.status}: ${res.text}`).toBe(status);
  const body = res.body as Record<string, unknown>;
  const nested = (body.error ?? {}) as Record<string, unknown>;
  switch (surface) {
    case 'native':
      expect(res.headers.get('content-type') ?? '', label).toMatch(/^application\/problem\+json/);
      expect(body.code, label).toBe(nativeCodes[refusal]);
      break;
    case 'spedy':
      expect({ statusCode: body.statusCode, error: body.error }, label).toEqual({
        statusCode: status,
        error: spedyReasons[status],
      });
      break;
    case 'helpdesk':
      expect({ code: nested.code, status: nested.status }, label).toEqual({ code: helpdeskCodes[refusal], status });
      break;
    case 'tsanet':
      expect(body.validationErrors, label).toEqual([]);
      expect(typeof body.message, label).toBe('string');
      break;
    case 'rapidly':
      expect(rapidlyErrors[refusal], `${label}: ${res.text}`).toContain(body.error);
      break;
    case 'xpath':
      expect(nested.code, label).toBe(nativeCodes[refusal]);
      break;
  }
  const challenge = challenges[surface];
  if (refusal === 'unauthorized' && challenge) {
    expect(res.headers.get('www-authenticate') ?? '', `${label}: WWW-Authenticate`).toMatch(challenge);
  }
}

/**
 * Everything of one tenant that must never reach another: its ids in every
 * format (UUID, TypeID, ULID, TSANet's integers), the marker its names, URLs,
 * descriptions and event data carry, its secrets and its tokens.
 */
export interface Footprint {
  strings: string[];
  numbers: Set<number>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The footprint of a tenant, read from every stored row that belongs to it. */
export async function footprintOf(t: TestHookport, tenantUuid: string, extra: readonly string[]): Promise<Footprint> {
  const dump = JSON.parse(await t.snapshot()) as Record<string, Record<string, unknown>[]>;
  const uuids = new Set<string>([tenantUuid]);
  const numbers = new Set<number>();
  for (const rows of Object.values(dump)) {
    for (const row of rows) {
      if (row.tenant_id !== tenantUuid && row.id !== tenantUuid) continue;
      for (const value of Object.values(row)) {
        if (typeof value === 'string' && uuidPattern.test(value)) uuids.add(value);
      }
      if (typeof row.seq === 'number' || typeof row.seq === 'string') numbers.add(Number(row.seq));
    }
  }
  const strings = new Set<string>(extra);
  for (const uuid of uuids) {
    strings.add(uuid);
    strings.add(uuid.replaceAll('-', ''));
    strings.add(uuidToUlid(uuid));
  }
  return { strings: [...strings].map((s) => s.toLowerCase()), numbers };
}

/** Numbers under id-like keys: TSANet shows ids as integers, which a substring check cannot tell apart. */
function idNumbers(value: unknown, key = '', out: number[] = []): number[] {
  if (typeof value === 'number' && /id$/i.test(key)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) idNumbers(v, key, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) idNumbers(v, k, out);
  }
  return out;
}

/**
 * Asserts that nothing of `footprint` is in the answer, except what the
 * request itself carried (an id echoed back to the caller who sent it tells
 * that caller nothing new).
 */
export function expectNothingOf(footprint: Footprint, res: ApiResponse, sent: string, label: string): void {
  const text = `${[...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${res.text}`.toLowerCase();
  const echo = sent.toLowerCase();
  const leaked = footprint.strings.filter((s) => text.includes(s) && !echo.includes(s));
  expect(leaked, `${label}: the answer carries the other tenant's data: ${res.text}`).toEqual([]);
  const numbers = idNumbers(res.body).filter((n) => footprint.numbers.has(n) && !echo.includes(String(n)));
  expect(numbers, `${label}: the answer carries the other tenant's ids: ${res.text}`).toEqual([]);
}

/** An answer with the ids it was asked about and its request id taken out, to compare two refusals. */
export function normalised(res: ApiResponse, ids: readonly string[]): string {
  let text = res.text;
  for (const id of ids) text = text.replaceAll(id, '<id>');
  const requestId = res.headers.get('x-request-id');
  if (requestId) text = text.replaceAll(requestId, '<request-id>');
  return `${res.status} ${text}`;
}
