/** TypeIDs as the server makes them (`ep_` + 26 base32 characters), time-ordered, from Web Crypto only. */

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export type IdPrefix = 'ep' | 'evt' | 'dlv' | 'att' | 'tok' | 'tnt';

let last = '';

/** A fresh id; later calls sort after earlier ones, even within one millisecond. */
export function newId(prefix: IdPrefix): string {
  // 10 characters of milliseconds (the first stays within 0-7), 16 random ones.
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = alphabet[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const random = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let suffix = head + Array.from(random, (byte) => alphabet[byte % 32]).join('');
  if (suffix <= last) suffix = increment(last);
  last = suffix;
  return `${prefix}_${suffix}`;
}

function increment(value: string): string {
  const chars = value.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const next = alphabet.indexOf(chars[i] ?? '0') + 1;
    if (next < alphabet.length) {
      chars[i] = alphabet[next] ?? '0';
      return chars.join('');
    }
    chars[i] = '0';
  }
  return chars.join('');
}

/** A Standard Webhooks secret, as endpoints get one: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}
