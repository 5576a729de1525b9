import { CoreError, type IdKind } from '@hookport/spec';
import { fromTypeId } from '../../core/ids.ts';

/** A TypeID from the path, as the internal UUID; a malformed one names nothing, so 404. */
export function uuidOf(kind: IdKind, typeId: string): string {
  const uuid = fromTypeId(kind, typeId);
  if (uuid === null) throw new CoreError('not_found', `No such ${kind}.`);
  return uuid;
}
