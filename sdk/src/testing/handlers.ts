/**
 * msw request handlers that stand in for the native Hookport API: every
 * request is checked against the OpenAPI document as the server checks it
 * (the same statuses and RFC 9457 problems), the covered operations work on
 * an in-memory store, and every answer is checked against the document too.
 */
import { type HttpHandler, http } from 'msw';
import type { FieldError } from '../errors.ts';
import type { Scope } from '../types.ts';
import { grants, operations, requiredScope } from './operations.ts';
import { MockProblem } from './problems.ts';
import {
  coerceQueryValue,
  matchRoute,
  parametersOf,
  type Route,
  requestBodySchema,
  responseIssues,
  validator,
} from './spec-routes.ts';
import { MockStore } from './store.ts';

export interface HookportHandlersOptions {
  /** Where the mocked API is served; give your client the same. Default `https://hookport.test`. */
  baseUrl?: string;
  /**
   * The tenant tokens the mock accepts, with their scopes. Default: any
   * bearer token, with every scope (`*`).
   */
  tokens?: Record<string, readonly Scope[]>;
}

export const defaultBaseUrl = 'https://hookport.test';

/** Request bodies over this are refused before they are read, as the server's default HOOKPORT_MAX_REQUEST_BYTES. */
const maxRequestBytes = 1024 * 1024;

/**
 * Request handlers for msw's `setupServer` (Node) or `setupWorker` (browser).
 * Each call has its own empty store: create them again for a fresh tenant.
 */
export function hookportHandlers(options: HookportHandlersOptions = {}): HttpHandler[] {
  const base = new URL(options.baseUrl ?? defaultBaseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const store = new MockStore();
  const answer = async (request: Request): Promise<Response> => {
    const requestId = globalThis.crypto.randomUUID();
    const path = new URL(request.url).pathname.slice(basePath.length) || '/';
    try {
      return await handle(request, path, requestId, store, options.tokens);
    } catch (error) {
      if (!(error instanceof MockProblem)) throw error;
      return problemResponse(error, requestId);
    }
  };
  const origin = `${base.origin}${basePath}`;
  return [
    http.all(`${origin}/*`, ({ request }) => answer(request)),
    http.all(origin, ({ request }) => answer(request)),
  ];
}

async function handle(
  request: Request,
  path: string,
  requestId: string,
  store: MockStore,
  tokens: HookportHandlersOptions['tokens'],
): Promise<Response> {
  const scopes = path.startsWith('/v1/') ? authenticate(request, tokens) : [];
  const match = matchRoute(request.method, path);
  if (match.kind === 'not_found') throw new MockProblem('not_found', `No route ${request.method} ${path}.`);
  if (match.kind === 'method_not_allowed') {
    throw new MockProblem('method_not_allowed', `${request.method} is not allowed on ${path}.`, [], {
      Allow: match.allow.join(', '),
    });
  }
  const { route, pathParams } = match;
  const { operationId } = route.operation;
  const run = operations[operationId];
  if (!run) return notImplemented(route, requestId);
  const scope = requiredScope[operationId];
  if (scope && !grants(scopes, scope)) {
    throw new MockProblem('forbidden', `This token lacks the ${scope} scope.`);
  }
  const query = readQuery(request, route);
  checkPath(route, pathParams);
  checkHeaders(request, route);
  const body = await readBody(request, route);
  const result = run(store, { path: pathParams, query, body, headers: request.headers });
  return respond(route, result.status, result.body, requestId);
}

/** Any bearer token, or one of `tokens`; a 401 with the server's challenge otherwise. */
function authenticate(request: Request, tokens: HookportHandlersOptions['tokens']): readonly string[] {
  const header = request.headers.get('authorization') ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const scopes = token === undefined ? undefined : tokens ? tokens[token] : ['*'];
  if (!scopes) {
    throw new MockProblem('unauthorized', 'A valid API token is required.', [], {
      'WWW-Authenticate': 'Bearer realm="hookport"',
    });
  }
  return scopes;
}

/** The query as the operation's schemas read it; unknown and invalid parameters are a 422, as on the server. */
function readQuery(request: Request, route: Route): Record<string, unknown> {
  const declared = parametersOf(route.operation, 'query');
  const names = declared.map((p) => p.name);
  const query: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  const pairs: [string, string][] = [];
  // forEach, not iteration: the package's DOM lib has no iterable URLSearchParams.
  new URL(request.url).searchParams.forEach((value, name) => {
    pairs.push([name, value]);
  });
  for (const [name, value] of pairs) {
    const parameter = declared.find((p) => p.name === name);
    if (!parameter) {
      errors.push({
        path: name,
        message:
          names.length === 0
            ? 'is not a known query parameter; this operation takes none'
            : `is not a known query parameter; this operation takes ${names.join(', ')}`,
        code: 'unrecognized_keys',
      });
      continue;
    }
    query[name] = coerceQueryValue(parameter.schema, value);
  }
  if (errors.length === 0) {
    for (const parameter of declared) {
      if (query[parameter.name] === undefined) continue;
      for (const issue of validator.validate(parameter.schema, query[parameter.name])) {
        errors.push({ ...issue, path: [parameter.name, issue.path].filter(Boolean).join('.') });
      }
    }
  }
  if (errors.length > 0) throw invalid('query', errors);
  return query;
}

/** A path parameter that does not fit its schema (a malformed id) names nothing: 404, as on the server. */
function checkPath(route: Route, params: Record<string, string>): void {
  for (const parameter of parametersOf(route.operation, 'path')) {
    if (validator.validate(parameter.schema, params[parameter.name]).length > 0) {
      throw new MockProblem('not_found', 'No such resource.');
    }
  }
}

function checkHeaders(request: Request, route: Route): void {
  const errors: FieldError[] = [];
  for (const parameter of parametersOf(route.operation, 'header')) {
    const value = request.headers.get(parameter.name);
    if (value === null) continue;
    for (const issue of validator.validate(parameter.schema, value)) {
      errors.push({ ...issue, path: parameter.name });
    }
  }
  if (errors.length > 0) throw invalid('headers', errors);
}

/** The JSON body: 415 without the JSON media type, 400 when it does not parse, 422 when it fails its schema. */
async function readBody(request: Request, route: Route): Promise<unknown> {
  const schema = requestBodySchema(route.operation);
  if (!schema) return undefined;
  const text = await request.text();
  if (text === '' && !route.operation.requestBody?.required) return undefined;
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new MockProblem('unsupported_media_type', 'Send the body as application/json.');
  }
  if (new TextEncoder().encode(text).length > maxRequestBytes) {
    throw new MockProblem('payload_too_large', 'The request body is larger than allowed.');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MockProblem('invalid_json', 'The request body is not valid JSON.');
  }
  const errors = validator.validate(schema, body);
  if (errors.length > 0) throw invalid('body', errors);
  return body;
}

