import { CoreError, type Page } from '@hookport/spec';

/** Cursors are opaque to clients: the base64url of the last key of the page. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, isValidKey: (key: string) => boolean): string | null {
  if (cursor === undefined) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isValidKey(key)) {
    throw new CoreError('validation_failed', 'The cursor is not valid.', [
      { path: 'cursor', message: 'is not a cursor this API returned', code: 'invalid_cursor' },
    ]);
  }
  return key;
}

/** Re-exported for the core modules that validate cursor keys with it; the one copy is in spec. */

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that
 * another page exists.
 */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
