import { ulidToUuid } from '@hookport/spec';

/**
 * The internal UUID behind a native API id (`ep_01j…` → `0190…-…`), for tests
 * that reach into the database. A TypeID's 26-character suffix is the UUID's
 * 128 bits in Crockford base32, the same encoding as a ULID in lower case.
 */
export function uuidOf(typeId: string): string {
  const uuid = ulidToUuid(typeId.slice(typeId.lastIndexOf('_') + 1).toUpperCase());
  if (uuid === null) throw new Error(`not a TypeID: ${typeId}`);
  return uuid;
}
