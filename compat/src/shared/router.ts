import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { CoreError, type FieldError, fieldErrorsOf } from '@hookport/spec';
import type { ZodError } from 'zod';
import { declaredQueryNames, queryOf, unknownParameterMessage, unknownQueryParameters } from './query.ts';
import type { SurfaceEnv, SurfaceMiddleware } from './surface.ts';

export type ValidationTarget = 'body' | 'query' | 'path' | 'header';

const targets: Record<string, ValidationTarget> = { json: 'body', query: 'query', param: 'path', header: 'header' };
/** How the message names where the input was. */
const targetWords: Record<ValidationTarget, string> = { body: 'body', query: 'query', path: 'path', header: 'headers' };

/** One failing input value, with where it was and what it was, for vendors whose errors echo them (Rapidly). */
export interface InputIssue {
  target: ValidationTarget;
  path: (string | number)[];
  message: string;
  code: string;
  input: unknown;
}

/**
 * A request that failed its schema. A CoreError (`validation_failed`) like any
 * other, carrying the raw issues for surfaces that render more than the
 * field errors.
 */
export class RequestValidationError extends CoreError {
  readonly target: ValidationTarget;
  readonly issues: InputIssue[];

  /** `unknownKey`: what the field error of an unknown key says (a body's field, a query's parameter). */
  constructor(target: ValidationTarget, error: ZodError, value: unknown, unknownKey?: string) {
    const errors: FieldError[] = fieldErrorsOf(error, unknownKey);
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.path || targetWords[target]}: ${e.message}`)
      .join('; ');
    super('validation_failed', `The request ${targetWords[target]} is not valid: ${summary}.`, errors);
    this.name = 'RequestValidationError';
    this.target = target;
    this.issues = error.issues.flatMap((issue) => {
      const at = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
      // One issue per unknown key, at the key, as pydantic reports an extra input.
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...at, key]) : [at];
      return paths.map((path) => ({
        target,
        path,
        message: issue.message,
        code: issue.code,
        input: valueAt(value, path),
      }));
    });
  }
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let here: unknown = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}

/**
 * Refuses a request whose query has a parameter the route does not declare,
 * so a misspelt or unsupported filter is an error instead of being ignored
 * (which answers as if there were no filter). It runs after the route's own
 * middleware, so a caller without access learns nothing about the query.
 */
function rejectUnknownQuery(route: RouteConfig): SurfaceMiddleware {
  const declared = declaredQueryNames(route);
  const unknownKey = unknownParameterMessage(declared);
  return async (c, next) => {
    const query = queryOf(c.req.url);
    const error = query.size === 0 ? undefined : unknownQueryParameters(declared, query);
    if (error) throw new RequestValidationError('query', error, Object.fromEntries(query), unknownKey);
    await next();
  };
}

/** A route with the unknown-query check last among its middleware, in front of its validators. */
function withKnownQuery<R extends RouteConfig>(route: R): R {
  const own =
    route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  return { ...route, middleware: [...own, rejectUnknownQuery(route)] };
}

/**
 * Every router of every surface comes from here, so every route shares one
 * validation hook: a malformed path id is a 404 (nothing by that id can
 * exist); an unknown query parameter, and any other input that fails its
 * schema, throws a RequestValidationError, which the surface's errorResponse
 * renders in its own shape (a 422 problem natively). Each surface declares
 * that status on every operation of its document.
 */
export function createSurfaceRouter() {
  const router = createHonoRouter();
  const declare = router.openapi;
  router.openapi = (route, handler, hook) => declare(withKnownQuery(route), handler, hook);
  return router;
}

function createHonoRouter() {
  return new OpenAPIHono<SurfaceEnv>({
    defaultHook: async (result, c) => {
      if (result.success) return;
      const target = targets[result.target] ?? 'body';
      if (target === 'path') throw new CoreError('not_found', 'No such resource.');
      // The raw input, so a surface can echo the offending value (Hono caches the parsed body).
      const value =
        target === 'body'
          ? await c.req.json().catch(() => undefined)
          : target === 'query'
            ? c.req.queries()
            : undefined;
      throw new RequestValidationError(target, result.error, value);
    },
  });
}
