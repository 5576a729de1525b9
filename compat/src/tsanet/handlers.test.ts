import { describe, expect, it } from 'vitest';
import { parseSubscriptionId, shownEventTypes, springPage } from './handlers.ts';

describe('parseSubscriptionId', () => {
  it('accepts positive decimal integers a JavaScript number holds exactly', () => {
    expect(parseSubscriptionId('1')).toBe(1);
    expect(parseSubscriptionId('007')).toBe(7);
    expect(parseSubscriptionId('9007199254740991')).toBe(9007199254740991);
  });

  it('refuses anything else (the caller answers 404)', () => {
    for (const text of ['', '0', '-1', '+1', '1.0', '1e3', ' 1', 'abc', '9007199254740993', '9223372036854775808']) {
      expect(parseSubscriptionId(text), text).toBeNull();
    }
  });
});

describe('shownEventTypes', () => {
  const names = ['collaboration-request.created', 'note.created'];
  it('shows * and prefix wildcards as the catalogue names they select, exact names as they are', () => {
    expect(shownEventTypes(['*'], names)).toEqual(names);
    expect(shownEventTypes(['note.*'], names)).toEqual(['note.created']);
    expect(shownEventTypes(['note.created', '*'], names)).toEqual(['note.created', 'collaboration-request.created']);
    expect(shownEventTypes(['ping'], names)).toEqual(['ping']);
  });
});

describe('springPage', () => {
  it('numbers pages from 0 and flags the first, last and empty ones', () => {
    expect(springPage([1, 2], 5, 0, 2)).toEqual({
      content: [1, 2],
      totalElements: 5,
      totalPages: 3,
      size: 2,
      number: 0,
      numberOfElements: 2,
      first: true,
      last: false,
      empty: false,
    });
    expect(springPage([5], 5, 2, 2)).toMatchObject({ first: false, last: true, numberOfElements: 1 });
    expect(springPage([], 0, 0, 20)).toMatchObject({ totalPages: 0, first: true, last: true, empty: true });
    expect(springPage([], 5, 9, 2)).toMatchObject({ first: false, last: true, empty: true });
  });
});
