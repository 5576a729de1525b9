/**
 * Values costly to make and safe to keep, by key (compiled validators, opened secrets, signers).
 * Bounded by clearing when full: a miss only costs making a value again, and the keys in use come
 * back at once.
 */
export interface BoundedCache<V> {
  /** The value kept for `key`, or the one `make` makes now (and is kept). */
  get(key: string, make: () => V): V;
}

export function boundedCache<V>(max: number): BoundedCache<V> {
  const values = new Map<string, V>();
  return {
    get(key, make) {
      let value = values.get(key);
      if (value === undefined) {
        if (values.size >= max) values.clear();
        value = make();
        values.set(key, value);
      }
      return value;
    },
  };
}
