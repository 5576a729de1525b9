import { CoreError, type FieldError, type ProblemCode } from '@hookport/spec';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RequestValidationError } from '../shared/router.ts';

/**
 * The one place Helpdesk error bodies are built:
 * `{"error": {"code", "message", "status", "details"?, "field"?, "request_id"}}`.
 * Codes and statuses are Airclou's (INVALID_API_KEY 401, MISSING_WORKSPACE 400,
 * INSUFFICIENT_API_PERMISSION 403, BAD_REQUEST 400, NOT_FOUND 404,
 * VALIDATION_ERROR 422, CONFLICT 409, RATE_LIMIT_EXCEEDED 429); `details`
 * follows their validation example, `{field: [{code, message}]}`.
 */

/** A Helpdesk condition the core vocabulary has no code for (a missing X-Workspace-Id). */
export class HelpdeskError extends CoreError {
  readonly vendorCode: string;

  constructor(code: ProblemCode, vendorCode: string, message: string) {
    super(code, message);
    this.name = 'HelpdeskError';
    this.vendorCode = vendorCode;
  }
}

const vendorCodes: Record<ProblemCode, { code: string; status: ContentfulStatusCode }> = {
  invalid_json: { code: 'BAD_REQUEST', status: 400 },
  bad_request: { code: 'BAD_REQUEST', status: 400 },
  // Like an API that only parses JSON bodies: anything else is a malformed body.
  unsupported_media_type: { code: 'BAD_REQUEST', status: 400 },
  unauthorized: { code: 'INVALID_API_KEY', status: 401 },
  forbidden: { code: 'INSUFFICIENT_API_PERMISSION', status: 403 },
  not_found: { code: 'NOT_FOUND', status: 404 },
  method_not_allowed: { code: 'METHOD_NOT_ALLOWED', status: 405 },
  conflict: { code: 'CONFLICT', status: 409 },
  idempotency_conflict: { code: 'CONFLICT', status: 409 },
  quota_exceeded: { code: 'QUOTA_EXCEEDED', status: 409 },
  event_expunged: { code: 'CONFLICT', status: 409 },
  payload_too_large: { code: 'PAYLOAD_TOO_LARGE', status: 413 },
  validation_failed: { code: 'VALIDATION_ERROR', status: 422 },
  rate_limited: { code: 'RATE_LIMIT_EXCEEDED', status: 429 },
  daily_quota_exceeded: { code: 'QUOTA_EXCEEDED', status: 429 },
  internal: { code: 'INTERNAL_ERROR', status: 500 },
  unavailable: { code: 'SERVICE_UNAVAILABLE', status: 503 },
};

/** The core names endpoint fields its own way; a Helpdesk client sent (and reads) these. */
const fieldNames: Record<string, string> = { url: 'targetUrl', eventTypes: 'events' };

export function helpdeskField(path: string): string {
  const [head = '', ...rest] = path.split('.');
  return [fieldNames[head] ?? head, ...rest].join('.');
}

interface Detail {
  code: string;
  message: string;
}

function detailOf(e: FieldError, field: string): Detail {
  const label = field || 'body';
  switch (e.code) {
    case 'invalid_type':
      // zod says "received undefined" for an absent field: Helpdesk's REQUIRED.
      return /received undefined$/.test(e.message)
        ? { code: 'REQUIRED', message: `${label} is required` }
        : { code: 'INVALID_TYPE', message: `${label}: ${e.message}` };
    case 'too_small':
      return { code: 'TOO_SHORT', message: `${label}: ${e.message}` };
    case 'too_big':
      return { code: 'TOO_LONG', message: `${label}: ${e.message}` };
    case 'unknown_event_type':
      return { code: 'UNKNOWN_EVENT', message: `${label}: ${e.message}` };
    case 'url_refused':
      return { code: 'URL_NOT_ALLOWED', message: `${label}: ${e.message}` };
    default:
      return { code: 'INVALID', message: `${label}: ${e.message}` };
  }
}

/** Per-field details in Helpdesk's shape, keyed by the field's dotted path (`events.1`). */
export function detailsOf(errors: readonly FieldError[]): Record<string, Detail[]> {
  const details: Record<string, Detail[]> = {};
  for (const e of errors) {
    const field = helpdeskField(e.path);
    const list = details[field] ?? [];
    list.push(detailOf(e, field));
    details[field] = list;
  }
  return details;
}

/** A body that is not an object (or whose `webhook` is not one) is malformed, not invalid. */
function isMalformedBody(err: CoreError): boolean {
  return err instanceof RequestValidationError && err.target === 'body' && err.issues.some((i) => i.path.length === 0);
}

interface ErrorBody {
  error: {
    code: string;
    message: string;
    status: number;
    details?: Record<string, Detail[]>;
    field?: string;
    request_id: string;
  };
}

export function helpdeskErrorBody(
  err: CoreError,
  requestId: string,
): { status: ContentfulStatusCode; body: ErrorBody } {
  if (isMalformedBody(err)) {
    const message = 'The request body must be a JSON object: {"webhook": {…}} or the webhook fields themselves.';
    return { status: 400, body: { error: { code: 'BAD_REQUEST', message, status: 400, request_id: requestId } } };
  }
  const mapped = vendorCodes[err.code];
  const code = err instanceof HelpdeskError ? err.vendorCode : mapped.code;
  if (err.code === 'validation_failed' && err.errors.length > 0) {
    const details = detailsOf(err.errors);
    const fields = Object.keys(details);
    const summary = Object.values(details)
      .flat()
      .slice(0, 3)
      .map((d) => d.message)
      .join('; ');
    return {
      status: mapped.status,
      body: {
        error: {
          code,
          message: `Request validation failed: ${summary}.`,
          status: mapped.status,
          details,
          ...(fields[0] !== undefined ? { field: fields[0] } : {}),
          request_id: requestId,
        },
      },
    };
  }
  return {
    status: mapped.status,
    body: { error: { code, message: err.message, status: mapped.status, request_id: requestId } },
  };
}

/** Renders any CoreError raised under the Helpdesk base path. */
export function errorResponse(c: Context, err: CoreError): Response {
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  const { status, body } = helpdeskErrorBody(err, requestId);
  return c.json(body, status, { ...err.headers, 'Content-Type': 'application/json' });
}