function invalid(target: string, errors: FieldError[]): MockProblem {
  const summary = errors
    .slice(0, 3)
    .map((e) => `${e.path || target}: ${e.message}`)
    .join('; ');
  return new MockProblem('validation_failed', `The request ${target} is not valid: ${summary}.`, errors);
}

/** An answer of an operation, checked against the document: a mock that drifted from the API fails loudly. */
function respond(route: Route, status: number, body: unknown, requestId: string): Response {
  const issues = responseIssues(route, status, 'application/json', body);
  if (issues.length > 0) {
    throw new Error(
      `@hookport/sdk/testing answered ${route.operation.operationId} with a ${status} that does not match the API document: ${issues
        .map((i) => `${i.path || 'body'} ${i.message}`)
        .join('; ')}`,
    );
  }
  const headers = { 'x-request-id': requestId };
  if (body === undefined) return new Response(null, { status, headers });
  return Response.json(body, { status, headers });
}

function problemResponse(problem: MockProblem, requestId: string): Response {
  return Response.json(problem.body(requestId), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId, ...problem.headers },
  });
}

/**
 * An operation the mock does not implement (tenants and tokens, which need
 * the admin token): a 501 problem that names it, so a test fails clearly.
 */
function notImplemented(route: Route, requestId: string): Response {
  const { operationId } = route.operation;
  return Response.json(
    {
      type: 'https://hookport.dev/problems/not_implemented',
      title: 'Not implemented by the mock',
      status: 501,
      detail: `${operationId} (${route.method} ${route.template}) is not implemented by @hookport/sdk/testing.`,
      code: 'not_implemented',
      requestId,
    },
    { status: 501, headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId } },
  );
}
