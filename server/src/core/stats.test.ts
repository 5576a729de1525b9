import { CoreError } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { resolveRange } from './stats.ts';

const now = new Date('2026-03-10T12:34:56.789Z');

function refusal(f: () => unknown): CoreError {
  try {
    f();
  } catch (err) {
    if (err instanceof CoreError) return err;
    throw err;
  }
  throw new Error('expected a CoreError');
}

describe('resolveRange', () => {
  it('defaults to the 24 hours up to now, from the start of the first bucket', () => {
    expect(resolveRange({ bucket: 'hour' }, now)).toEqual({
      from: new Date('2026-03-09T12:00:00Z'),
      until: now,
      buckets: 25,
    });
    expect(resolveRange({ bucket: 'day' }, now)).toMatchObject({ from: new Date('2026-03-09T00:00:00Z'), buckets: 2 });
  });

  it('defaults since to 24 hours before a given until', () => {
    expect(resolveRange({ bucket: 'minute', until: '2026-01-02T00:00:00Z' }, now)).toEqual({
      from: new Date('2026-01-01T00:00:00Z'),
      until: new Date('2026-01-02T00:00:00Z'),
      buckets: 1440,
    });
  });

  it('refuses more than 1,440 buckets, naming since', () => {
    const err = refusal(() =>
      resolveRange({ bucket: 'minute', since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00.001Z' }, now),
    );
    expect(err.code).toBe('validation_failed');
    expect(err.errors.map((e) => e.path)).toEqual(['since']);
    expect(err.message).toContain('1441 minute buckets');
  });

  it('refuses a since that is not before until', () => {
    const err = refusal(() =>
      resolveRange({ bucket: 'hour', since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, now),
    );
    expect(err.errors).toEqual([{ path: 'since', message: 'must be before until', code: 'custom' }]);
  });
});
