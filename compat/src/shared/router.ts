import { OpenAPIHono } from '@hono/zod-openapi';
import { CoreError, type FieldError, fieldErrorsOf } from '@hookport/spec';
import type { ZodError } from 'zod';
import type { SurfaceEnv } from './surface.ts';

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

  constructor(target: ValidationTarget, error: ZodError, value: unknown) {
    const errors: FieldError[] = fieldErrorsOf(error);
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.path || targetWords[target]}: ${e.message}`)
      .join('; ');
    super('validation_failed', `The request ${targetWords[target]} is not valid: ${summary}.`, errors);
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

/**
 * Every router of every surface comes from here, so every route shares one
 * validation hook: a malformed path id is a 404 (nothing by that id can
 * exist); any other input that fails its schema throws a
 * RequestValidationError, which the surface's errorResponse renders in its
 * own shape (a 422 problem natively).
 */
export function createSurfaceRouter() {
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
