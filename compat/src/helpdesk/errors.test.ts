import { CoreError } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { HelpdeskError, helpdeskErrorBody, helpdeskField } from './errors.ts';

describe('helpdesk errors', () => {
  it('maps every core code onto a Helpdesk code and status', () => {
    const cases: [CoreError, string, number][] = [
      [new CoreError('unauthorized', 'x'), 'INVALID_API_KEY', 401],
      [new CoreError('forbidden', 'x'), 'INSUFFICIENT_API_PERMISSION', 403],
      [new CoreError('not_found', 'x'), 'NOT_FOUND', 404],
      [new CoreError('invalid_json', 'x'), 'BAD_REQUEST', 400],
      [new CoreError('unsupported_media_type', 'x'), 'BAD_REQUEST', 400],
      [new CoreError('method_not_allowed', 'x'), 'METHOD_NOT_ALLOWED', 405],
      [new CoreError('conflict', 'x'), 'CONFLICT', 409],
      [new CoreError('payload_too_large', 'x'), 'PAYLOAD_TOO_LARGE', 413],
      [new CoreError('validation_failed', 'x'), 'VALIDATION_ERROR', 422],
      [new CoreError('rate_limited', 'x'), 'RATE_LIMIT_EXCEEDED', 429],
      [new CoreError('internal', 'x'), 'INTERNAL_ERROR', 500],
      [new CoreError('unavailable', 'x'), 'SERVICE_UNAVAILABLE', 503],
      [new HelpdeskError('bad_request', 'MISSING_WORKSPACE', 'x'), 'MISSING_WORKSPACE', 400],
    ];
    for (const [err, code, status] of cases) {
      const out = helpdeskErrorBody(err, 'req-1');
      expect(out.status).toBe(status);
      expect(out.body.error).toEqual({ code, message: 'x', status, request_id: 'req-1' });
    }
  });

  it("renames the core's field names to Helpdesk's in details and field", () => {
    const err = new CoreError('validation_failed', 'core text', [
      { path: 'url', message: 'is not public', code: 'url_refused' },
      { path: 'eventTypes.1', message: 'nope is not an event type of this tenant', code: 'unknown_event_type' },
    ]);
    const { status, body } = helpdeskErrorBody(err, 'r');
    expect(status).toBe(422);
    expect(body.error.field).toBe('targetUrl');
    expect(body.error.details).toEqual({
      targetUrl: [{ code: 'URL_NOT_ALLOWED', message: 'targetUrl: is not public' }],
      'events.1': [{ code: 'UNKNOWN_EVENT', message: 'events.1: nope is not an event type of this tenant' }],
    });
    expect(helpdeskField('name')).toBe('name');
  });
});
