import { CoreError, fromTypeId, type IdKind } from '@hookport/spec';

/** A TypeID from the path, as the internal UUID; a malformed one names nothing, so 404. */
export function uuidOf(kind: IdKind, typeId: string): string {
  const uuid = fromTypeId(kind, typeId);
  if (uuid === null) throw new CoreError('not_found', `No such ${kind}.`);
  return uuid;
}

/**
 * A TypeID given as a query filter: the pattern lets through 26 characters
 * that overflow 128 bits, and a filter is input to validate (422 naming the
 * parameter), not a resource to find (the list route documents no 404).
 */
export function filterUuidOf(kind: IdKind, typeId: string, param: string): string {
  const uuid = fromTypeId(kind, typeId);
  if (uuid === null) {
    throw new CoreError('validation_failed', `The request query is not valid: ${param}: is not a ${kind} id.`, [
      { path: param, message: `is not a ${kind} id`, code: 'invalid_format' },
    ]);
  }
  return uuid;
}
