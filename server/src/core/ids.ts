import { type IdKind, idPrefixes } from '@hookport/spec';
import { TypeID, typeid } from 'typeid-js';

/** A new time-ordered UUIDv7, the internal id of every row. */
export function newId(): string {
  return typeid().toUUID();
}

/** Renders an internal UUID as the native API's TypeID (`ep_01j…`). */
export function toTypeId(kind: IdKind, uuid: string): string {
  return TypeID.fromUUID(idPrefixes[kind], uuid).toString();
}

/** Parses a TypeID of the given kind back to its UUID; null when it is not one. */
export function fromTypeId(kind: IdKind, text: string): string | null {
  try {
    return TypeID.fromString(text, idPrefixes[kind]).toUUID();
  } catch {
    return null;
  }
}
