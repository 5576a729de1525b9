import { CoreError, type ProblemCode, problemCodes } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { tsanetErrorBody, tsanetStatuses, vendorField } from './errors.ts';

describe('vendorField', () => {
  it("writes field paths as Spring's binder does, in the vendor's names", () => {
    expect(vendorField('url')).toBe('callbackUrl');
    expect(vendorField('callbackUrl')).toBe('callbackUrl');
    expect(vendorField('eventTypes.0')).toBe('eventTypes[0]');
    expect(vendorField('eventTypes.12')).toBe('eventTypes[12]');
    expect(vendorField('a.b.3.c')).toBe('a.b[3].c');
    expect(vendorField('page')).toBe('page');
  });
});

describe('tsanetErrorBody', () => {
  it('maps every core code onto a 4xx or 5xx status, keeping the native status except 422 → 400', () => {
    for (const code of Object.keys(problemCodes) as ProblemCode[]) {
      const expected = code === 'validation_failed' ? 400 : problemCodes[code];
      expect(tsanetStatuses[code]).toBe(expected);
      const { status, body } = tsanetErrorBody(new CoreError(code, 'Something.'));
      expect(status).toBe(expected);
      expect(Object.keys(body).sort()).toEqual(['message', 'validationErrors']);
    }
  });

  it('lists each field of a validation error, and none otherwise', () => {
    const err = new CoreError('validation_failed', 'url is refused; eventTypes.1 is unknown', [
      { path: 'url', message: 'is refused', code: 'url_refused' },
      { path: 'eventTypes.1', message: 'is unknown', code: 'unknown_event_type' },
    ]);
    expect(tsanetErrorBody(err)).toEqual({
      status: 400,
      body: {
        message: 'Validation failed',
        validationErrors: [
          { field: 'callbackUrl', message: 'is refused' },
          { field: 'eventTypes[1]', message: 'is unknown' },
        ],
      },
    });
    expect(tsanetErrorBody(new CoreError('not_found', 'Webhook subscription not found: 7')).body).toEqual({
      message: 'Webhook subscription not found: 7',
      validationErrors: [],
    });
  });
});
