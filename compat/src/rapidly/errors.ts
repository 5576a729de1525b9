import { CoreError, type ProblemCode } from '@hookport/spec';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type InputIssue, RequestValidationError } from '../shared/router.ts';

/** One entry of a FastAPI 422 `detail` list. */
export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

export const realm = 'rapidly';

/**
 * A token without the scope a route needs: RFC 6750 `insufficient_scope`,
 * the body and header Authlib builds for Rapidly's InsufficientScopeError.
 */
export class InsufficientScope extends CoreError {
  readonly required: readonly string[];

  constructor(required: readonly string[]) {
    super('forbidden', 'The request requires higher privileges than provided by the access token.');
    this.name = 'InsufficientScope';
    this.required = required;
  }
}

/** A validation error already in Rapidly's terms (loc, type, input), raised by the handlers. */
export class RapidlyValidationError extends CoreError {
  readonly detail: ValidationDetail[];

  constructor(detail: ValidationDetail[]) {
    super('validation_failed', detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '), []);
    this.name = 'RapidlyValidationError';
    this.detail = detail;
  }
}

/**
 * Rapidly's error class names (rapidly/errors) for each Hookport error code;
 * the body is `{"error": <class name>, "detail": <message>}` as its
 * RapidlyError handler renders it. Codes Rapidly has no class for get a
 * descriptive name in the same shape.
 */
const errorNames: Record<ProblemCode, string> = {
  invalid_json: 'RequestValidationError',
  bad_request: 'BadRequest',
  unauthorized: 'Unauthorized',
  forbidden: 'NotPermitted',
  not_found: 'ResourceNotFound',
  method_not_allowed: 'MethodNotAllowed',
  conflict: 'Conflict',
  idempotency_conflict: 'Conflict',
  quota_exceeded: 'Conflict',
  event_expunged: 'Conflict',
  payload_too_large: 'PayloadTooLarge',
  unsupported_media_type: 'RequestValidationError',
  validation_failed: 'RequestValidationError',
  rate_limited: 'QuotaExceeded',
  daily_quota_exceeded: 'QuotaExceeded',
  internal: 'InternalServerError',
  unavailable: 'ServiceUnavailable',
};

/** Rapidly's fixed messages where its error classes have one. */
const fixedDetails: Partial<Record<ProblemCode, string>> = {
  unauthorized: 'Unauthorized',
  not_found: 'Not found',
  method_not_allowed: 'Method Not Allowed',
  internal: 'Internal Server Error',
};

/** The one place Rapidly's error bodies are built. */
export function errorResponse(c: Context, err: CoreError): Response {
  if (err instanceof InsufficientScope) {
    const description = err.message;
    const challenge = `Bearer realm="${realm}", scope="${err.required.join(' ')}", error="insufficient_scope", error_description="${description}"`;
    return c.json({ error: 'insufficient_scope', error_description: description }, 403, {
      'WWW-Authenticate': challenge,
    });
  }
  const detail = validationDetail(err);
  if (detail) return c.json({ error: 'RequestValidationError', detail }, 422, err.headers);
  const headers: Record<string, string> = { ...err.headers };
  if (err.code === 'unauthorized') headers['WWW-Authenticate'] = `Bearer realm="${realm}"`;
  const body = { error: errorNames[err.code], detail: fixedDetails[err.code] ?? err.message };
  return c.json(body, err.status as ContentfulStatusCode, headers);
}

/** FastAPI's 422 list for everything that is one in Rapidly (bad JSON and a non-JSON body included); null otherwise. */
export function validationDetail(err: CoreError): ValidationDetail[] | null {
  if (err instanceof RapidlyValidationError) return err.detail;
  if (err instanceof RequestValidationError) return err.issues.map(pydanticIssue);
  switch (err.code) {
    case 'invalid_json':
      return [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }];
    case 'unsupported_media_type':
      return [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: null,
        },
      ];
    case 'validation_failed':
      return coreFieldDetail(err, null);
    default:
      return null;
  }
}

