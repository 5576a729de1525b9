import { z } from '@hono/zod-openapi';
import { type CoreError, type FieldError, type ProblemCode, rateLimitedResponse } from '@hookport/spec';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RequestValidationError } from '../shared/router.ts';

/**
 * Spedy is a NestJS application: every error is
 * `{"statusCode": 400, "message": "…" | ["…"], "error": "Bad Request"}`, the
 * `error` member being the status's reason phrase. Validation failures are
 * 400 with one message per problem, as class-validator's ValidationPipe
 * renders them.
 */

export const SpedyErrorSchema = z
  .object({
    statusCode: z.number().int().openapi({ example: 400 }),
    message: z.union([z.string(), z.array(z.string())]).openapi({ example: 'Validation failed' }),
    error: z.string().openapi({ example: 'Bad Request' }),
  })
  .openapi('SpedyError', { description: 'A NestJS HttpException body.' });

export type SpedyError = z.infer<typeof SpedyErrorSchema>;

/** Spedy statuses for Hookport's error codes; Express has no 405 and no 422, so those become 404 and 400. */
const statusOf: Record<ProblemCode, number> = {
  invalid_json: 400,
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 404,
  conflict: 409,
  idempotency_conflict: 409,
  quota_exceeded: 409,
  event_expunged: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  daily_quota_exceeded: 429,
  internal: 500,
  unavailable: 503,
};

export const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Hookport field names as the Spedy client knows them. */
const fieldNames: Record<string, string> = { eventTypes: 'events', status: 'isActive' };

function vendorPath(path: string): string {
  const [head = '', ...rest] = path.split('.');
  return [fieldNames[head] ?? head, ...rest].join('.');
}

/**
 * One class-validator-like line per field problem: "name must be …",
 * "property foo should not exist". `rename` when the paths are Hookport's
 * (the core's checks of URL and event types), not the request's own.
 */
export function validationMessages(errors: readonly FieldError[], rename = false): string[] {
  return errors.map((e) => {
    const path = rename ? vendorPath(e.path) : e.path;
    if (e.code === 'unrecognized_keys') return `property ${path} should not exist`;
    if (path === '') return e.message;
    const expected = e.code === 'invalid_type' ? /expected (\w+)/.exec(e.message)?.[1] : undefined;
    if (expected !== undefined) return `${path} must be ${expected === 'array' ? 'an' : 'a'} ${expected}`;
    // The route schemas word their own messages the class-validator way, field name first.
    const field = path.split('.')[0] ?? path;
    return e.message.startsWith(`${field} `) || e.message.startsWith('each value in ')
      ? e.message
      : `${path} ${e.message}`;
  });
}

/** What the message says, in the words a NestJS application uses for the same failure. */
function messageOf(c: Context, err: CoreError): string | string[] {
  switch (err.code) {
    case 'validation_failed':
      if (err.errors.length === 0) return 'Validation failed';
      return validationMessages(err.errors, !(err instanceof RequestValidationError));
    case 'method_not_allowed':
      return `Cannot ${c.req.method} ${c.req.path}`;
    case 'not_found':
      // The server's own "no route" answer: Express words it this way.
      return err.message.startsWith('No route for ') ? `Cannot ${c.req.method} ${c.req.path}` : err.message;
    case 'internal':
      return 'Internal server error';
    default:
      return err.message;
  }
}

export function spedyErrorBody(c: Context, err: CoreError): SpedyError {
  const statusCode = statusOf[err.code];
  return { statusCode, message: messageOf(c, err), error: reasonPhrases[statusCode] ?? 'Error' };
}

/** The one place Spedy error responses are built. */
export function errorResponse(c: Context, err: CoreError): Response {
  const body = spedyErrorBody(c, err);
  // An Allow header belongs to a 405, which Spedy never answers.
  const { Allow: _allow, ...headers } = err.headers;
  return c.json(body, body.statusCode as ContentfulStatusCode, headers);
}

const describe: Record<number, string> = {
  400: 'Malformed JSON or a body, query or field that fails validation.',
  401: 'The bearer token is missing, unknown, expired or revoked.',
  403: 'The token lacks the permission, is the admin token, or the tenant has no Pro plan.',
  404: 'No such webhook endpoint or delivery for this organization.',
  409: 'The endpoint is not active; on create, the organization has reached its endpoint quota (the message gives the limit).',
  413: 'The request body is larger than allowed.',
  415: 'The request body is not JSON.',
  429: 'Too Many Requests: the token has used its requests for this window; retry after Retry-After seconds.',
  500: 'An unexpected server error.',
  503: 'The service is temporarily unavailable.',
};

const errorContent = { 'application/json': { schema: SpedyErrorSchema } } as const;

/** Error responses of a route: the given statuses plus those every route can answer (429: the per-token rate limit). */
export function spedyErrors<const S extends readonly number[]>(...statuses: S) {
  const out: Record<number, { description: string; content: typeof errorContent }> = {};
  for (const status of [...statuses, 400, 401, 403, 404, 500, 503]) {
    out[status] = { description: describe[status] ?? 'Error', content: errorContent };
  }
  out[429] = rateLimitedResponse(errorContent, describe[429]);
  return out as {
    [K in S[number] | 400 | 401 | 403 | 404 | 500 | 503]: { description: string; content: typeof errorContent };
  } & { 429: ReturnType<typeof rateLimitedResponse<typeof errorContent>> };
}
