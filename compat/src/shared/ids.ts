/**
 * Vendor id formats over Hookport's internal UUIDs. Each surface shows ids in
 * its vendor's shape; these codecs are exact inverses, so no mapping table is
 * stored. A ULID is 128 bits in 26 Crockford base32 characters, as is a UUID:
 * the UUIDv7 Hookport stores renders as a valid, time-ordered ULID.
 */

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ulidPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isUuid(text: string): boolean {
  return uuidPattern.test(text);
}

/** The 26-character upper-case Crockford base32 (ULID shape) of a UUID. */
export function uuidToUlid(uuid: string): string {
  let n = BigInt(`0x${uuid.replaceAll('-', '')}`);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = alphabet.charAt(Number(n & 31n)) + out;
    n >>= 5n;
  }
  return out;
}

/** The UUID a ULID-shaped string stands for; null when it is not one (lower case is not accepted). */
export function ulidToUuid(ulid: string): string | null {
  if (!ulidPattern.test(ulid)) return null;
  let n = 0n;
  for (const ch of ulid) n = (n << 5n) | BigInt(alphabet.indexOf(ch));
  const hex = n.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A prefixed ULID-shaped id codec, e.g. `wh_01J…` for XPath endpoints. */
export function prefixedId(prefix: string) {
  const head = `${prefix}_`;
  return {
    prefix,
    encode: (uuid: string): string => head + uuidToUlid(uuid),
    /** The internal UUID, or null when the text is not an id of this kind (surfaces answer 404). */
    decode: (text: string): string | null => (text.startsWith(head) ? ulidToUuid(text.slice(head.length)) : null),
    /** For OpenAPI path parameters: the shape, not a validation (decode decides). */
    pattern: `^${prefix}_[0-7][0-9A-HJKMNP-TV-Z]{25}$`,
  };
}
