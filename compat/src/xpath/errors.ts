import type { CoreError, FieldError, ProblemCode } from '@hookport/spec';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RequestValidationError } from '../shared/router.ts';

/**
 * The one place XPath error bodies are built: `{"error": {"code", "message"}}`.
 * The vendor's document shows no error examples, so the codes are ours: short
 * snake_case names, one per status, and validation is a 400 (the common REST
 * convention) rather than the native 422. The body carries nothing beyond
 * code and message, so clients that parse the vendor's shape strictly keep
 * working; the message names every offending field.
 */

export interface XpathError {
  status: ContentfulStatusCode;
  code: string;
}

export const xpathErrors: Record<ProblemCode, XpathError> = {
  invalid_json: { status: 400, code: 'invalid_json' },
  bad_request: { status: 400, code: 'bad_request' },
  validation_failed: { status: 400, code: 'validation_error' },
  unauthorized: { status: 401, code: 'unauthorized' },
  forbidden: { status: 403, code: 'forbidden' },
  not_found: { status: 404, code: 'not_found' },
  method_not_allowed: { status: 405, code: 'method_not_allowed' },
  conflict: { status: 409, code: 'conflict' },
  idempotency_conflict: { status: 409, code: 'conflict' },
  quota_exceeded: { status: 409, code: 'quota_exceeded' },
  event_expunged: { status: 409, code: 'conflict' },
  payload_too_large: { status: 413, code: 'payload_too_large' },
  unsupported_media_type: { status: 415, code: 'unsupported_media_type' },
  rate_limited: { status: 429, code: 'rate_limited' },
  daily_quota_exceeded: { status: 429, code: 'quota_exceeded' },
  internal: { status: 500, code: 'internal_error' },
  unavailable: { status: 503, code: 'service_unavailable' },
};

/** The core names endpoint fields natively; an XPath client knows them by the vendor's names. */
const vendorFieldNames: Record<string, string> = { eventTypes: 'events' };

export function vendorPath(path: string): string {
  const [head = '', ...rest] = path.split('.');
  return [vendorFieldNames[head] ?? head, ...rest].join('.');
}

/** Zod says "expected string, received undefined" for a missing field; a client wants to hear "is required". */
function plainMessage(e: FieldError): string {
  return e.code === 'invalid_type' && e.message.endsWith('received undefined') ? 'is required' : e.message;
}

/** One sentence listing each field and what is wrong with it. */
export function validationMessage(errors: readonly FieldError[], fallback: string, rename = vendorPath): string {
  if (errors.length === 0) return fallback;
  const parts = errors.map((e) => (e.path ? `${rename(e.path)}: ${plainMessage(e)}` : plainMessage(e)));
  return `The request is not valid: ${parts.join('; ')}.`;
}

/** A schema failure already names the vendor's fields; the core's own checks name its fields. */
function messageOf(err: CoreError): string {
  if (err.code !== 'validation_failed') return err.message;
  if (err instanceof RequestValidationError) return validationMessage(err.errors, err.message, (p) => p);
  return validationMessage(err.errors, err.message);
}

export function xpathErrorBody(err: CoreError): { status: ContentfulStatusCode; body: XpathErrorBody } {
  const { status, code } = xpathErrors[err.code];
  return { status, body: { error: { code, message: messageOf(err) } } };
}

export interface XpathErrorBody {
  error: { code: string; message: string };
}

export function errorResponse(c: Context, err: CoreError): Response {
  const { status, body } = xpathErrorBody(err);
  // err.headers carries Allow (405), Retry-After (503) and WWW-Authenticate (401).
  return c.json(body, status, { ...err.headers, 'Content-Type': 'application/json' });
}
