/**
 * Ids. Storage keeps plain UUIDv7s; every surface shows them in its own
 * format, computed by these codecs (exact inverses, so no mapping table is
 * stored). A TypeID suffix and a ULID are the same 128 bits in 26 Crockford
 * base32 characters, lower case for TypeIDs and upper case for ULIDs, so the
 * UUIDv7 Hookport stores renders as a valid, time-ordered id of either kind.
 */

/** Prefixes of the TypeIDs the native API shows. */
export const idPrefixes = {
  tenant: 'tnt',
  token: 'tok',
  endpoint: 'ep',
  event: 'evt',
  delivery: 'dlv',
  attempt: 'att',
  portalSession: 'psn',
} as const;

export type IdKind = keyof typeof idPrefixes;

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const base32Patterns = { lower: '[0-7][0-9a-hjkmnp-tv-z]{25}', upper: '[0-7][0-9A-HJKMNP-TV-Z]{25}' } as const;
export type Base32Case = keyof typeof base32Patterns;
const ulidPattern = new RegExp(`^${base32Patterns.upper}$`);
const lowerPattern = new RegExp(`^${base32Patterns.lower}$`);

/** A lower-case UUID in its canonical 8-4-4-4-12 form. */
export function isUuid(text: string): boolean {
  return uuidPattern.test(text);
}

function uuidOfHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The 26 lower-case Crockford base32 characters of a UUID's 128 bits: two
 * zero bits, then the 128, five at a time. Small-integer arithmetic on the hex
 * digits rather than a BigInt: every attempt's log line encodes four ids.
 */
function toBase32(uuid: string): string {
  let out = '';
  let acc = 0;
  let bits = 2;
  for (let i = 0; i < uuid.length; i++) {
    const code = uuid.charCodeAt(i);
    if (code === 45) continue; // '-'
    acc = (acc << 4) | (code <= 57 ? code - 48 : (code | 32) - 87);
    bits += 4;
    if (bits >= 5) {
      bits -= 5;
      out += alphabet.charAt((acc >>> bits) & 31);
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

/** The UUID of 26 lower-case base32 characters; null when they are not such (or overflow 128 bits). */
function fromBase32(text: string): string | null {
  if (!lowerPattern.test(text)) return null;
  let n = 0n;
  for (const ch of text) n = (n << 5n) | BigInt(alphabet.indexOf(ch));
  return uuidOfHex(n.toString(16).padStart(32, '0'));
}

/** The 26-character upper-case Crockford base32 (ULID shape) of a UUID. */
export function uuidToUlid(uuid: string): string {
  return toBase32(uuid).toUpperCase();
}

/** The UUID a ULID-shaped string stands for; null when it is not one (lower case is not accepted). */
export function ulidToUuid(ulid: string): string | null {
  return ulidPattern.test(ulid) ? fromBase32(ulid.toLowerCase()) : null;
}

export interface IdCodec {
  prefix: string;
  encode(uuid: string): string;
  /** The internal UUID, or null when the text is not an id of this kind (surfaces answer 404). */
  decode(text: string): string | null;
  /** For OpenAPI schemas: the shape, not a validation (decode decides). */
  pattern: string;
}

/**
 * A prefixed base32 id codec: `prefixedId('wh')` gives XPath's `wh_01J…`
 * (upper case, ULID-shaped); lower case gives TypeIDs (`ep_01j…`).
 */
export function prefixedId(prefix: string, letters: Base32Case = 'upper'): IdCodec {
  const head = `${prefix}_`;
  const encode = letters === 'upper' ? uuidToUlid : toBase32;
  const decode = letters === 'upper' ? ulidToUuid : fromBase32;
  return {
    prefix,
    encode: (uuid) => head + encode(uuid),
    decode: (text) => (text.startsWith(head) ? decode(text.slice(head.length)) : null),
    pattern: `^${prefix}_${base32Patterns[letters]}$`,
  };
}

/** The native API's TypeID codecs, one per kind of id. */
export const typeIds = Object.fromEntries(
  Object.entries(idPrefixes).map(([kind, prefix]) => [kind, prefixedId(prefix, 'lower')]),
) as Record<IdKind, IdCodec>;

/** Renders an internal UUID as the native API's TypeID (`ep_01j…`). */
export function toTypeId(kind: IdKind, uuid: string): string {
  return typeIds[kind].encode(uuid);
}

/** Parses a TypeID of the given kind back to its UUID; null when it is not one. */
export function fromTypeId(kind: IdKind, text: string): string | null {
  return typeIds[kind].decode(text);
}

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** The newest id's millisecond and its 31-bit counter (RFC 9562 §6.2, method 1: dedicated counter bits). */
let lastMillis = 0;
let counter = 0;

/**
 * Random bytes for ids, drawn 4 KiB at a time: one `getRandomValues` per id (a call into the native
 * binding for 16 bytes) was 3 % of the bench process's CPU in the end-to-end run of issue 21, and a
 * delivery makes several ids. Each id still gets bytes of its own; none is ever handed out twice.
 */
const randomPool = new Uint8Array(4096);
let randomAt = randomPool.length;

function random16(): Uint8Array {
  if (randomAt + 16 > randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomAt = 0;
  }
  randomAt += 16;
  return randomPool.slice(randomAt - 16, randomAt);
}

/**
 * A new time-ordered UUIDv7, the internal id of every row. Ids made in the
 * same millisecond (or while the clock steps back) count up from a random
 * start, so ids of one process always sort in the order they were made.
 */
export function newId(): string {
  const random = random16();
  const now = Date.now();
  if (now > lastMillis) {
    lastMillis = now;
    // A random start below 2^30 leaves at least 2^30 increments before the counter overflows.
    counter =
      (((random[6] ?? 0) << 22) | ((random[7] ?? 0) << 14) | ((random[8] ?? 0) << 6) | ((random[9] ?? 0) >>> 2)) &
      0x3fffffff;
  } else if (++counter > 0x7fffffff) {
    counter = 0;
    lastMillis++;
  }
  const b = random;
  for (let i = 0; i < 6; i++) b[i] = Math.floor(lastMillis / 2 ** (8 * (5 - i))) & 0xff;
  b[6] = 0x70 | ((counter >>> 27) & 0x0f);
  b[7] = (counter >>> 19) & 0xff;
  b[8] = 0x80 | ((counter >>> 13) & 0x3f);
  b[9] = (counter >>> 5) & 0xff;
  b[10] = ((counter << 3) & 0xf8) | ((b[10] ?? 0) & 0x07);
  let out = '';
  for (const byte of b) out += hex[byte];
  return uuidOfHex(out);
}
