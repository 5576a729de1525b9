import { CoreError, type ProblemCode, problemCodes } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RequestValidationError } from '../shared/router.ts';
import { validationMessage, vendorPath, xpathErrorBody, xpathErrors } from './errors.ts';

describe('xpathErrorBody', () => {
  it('maps every core error code onto a status and a code, in {error: {code, message}}', () => {
    for (const code of Object.keys(problemCodes) as ProblemCode[]) {
      const { status, body } = xpathErrorBody(new CoreError(code, `it went wrong: ${code}`));
      expect(status).toBe(xpathErrors[code].status);
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toEqual({ code: xpathErrors[code].code, message: `it went wrong: ${code}` });
    }
  });

  it('answers validation with 400, not 422, and 5xx only for outages and bugs', () => {
    expect(xpathErrors.validation_failed.status).toBe(400);
    for (const code of Object.keys(problemCodes) as ProblemCode[]) {
      const server = code === 'internal' || code === 'unavailable';
      expect(xpathErrors[code].status >= 500).toBe(server);
    }
  });

  it("names the core's fields by the vendor's names", () => {
    const err = new CoreError('validation_failed', 'eventTypes.1 x', [
      { path: 'eventTypes.1', message: 'tickets.* matches no event type of this tenant', code: 'unknown_event_type' },
      { path: 'url', message: 'must use https', code: 'url_refused' },
    ]);
    expect(xpathErrorBody(err).body.error.message).toBe(
      'The request is not valid: events.1: tickets.* matches no event type of this tenant; url: must use https.',
    );
  });

  it('keeps the fields of a schema failure as sent, and says "is required" for a missing one', () => {
    const schema = z.strictObject({ url: z.string(), events: z.array(z.string()) });
    const value = { events: [1], eventTypes: [] };
    const result = schema.safeParse(value);
    if (result.success) throw new Error('expected a failure');
    const { status, body } = xpathErrorBody(new RequestValidationError('body', result.error, value));
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_error');
    expect(body.error.message).toContain('url: is required');
    expect(body.error.message).toContain('events.0: ');
    expect(body.error.message).toContain('eventTypes: is not a known field');
  });
});

describe('validationMessage', () => {
  it('falls back to the error message when there are no field errors', () => {
    expect(validationMessage([], 'A value cannot be stored.')).toBe('A value cannot be stored.');
  });

  it('renames only the first segment', () => {
    expect(vendorPath('eventTypes.3')).toBe('events.3');
    expect(vendorPath('url')).toBe('url');
    expect(vendorPath('')).toBe('');
  });
});
