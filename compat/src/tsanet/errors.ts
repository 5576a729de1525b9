import type { CoreError, FieldError, ProblemCode } from '@hookport/spec';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RequestValidationError } from '../shared/router.ts';

/**
 * The one place TSANet error bodies are built: `{message, validationErrors:
 * [{field, message}]}` for every status, as the Spring service answers.
 * Validation is a 400 (Spring's MethodArgumentNotValidException), not the
 * native 422; validationErrors is empty unless a field is at fault.
 */

export const tsanetStatuses: Record<ProblemCode, ContentfulStatusCode> = {
  invalid_json: 400,
  bad_request: 400,
  validation_failed: 400,
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
  rate_limited: 429,
  daily_quota_exceeded: 429,
  internal: 500,
  unavailable: 503,
};

/** The core names endpoint fields natively; a TSANet client knows them by the vendor's names. */
const vendorFieldNames: Record<string, string> = { url: 'callbackUrl' };

/** `eventTypes.0` → `eventTypes[0]`, `url` → `callbackUrl`: field paths as Spring's binder writes them. */
export function vendorField(path: string): string {
  const [head = '', ...rest] = path.split('.');
  return [vendorFieldNames[head] ?? head, ...rest]
    .map((part, i) => (i > 0 && /^\d+$/.test(part) ? `[${part}]` : i > 0 ? `.${part}` : part))
    .join('');
}

export interface TsanetErrorBody {
  message: string;
  validationErrors: { field: string; message: string }[];
}

function fieldErrors(err: CoreError): TsanetErrorBody['validationErrors'] {
  // A whole-body error (a JSON array where an object belongs) has no path: name where it was.
  const where = err instanceof RequestValidationError ? err.target : 'body';
  return err.errors.map((e: FieldError) => ({ field: e.path ? vendorField(e.path) : where, message: e.message }));
}

export function tsanetErrorBody(err: CoreError): { status: ContentfulStatusCode; body: TsanetErrorBody } {
  const status = tsanetStatuses[err.code];
  if (err.code === 'validation_failed') {
    return { status, body: { message: 'Validation failed', validationErrors: fieldErrors(err) } };
  }
  return { status, body: { message: err.message, validationErrors: [] } };
}

export function errorResponse(c: Context, err: CoreError): Response {
  const { status, body } = tsanetErrorBody(err);
  // err.headers carries Allow (405), Retry-After (503) and WWW-Authenticate (401).
  return c.json(body, status, { ...err.headers, 'Content-Type': 'application/json' });
}
