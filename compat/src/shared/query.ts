import { type RouteConfig, z } from '@hono/zod-openapi';

/** A route's query schema, as zod-to-openapi allows it: an object, or an object behind a pipe. */
type QuerySchema = NonNullable<NonNullable<RouteConfig['request']>['query']>;

function namesOf(schema: z.core.$ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return namesOf(schema.in);
  // A declaration error, not a request error: caught when the router is built, at start-up and in every test.
  throw new Error('A query schema must be a z.object (or a pipe from one) so its parameter names are known.');
}

/** The names of the query parameters a route declares: its query schema's keys, none without one. */
export function declaredQueryNames(route: RouteConfig): ReadonlySet<string> {
  const schema: QuerySchema | undefined = route.request?.query;
  return new Set(schema === undefined ? [] : namesOf(schema));
}

/** What the field error of an unknown parameter says: that it is unknown, and what the route takes instead. */
export function unknownParameterMessage(declared: ReadonlySet<string>): string {
  const known = [...declared];
  return known.length === 0
    ? 'is not a known query parameter; this operation takes none'
    : `is not a known query parameter; this operation takes ${known.join(', ')}`;
}

/**
 * The query of a URL, every value of each parameter by name. Read with
 * URLSearchParams into a map, so a parameter named `__proto__` is a name like
 * any other (a plain object would swallow it).
 */
export function queryOf(url: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const at = url.indexOf('?');
  if (at < 0) return out;
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    const values = out.get(name);
    if (values) values.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/**
 * The parameters of a query that the route does not declare, as a zod error
 * (one `unrecognized_keys` issue per name, at the name's path, like a strict
 * schema reports an unknown body field), or undefined when there are none.
 */
export function unknownQueryParameters(
  declared: ReadonlySet<string>,
  query: ReadonlyMap<string, readonly string[]>,
): z.ZodError | undefined {
  const unknown = [...query.keys()].filter((name) => !declared.has(name));
  if (unknown.length === 0) return undefined;
  return new z.ZodError(
    unknown.map((name) => ({
      code: 'unrecognized_keys' as const,
      keys: [name],
      path: [],
      message: `Unrecognized key: "${name}"`,
    })),
  );
}
