import { CoreError } from '@hookport/spec';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RequestValidationError } from '../shared/router.ts';
import { bodyPath, errorResponse, InsufficientScope, RapidlyValidationError } from './errors.ts';

async function render(err: CoreError) {
  const app = new Hono().get('/', (c) => errorResponse(c, err));
  const res = await app.request('/');
  // Every body here is Rapidly's error shape; loose enough to index.
  const body = (await res.json()) as { error: string; detail: unknown } & Record<string, unknown>;
  return { status: res.status, headers: res.headers, body };
}

function zodFailure(schema: z.ZodType, value: unknown, target: 'body' | 'query' = 'body') {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a failure');
  return new RequestValidationError(target, result.error, value);
}

describe('rapidly errors', () => {
  it('renders every Hookport code in the {error, detail} shape with its status', async () => {
    expect(await render(new CoreError('not_found', 'No such endpoint.'))).toMatchObject({
      status: 404,
      body: { error: 'ResourceNotFound', detail: 'Not found' },
    });
    const unauthorized = await render(new CoreError('unauthorized', 'whatever'));
    expect(unauthorized.body).toEqual({ error: 'Unauthorized', detail: 'Unauthorized' });
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer realm="rapidly"');
    expect((await render(new CoreError('forbidden', 'admin'))).body).toEqual({
      error: 'NotPermitted',
      detail: 'admin',
    });
    expect((await render(new CoreError('payload_too_large', 'big'))).status).toBe(413);
    expect((await render(new CoreError('rate_limited', 'slow down'))).body.error).toBe('QuotaExceeded');
    const unavailable = await render(new CoreError('unavailable', 'db', [], { 'Retry-After': '1' }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1');
    expect((await render(new CoreError('internal', 'x'))).body).toEqual({
      error: 'InternalServerError',
      detail: 'Internal Server Error',
    });
  });

  it('renders insufficient scope as RFC 6750 with the scopes in the challenge', async () => {
    const res = await render(new InsufficientScope(['webhooks:write']));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
    });
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="rapidly", scope="webhooks:write", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token."',
    );
  });

  it('renders bad JSON, a non-JSON body and core field errors as FastAPI 422 lists', async () => {
    expect((await render(new CoreError('invalid_json', 'bad'))).body).toEqual({
      error: 'RequestValidationError',
      detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }],
    });
    const media = await render(new CoreError('unsupported_media_type', 'no'));
    expect(media.status).toBe(422);
    expect(media.body.detail).toEqual([expect.objectContaining({ loc: ['body'] })]);
    const core = await render(
      new CoreError('validation_failed', 'x', [
        { path: 'eventTypes.2', message: 'unknown', code: 'unknown_event_type' },
      ]),
    );
    expect(core.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'events', 2], type: 'enum' })]);
    const own = new RapidlyValidationError([{ type: 'missing', loc: ['body', 'workspace_id'], msg: 'm', input: null }]);
    expect((await render(own)).body.detail).toEqual(own.detail);
  });

  it('speaks pydantic for zod issues: missing, types, enums, lengths, echoing the input', async () => {
    const schema = z.object({ url: z.string(), format: z.enum(['raw', 'slack']), secret: z.string().min(32) });
    const res = await render(zodFailure(schema, { format: 'xml', secret: 'short' }));
    expect(res.body.detail).toEqual([
      { type: 'missing', loc: ['body', 'url'], msg: 'Field required', input: null },
      { type: 'enum', loc: ['body', 'format'], msg: expect.stringContaining('Input should be'), input: 'xml' },
      {
        type: 'string_too_short',
        loc: ['body', 'secret'],
        msg: 'String should have at least 32 characters',
        input: 'short',
      },
    ]);
    const query = await render(zodFailure(z.object({ page: z.coerce.number().int().gt(0) }), { page: ['0'] }, 'query'));
    expect(query.body.detail).toEqual([
      { type: 'greater_than', loc: ['query', 'page'], msg: 'Input should be greater than 0', input: '0' },
    ]);
  });

  it('names fields in Rapidly words', () => {
    expect(bodyPath('eventTypes.0')).toEqual(['events', 0]);
    expect(bodyPath('url')).toEqual(['url']);
    expect(bodyPath('')).toEqual([]);
  });
});
