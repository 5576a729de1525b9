import { CoreError, type ProblemCode, problemCodes } from '@hookport/spec';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorResponse, reasonPhrases, SpedyErrorSchema, validationMessages } from './errors.ts';

/** Renders `err` as the surface would for `method path`. */
async function render(err: CoreError, method = 'GET', path = '/api/v1/webhook-endpoints') {
  const app = new Hono();
  app.all('*', (c) => errorResponse(c, err));
  const res = await app.request(path, { method });
  return { status: res.status, headers: res.headers, body: SpedyErrorSchema.parse(await res.json()) };
}

describe('Spedy error bodies', () => {
  it('renders every Hookport error code as a NestJS body with a 4xx/5xx Spedy status', async () => {
    for (const code of Object.keys(problemCodes) as ProblemCode[]) {
      const { status, body, headers } = await render(new CoreError(code, 'Something'));
      expect(SpedyErrorSchema.parse(body)).toEqual(body);
      expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(body.statusCode).toBe(status);
      expect(body.error).toBe(reasonPhrases[status]);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      expect([400, 401, 403, 404, 409, 413, 415, 429, 500, 503]).toContain(status);
    }
  });

  it('maps 422 onto 400 with a message list, and 405 onto an Express-style 404 without Allow', async () => {
    const invalid = await render(
      new CoreError('validation_failed', 'bad', [
        { path: 'eventTypes.0', message: 'x is not an event type of this tenant', code: 'unknown_event_type' },
      ]),
    );
    expect(invalid.body).toEqual({
      statusCode: 400,
      message: ['events.0 x is not an event type of this tenant'],
      error: 'Bad Request',
    });
    const bare = await render(new CoreError('validation_failed', 'A value cannot be stored'));
    expect(bare.body.message).toBe('Validation failed');
    const wrongMethod = await render(
      new CoreError('method_not_allowed', 'no', [], { Allow: 'GET' }),
      'PUT',
      '/api/v1/webhook-endpoints/wh_1',
    );
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.headers.get('allow')).toBeNull();
    expect(wrongMethod.body.message).toBe('Cannot PUT /api/v1/webhook-endpoints/wh_1');
  });

  it('keeps Retry-After on 503 and hides internal details on 500', async () => {
    const down = await render(new CoreError('unavailable', 'db down', [], { 'Retry-After': '1' }));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    const boom = await render(new CoreError('internal', 'stack trace here'));
    expect(boom.body).toEqual({ statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' });
  });
});

describe('validation messages', () => {
  it('words field problems the class-validator way', () => {
    expect(
      validationMessages([
        { path: 'foo', message: 'is not a known field', code: 'unrecognized_keys' },
        { path: 'name', message: 'name must be a string', code: 'invalid_type' },
        { path: 'url', message: 'Invalid input: expected string, received number', code: 'invalid_type' },
        { path: 'events', message: 'Invalid input: expected array, received string', code: 'invalid_type' },
        { path: 'events.0', message: 'each value in events must be a string', code: 'invalid_type' },
        { path: 'url', message: 'must be an https URL', code: 'custom' },
        { path: '', message: 'The body must be a JSON object', code: 'invalid_type' },
      ]),
    ).toEqual([
      'property foo should not exist',
      'name must be a string',
      'url must be a string',
      'events must be an array',
      'each value in events must be a string',
      'url must be an https URL',
      'The body must be a JSON object',
    ]);
  });

  it("renames Hookport's field names only when asked (core errors), never the request's own", () => {
    const errors = [{ path: 'eventTypes.1', message: 'is not an event type of this tenant', code: 'x' }];
    expect(validationMessages(errors, true)).toEqual(['events.1 is not an event type of this tenant']);
    expect(validationMessages(errors)).toEqual(['eventTypes.1 is not an event type of this tenant']);
  });
});
