import { OpenAPIHono } from '@hono/zod-openapi';
import { CoreError, type FieldError, fieldErrorsOf } from '@hookport/spec';
import type { ZodError } from 'zod';
import type { CompatEnv } from './surface.ts';

export type ValidationTarget = 'body' | 'query' | 'path' | 'header';

const targets: Record<string, ValidationTarget> = { json: 'body', query: 'query', param: 'path', header: 'header' };

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

  constructor(target: ValidationTarget, error: ZodError, value: unknown) {
    const errors: FieldError[] = fieldErrorsOf(error);
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.path || target}: ${e.message}`)
      .join('; ');
    super('validation_failed', `The request ${target} is not valid: ${summary}.`, errors);
    this.name = 'RequestValidationError';
    this.target = target;
    this.issues = error.issues.map((issue) => ({
      target,
      path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: issue.message,
      code: issue.code,
      input: valueAt(value, issue.path),
    }));
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

export interface VendorRouterOptions {
  /** A path parameter that fails its schema: 404 by default (no resource can have that id). */
  badPathParam?: 'not_found' | 'validation_failed';
}

/**
 * Every vendor router comes from here: input that fails its schema throws a
 * RequestValidationError (or a 404 for a malformed id), which the surface's
 * errorResponse renders in the vendor's shape.
 */
export function createVendorRouter(options: VendorRouterOptions = {}) {
  return new OpenAPIHono<CompatEnv>({
    defaultHook: async (result, c) => {
      if (result.success) return;
      const target = targets[result.target] ?? 'body';
      if (target === 'path' && (options.badPathParam ?? 'not_found') === 'not_found') {
        throw new CoreError('not_found', 'No such resource.');
      }
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
