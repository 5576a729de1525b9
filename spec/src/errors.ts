import { z } from '@hono/zod-openapi';
import type { ZodError } from 'zod';

/**
 * The one error vocabulary of Hookport. Every failure the core can report has a
 * machine code here; each surface (native, compat) renders the code in its own
 * error shape, so the mapping from code to HTTP status lives in one place.
 */
export const problemCodes = {
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_conflict: 409,
  quota_exceeded: 409,
  event_expunged: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  daily_quota_exceeded: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ProblemCode = keyof typeof problemCodes;

export const problemTitles: Record<ProblemCode, string> = {
  invalid_json: 'Malformed JSON',
  bad_request: 'Bad request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  idempotency_conflict: 'Idempotency key reused',
  quota_exceeded: 'Quota exceeded',
  event_expunged: 'Event content expunged',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  validation_failed: 'Validation failed',
  rate_limited: 'Too many requests',
  daily_quota_exceeded: 'Daily event quota exceeded',
  internal: 'Internal server error',
  unavailable: 'Service unavailable',
};

/** One problem detail for one field of the input. */
export interface FieldError {
  /** Dotted path of the field within the body or query, e.g. `eventTypes.0`, `headers.Host`, `limit`. */
  path: string;
  message: string;
  code: string;
}

/** A refinement may name its own code (`params.code`, e.g. `invalid_filter`) instead of zod's `custom`. */
function customCode(issue: ZodError['issues'][number]): string | null {
  if (issue.code !== 'custom') return null;
  const code: unknown = issue.params?.code;
  return typeof code === 'string' ? code : null;
}

/**
 * Turns zod issues into per-field errors; an unknown key becomes one error per
 * key, saying `unknownKey`. Every surface renders these.
 */
export function fieldErrorsOf(error: ZodError, unknownKey = 'is not a known field'): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: base ? `${base}.${key}` : key, message: unknownKey, code: issue.code });
      }
    } else {
      out.push({ path: base, message: issue.message, code: customCode(issue) ?? issue.code });
    }
  }
  return out;
}

/**
 * The error every core operation throws. Surfaces catch it and render it;
 * nothing outside the surfaces needs to know about HTTP.
 */
export class CoreError extends Error {
  readonly code: ProblemCode;
  readonly errors: FieldError[];
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string, errors: FieldError[] = [], headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'CoreError';
    this.code = code;
    this.errors = errors;
    this.headers = headers;
  }

  get status(): number {
    return problemCodes[this.code];
  }
}

export const problemTypeBase = 'https://hookport.dev/problems/';

export const FieldErrorSchema = z
  .object({
    path: z.string().openapi({ example: 'eventTypes.0' }),
    message: z.string().openapi({ example: 'URL must use https' }),
    code: z.string().openapi({ example: 'invalid_string' }),
  })
  .openapi('FieldError');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: `${problemTypeBase}validation_failed` }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().openapi({ example: 'The request body is not valid.' }),
    code: z.enum(Object.keys(problemCodes) as [ProblemCode, ...ProblemCode[]]),
    requestId: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem', { description: 'An RFC 9457 problem detail.' });

export type Problem = z.infer<typeof ProblemSchema>;

const problemContent = { 'application/problem+json': { schema: ProblemSchema } } as const;

/**
 * The headers of a 429 on every surface. The two RateLimit fields follow the
 * IETF draft (draft-ietf-httpapi-ratelimit-headers) and also come with every
 * other response to an authenticated request; Retry-After (RFC 9110) is what
 * most HTTP clients already honour.
 */
export const RateLimitHeadersSchema = z.object({
  'Retry-After': z.number().int().min(1).openapi({
    description: 'Seconds until the window of this token ends and requests are accepted again.',
    example: 12,
  }),
  RateLimit: z.string().openapi({
    description: 'The quota left in the current window: `r` requests, reset in `t` seconds.',
    example: '"default";r=0;t=12',
  }),
  'RateLimit-Policy': z.string().openapi({
    description: 'The limit: `q` requests per `w` seconds per API token.',
    example: '"default";q=6000;w=60',
  }),
});

/** The 429 response of a route, in any error body: every route that authenticates can answer it. */
export function rateLimitedResponse<C extends object>(content: C, description = 'Too many requests.') {
  return { description, headers: RateLimitHeadersSchema, content };
}

const describe: Record<number, string> = {
  400: 'The request could not be parsed.',
  401: 'The bearer token is missing, unknown, expired or revoked.',
  403: 'The token lacks the scope this operation needs.',
  404: 'No such resource for this tenant.',
  409: 'The request conflicts with the current state, or the tenant has reached a quota (`quota_exceeded`).',
  413: 'The request body is larger than allowed.',
  415: 'The request body is not JSON.',
  422: 'The request is well-formed but not valid (a field, or a query parameter the operation does not take).',
  429: 'The token has used its requests for this window; retry after Retry-After seconds.',
  500: 'An unexpected server error.',
  503: 'The service is temporarily unavailable.',
};

type ProblemResponse = { description: string; content: typeof problemContent };

/**
 * Error responses for a route, as an OpenAPI `responses` fragment. Every
 * route can answer 422 (a query parameter it does not take) and 500. A route
 * that authenticates (it lists 401) also gets the 429 of the per-token rate
 * limit, with its headers, and the 503 of a database that is not reachable
 * (authenticating reads the token from it).
 */
export function errorResponses<const S extends readonly number[]>(...statuses: S) {
  const out: Record<number, ProblemResponse> = {};
  for (const status of [...statuses, 422, 500].sort((a, b) => a - b)) {
    out[status] = { description: describe[status] ?? 'Error', content: problemContent };
  }
  if (statuses.includes(401)) {
    out[429] = rateLimitedResponse(problemContent, describe[429]);
    out[503] = { description: describe[503] ?? 'Error', content: problemContent };
  }
  return out as { [K in S[number] | 422 | 500]: ProblemResponse } & (401 extends S[number]
    ? { 429: ReturnType<typeof rateLimitedResponse<typeof problemContent>>; 503: ProblemResponse }
    : unknown);
}

/** The errors every authenticated JSON route can produce. */
export const authErrors = [401, 403] as const;

/** The path of a field of event `index` in a batch body, dotted like every field path (`events.3.data.amount`). */
const batchPath = (index: number, path: string) => (path ? `events.${index}.${path}` : `events.${index}`);

/**
 * The refusal of a batch (POST /v1/events/batch) for what its event `index` is refused: the detail and
 * the field paths name the event. A refusal without field errors (an idempotency conflict, a size limit)
 * gets one, so the index is machine-readable too.
 */
export function batchEventRefusal(index: number, err: CoreError): CoreError {
  const errors: FieldError[] =
    err.errors.length > 0
      ? err.errors.map((e) => ({ ...e, path: batchPath(index, e.path) }))
      : [{ path: batchPath(index, ''), message: err.message, code: err.code }];
  return new CoreError(err.code, `events[${index}]: ${err.message}`, errors, err.headers);
}