/**
 * The core's field errors (egress refusals, unknown event types) in
 * Rapidly's 422 terms, echoing the value from `body` when it is known. An
 * event type outside the catalogue is pydantic's `enum` (WebhookEventType).
 */
export function coreFieldDetail(err: CoreError, body: unknown): ValidationDetail[] {
  return err.errors.map((e) => {
    const loc = bodyPath(e.path);
    return {
      type: e.code === 'unknown_event_type' ? 'enum' : 'value_error',
      loc: ['body', ...loc],
      msg: e.message,
      input: valueAt(body, loc) ?? null,
    };
  });
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

/** Hookport's native field names in Rapidly's words (the core reports `eventTypes.N`). */
const fieldNames: Record<string, string> = { eventTypes: 'events' };

export function bodyPath(dotted: string): (string | number)[] {
  if (dotted === '') return [];
  return dotted.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : (fieldNames[part] ?? part)));
}

const pydanticTypeNames: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  array: ['list_type', 'Input should be a valid list'],
  object: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
  number: ['int_parsing', 'Input should be a valid integer'],
  int: ['int_parsing', 'Input should be a valid integer'],
};

/**
 * A zod issue as pydantic would have reported the same mistake: its error
 * type and message where there is an obvious counterpart, zod's message as a
 * `value_error` otherwise.
 */
export function pydanticIssue(issue: InputIssue): ValidationDetail {
  const loc: (string | number)[] = [issue.target, ...issue.path];
  // A query parameter arrives as a list when repeated; a single value is shown bare, as FastAPI does.
  const input =
    issue.target === 'query' && Array.isArray(issue.input) && issue.input.length === 1 ? issue.input[0] : issue.input;
  const [type, msg] = pydanticKind(issue);
  return { type, loc, msg, input: input === undefined ? null : input };
}

function pydanticKind(issue: InputIssue): [string, string] {
  const m = issue.message;
  // What zod's message says it expected (`Too small: expected number to be >0`): the kind of value checked.
  const expected = /expected (\w+)/.exec(m)?.[1] ?? '';
  // An unknown query parameter: what FastAPI answers for a query model that forbids extra inputs.
  if (issue.code === 'unrecognized_keys') return ['extra_forbidden', 'Extra inputs are not permitted'];
  if (issue.input === undefined && issue.code !== 'custom') return ['missing', 'Field required'];
  switch (issue.code) {
    case 'invalid_type':
      return pydanticTypeNames[expected] ?? ['value_error', m];
    case 'invalid_value':
      if (m.includes('"true"') && m.includes('"false"')) {
        return ['bool_parsing', 'Input should be a valid boolean, unable to interpret input'];
      }
      return ['enum', m.replace(/^Invalid option: expected one of /, 'Input should be ')];
    case 'too_small': {
      const n = /(\d+)/.exec(m)?.[1] ?? '';
      if (expected === 'string') return ['string_too_short', `String should have at least ${n} characters`];
      if (expected === 'array') return ['too_short', m];
      return ['greater_than', `Input should be greater than ${n}`];
    }
    case 'too_big': {
      const n = /(\d+)/.exec(m)?.[1] ?? '';
      if (expected === 'string') return ['string_too_long', `String should have at most ${n} characters`];
      if (expected === 'number' || expected === 'int')
        return ['less_than_equal', `Input should be less than or equal to ${n}`];
      return ['too_long', m];
    }
    case 'invalid_format':
      if (m.includes('UUID')) return ['uuid_parsing', 'Input should be a valid UUID'];
      if (m.includes('datetime')) return ['datetime_from_date_parsing', 'Input should be a valid datetime'];
      return ['string_pattern_mismatch', m];
    case 'custom':
      if (m.includes('https')) return ['url_scheme', "URL scheme should be 'https'"];
      return ['value_error', m];
    default:
      return ['value_error', m];
  }
}
