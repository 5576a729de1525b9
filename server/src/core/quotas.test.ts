import { describe, expect, it } from 'vitest';
import { dailyLimitOf, limitsOf, quotasOf, secondsToUtcMidnight } from './quotas.ts';

const defaults = { endpoints: 100, eventTypes: 1000, tokens: 50, eventsPerDay: 'unlimited' } as const;

describe('quotasOf', () => {
  it('keeps the known kinds with a valid limit, and nothing else of what is stored', () => {
    expect(quotasOf({ endpoints: 5, eventsPerDay: 'unlimited', tokens: 0, eventTypes: 'many', other: 3 })).toEqual({
      endpoints: 5,
      eventsPerDay: 'unlimited',
    });
    expect(quotasOf(null)).toEqual({});
    expect(quotasOf('x')).toEqual({});
  });
});

describe('limitsOf', () => {
  it('takes each override, else the default', () => {
    expect(limitsOf({ tokens: 'unlimited', eventsPerDay: 10 }, defaults)).toEqual({
      endpoints: 100,
      eventTypes: 1000,
      tokens: 'unlimited',
      eventsPerDay: 10,
    });
  });
});

describe('dailyLimitOf', () => {
  it("takes the tenant's stored eventsPerDay, else the default", () => {
    expect(dailyLimitOf(5, 'unlimited')).toBe(5);
    expect(dailyLimitOf('unlimited', 10)).toBe('unlimited');
    expect(dailyLimitOf(null, 10)).toBe(10);
    expect(dailyLimitOf(undefined, 'unlimited')).toBe('unlimited');
    // What quotasOf would not keep is no override.
    expect(dailyLimitOf(0, 10)).toBe(10);
  });
});

describe('secondsToUtcMidnight', () => {
  it('counts to the next 00:00 UTC, at least one second', () => {
    expect(secondsToUtcMidnight(new Date('2026-12-07T23:59:30.000Z'))).toBe(30);
    expect(secondsToUtcMidnight(new Date('2026-12-07T00:00:00.000Z'))).toBe(24 * 3600);
    expect(secondsToUtcMidnight(new Date('2026-12-07T23:59:59.900Z'))).toBe(1);
  });
});
