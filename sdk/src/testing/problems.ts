import type { FieldError, ProblemCode } from '../errors.ts';
import type { Problem } from '../types.ts';

/** The statuses and titles of the server's problem codes (spec/src/errors.ts), for the answers the mock gives. */
const problems: Record<ProblemCode, [status: number, title: string]> = {
  invalid_json: [400, 'Malformed JSON'],
  bad_request: [400, 'Bad request'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not found'],
  method_not_allowed: [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  idempotency_conflict: [409, 'Idempotency key reused'],
  quota_exceeded: [409, 'Quota exceeded'],
  event_expunged: [409, 'Event content expunged'],
  payload_too_large: [413, 'Payload too large'],
  unsupported_media_type: [415, 'Unsupported media type'],
  validation_failed: [422, 'Validation failed'],
  rate_limited: [429, 'Too many requests'],
  daily_quota_exceeded: [429, 'Daily event quota exceeded'],
  internal: [500, 'Internal server error'],
  unavailable: [503, 'Service unavailable'],
};

/** An error answer of the mock, thrown by an operation and rendered as the server renders it. */
export class MockProblem extends Error {
  readonly code: ProblemCode;
  readonly errors: FieldError[];
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string, errors: FieldError[] = [], headers: Record<string, string> = {}) {
    super(detail);
    this.code = code;
    this.errors = errors;
    this.headers = headers;
  }

  get status(): number {
    return problems[this.code][0];
  }

  body(requestId: string): Problem {
    return {
      type: `https://hookport.dev/problems/${this.code}`,
      title: problems[this.code][1],
      status: this.status,
      detail: this.message,
      code: this.code,
      requestId,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}
