/**
 * The operations of Hookport's OpenAPI document as the mock routes them:
 * path templates matched against a request's path, and each operation's
 * parameters, body and responses looked up for validation.
 */
import { openapiDocument } from './openapi-document.ts';
import { type Issue, type Schema, SchemaValidator } from './schema-validator.ts';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export interface Route {
  method: string;
  template: string;
  operation: Operation;
}

interface PathEntry {
  template: string;
  pattern: RegExp;
  names: string[];
  methods: Map<string, Operation>;
}

const document = openapiDocument as Schema & { paths: Record<string, Record<string, Operation>> };

export const validator = new SchemaValidator(document);

// Fewer parameters first (a stable sort): `/v1/endpoints/test-filter` is tried before `/v1/endpoints/{id}`.
const paramCount = (template: string) => (template.match(/\{/g) ?? []).length;
const paths: PathEntry[] = Object.entries(document.paths)
  .sort(([a], [b]) => paramCount(a) - paramCount(b))
  .map(([template, operations]) => {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const methods = new Map(Object.entries(operations).map(([method, op]) => [method.toUpperCase(), op] as const));
    return { template, pattern: new RegExp(`^${source}$`), names, methods };
  });

export type Match =
  | { kind: 'route'; route: Route; pathParams: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

export function matchRoute(method: string, pathname: string): Match {
  // The most specific template the path matches answers a 405 when no template it matches takes the
  // method; a less specific one that does (GET /v1/endpoints/test-filter is getEndpoint) serves it.
  let notAllowed: Match | null = null;
  for (const entry of paths) {
    const found = entry.pattern.exec(pathname);
    if (!found) continue;
    // HEAD is served wherever GET is, as the server (Hono) does.
    const operation = entry.methods.get(method) ?? (method === 'HEAD' ? entry.methods.get('GET') : undefined);
    if (!operation) {
      const allow = [...entry.methods.keys()];
      notAllowed ??= { kind: 'method_not_allowed', allow: allow.includes('GET') ? [...allow, 'HEAD'] : allow };
      continue;
    }
    const pathParams = Object.fromEntries(
      entry.names.map((name, i) => [name, safeDecode(found[i + 1] ?? '')] as const),
    );
    return { kind: 'route', route: { method, template: entry.template, operation }, pathParams };
  }
  return notAllowed ?? { kind: 'not_found' };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function parametersOf(operation: Operation, place: Parameter['in']): Parameter[] {
  return (operation.parameters ?? []).filter((p) => p.in === place);
}

/** A query string value as the server's schemas read it: numbers from their digits, the rest as text. */
export function coerceQueryValue(schema: Schema, value: string): unknown {
  const own = typeof schema.$ref === 'string' ? validator.resolve(schema.$ref) : schema;
  if ((own.type === 'integer' || own.type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

export function requestBodySchema(operation: Operation): Schema | undefined {
  return operation.requestBody?.content['application/json']?.schema;
}

/** Checks an answer of the mock against the operation's declared responses; the failures, or none. */
export function responseIssues(route: Route, status: number, contentType: string, body: unknown): Issue[] {
  const declared = route.operation.responses[String(status)];
  if (!declared) {
    return [
      { path: '', message: `status ${status} is not declared for ${route.operation.operationId}`, code: 'status' },
    ];
  }
  if (!declared.content) return [];
  const media = declared.content[contentType];
  if (!media) return [{ path: '', message: `${contentType} is not declared for ${status}`, code: 'content_type' }];
  return validator.validate(media.schema, body);
}
