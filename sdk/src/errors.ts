import type { components } from './schema.js';

type Problem = components['schemas']['Problem'];

/** The machine-readable error codes the API answers with (`problem.code`). */
export type ProblemCode = Problem['code'];
export type FieldError = components['schemas']['FieldError'];

/**
 * The API answered with a non-2xx status. Carries the RFC 9457 problem
 * fields; when the body is not a problem (a proxy's HTML error page, say),
 * `code` is undefined and `title` / `detail` come from the status line and body.
 */
export class HookportError extends Error {
  override readonly name = 'HookportError';
  readonly status: number;
  readonly code: ProblemCode | undefined;
  readonly type: string | undefined;
  readonly title: string;
  readonly detail: string;
  /** Per-field validation errors (`validation_failed`); empty otherwise. */
  readonly errors: FieldError[];
  /** The server's request id (problem body or X-Request-Id header): quote it in support requests. */
  readonly requestId: string | undefined;
  /** The response headers (Retry-After, rate limits). */
  readonly headers: Headers;

  constructor(response: Response, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    const title = problem?.title ?? (response.statusText || `HTTP ${response.status}`);
    const detail = problem?.detail ?? (typeof body === 'string' ? body.slice(0, 1000) : '');
    const requestId = problem?.requestId ?? response.headers.get('x-request-id') ?? undefined;
    const context = [`status ${response.status}`, problem?.code, requestId && `request ${requestId}`];
    super(`${title}${detail ? `: ${detail}` : ''} (${context.filter(Boolean).join(', ')})`);
    this.status = response.status;
    this.code = problem?.code;
    this.type = problem?.type;
    this.title = title;
    this.detail = detail;
    this.errors = problem?.errors ?? [];
    this.requestId = requestId;
    this.headers = response.headers;
  }
}

/** The request never got an HTTP response (DNS, connection refused or reset, TLS), after all retries. */
export class HookportNetworkError extends Error {
  override readonly name: string = 'HookportNetworkError';
}

/** No complete response arrived within `timeoutMs`, after all retries. A kind of network error. */
export class HookportTimeoutError extends HookportNetworkError {
  override readonly name = 'HookportTimeoutError';
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`No response within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' &&
    body !== null &&
    'code' in body &&
    typeof body.code === 'string' &&
    'title' in body &&
    typeof body.title === 'string' &&
    'status' in body &&
    typeof body.status === 'number'
  );
}
