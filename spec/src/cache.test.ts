import { describe, expect, it } from 'vitest';
import { boundedCache } from './cache.ts';

describe('boundedCache', () => {
  it('makes a value once per key and keeps it', () => {
    const cache = boundedCache<number>(10);
    let made = 0;
    const make = () => ++made;
    expect(cache.get('a', make)).toBe(1);
    expect(cache.get('a', make)).toBe(1);
    expect(cache.get('b', make)).toBe(2);
    expect(made).toBe(2);
  });

  it('starts over when full, so it never holds more than its bound', () => {
    const cache = boundedCache<string>(2);
    const made: string[] = [];
    const make = (key: string) => () => {
      made.push(key);
      return key.toUpperCase();
    };
    cache.get('a', make('a'));
    cache.get('b', make('b'));
    // Full: the third key clears what was kept.
    expect(cache.get('c', make('c'))).toBe('C');
    expect(cache.get('a', make('a'))).toBe('A');
    expect(cache.get('c', make('c'))).toBe('C');
    expect(made).toEqual(['a', 'b', 'c', 'a']);
  });
});
