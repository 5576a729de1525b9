/** Crockford base32 as TypeID spells it (lower case, no i, l, o, u). */
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * The internal UUID behind a native API id (`ep_01j…` → `0190…-…`), for tests
 * that reach into the database. The 26-character TypeID suffix is the UUID's
 * 128 bits in base32, most significant first, with two leading zero bits.
 */
export function uuidOf(typeId: string): string {
  const suffix = typeId.slice(typeId.lastIndexOf('_') + 1);
  if (!/^[0-7][0-9a-hjkmnp-tv-z]{25}$/.test(suffix)) throw new Error(`not a TypeID: ${typeId}`);
  let n = 0n;
  for (const c of suffix) n = (n << 5n) | BigInt(alphabet.indexOf(c));
  const hex = n.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
