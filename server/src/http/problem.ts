import {
  CoreError,
  type FieldError,
  type Problem,
  type ProblemCode,
  problemCodes,
  problemTitles,
  problemTypeBase,
} from '@hookport/spec';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one place native errors are shaped: RFC 9457 problem details with a
 * machine code, served as application/problem+json.
 */
export function problemBody(code: ProblemCode, detail: string, errors: FieldError[], requestId?: string): Problem {
  return {
    type: `${problemTypeBase}${code}`,
    title: problemTitles[code],
    status: problemCodes[code],
    detail,
    code,
    ...(requestId ? { requestId } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  };
}

export function problemResponse(c: Context, err: CoreError): Response {
  const requestId = c.get('requestId') as string | undefined;
  const body = problemBody(err.code, err.message, err.errors, requestId);
  return c.json(body, err.status as ContentfulStatusCode, {
    ...err.headers,
    'Content-Type': 'application/problem+json',
  });
}

/** Error codes of the database driver that mean "the database is not reachable now". */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * SQLSTATE class 22 (data exception: a NUL character, an out-of-range number,
 * an unsupported Unicode escape in JSON) and 54 (program limit, e.g. nesting
 * too deep): the database refused a value the request carried. Every such
 * statement runs in the request's transaction, which rolls back, so nothing
 * is stored; the caller gets a 422 instead of a 500.
 */
function isRefusedValue(code: string): boolean {
  return /^(22|54)[0-9A-Z]{3}$/.test(code);
}

/** Maps anything a handler or middleware threw onto the error vocabulary. */
export function toCoreError(err: unknown): CoreError | null {
  if (err instanceof CoreError) return err;
  if (err instanceof HTTPException) {
    switch (err.status) {
      case 400:
        return new CoreError('invalid_json', err.message || 'The request body is not valid JSON.');
      case 413:
        return new CoreError('payload_too_large', 'The request body is larger than allowed.');
      case 415:
        return new CoreError('unsupported_media_type', 'Send the body as application/json.');
      case 401:
        return new CoreError('unauthorized', err.message || 'Unauthorized.');
      default: {
        const code = (Object.keys(problemCodes) as ProblemCode[]).find((k) => problemCodes[k] === err.status);
        return new CoreError(code ?? 'bad_request', err.message || problemTitles[code ?? 'bad_request']);
      }
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isRefusedValue(code)) {
    const reason = err instanceof Error ? err.message : 'a value cannot be stored';
    return new CoreError('validation_failed', `A value in the request cannot be stored: ${reason}.`);
  }
  if (typeof code === 'string' && unavailableCodes.has(code)) {
    return new CoreError('unavailable', 'The database is not reachable; try again shortly.', [], {
      'Retry-After': '1',
    });
  }
  return null;
}
