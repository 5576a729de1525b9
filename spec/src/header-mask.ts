/**
 * How an endpoint's custom header values are shown on read: they are where a receiver's credentials go
 * (Authorization, X-API-Key), so no surface ever returns them in clear (docs/api.md, "Custom headers").
 *
 * - An authentication scheme word at the start (`Bearer `, `Basic `, … — the list below, any case) is kept:
 *   it tells which credential it is and is no secret.
 * - The rest is replaced by `••••` followed by its last 4 characters, or by `••••` alone when it is
 *   8 characters or fewer (4 of 8 would be half of it).
 *
 * `Bearer sk_live_51Hx…3f9a` reads `Bearer ••••3f9a`; `hunter2` reads `••••`.
 */
const bullet = '•';
export const headerMaskMark = bullet.repeat(4);

const schemeWords = ['basic', 'bearer', 'digest', 'token', 'bot', 'apikey', 'key'];
const shortest = 8;
const shownTail = 4;

export function maskHeaderValue(value: string): string {
  const space = value.indexOf(' ');
  const scheme =
    space > 0 && schemeWords.includes(value.slice(0, space).toLowerCase()) ? value.slice(0, space + 1) : '';
  const rest = value.slice(scheme.length);
  return scheme + headerMaskMark + (rest.length <= shortest ? '' : rest.slice(-shownTail));
}

export function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, maskHeaderValue(value)]));
}

/**
 * A value carrying the mask's mark is a masked read sent back, never a real value: real values are
 * printable ASCII, and the mark is not.
 */
export function isMaskedHeaderValue(value: string): boolean {
  return value.includes(bullet);
}
