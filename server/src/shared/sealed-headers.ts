/**
 * An endpoint's custom headers at rest (endpoints.headers_enc): the JSON of the whole map sealed by the
 * box that seals endpoint secrets (core/crypto.ts, one owner for encryption), or null for none, so an
 * endpoint without custom headers costs no decryption per attempt. Here, between core (which seals
 * what it is sent and masks what it reads) and the delivery engine (which opens them to send), so that
 * neither imports the other.
 */
export function sealHeaders(
  box: { seal(plain: string): string },
  headers: Readonly<Record<string, string>>,
): string | null {
  return Object.keys(headers).length === 0 ? null : box.seal(JSON.stringify(headers));
}

export function openHeaders(box: { open(sealed: string): string }, sealed: string | null): Record<string, string> {
  return sealed === null ? {} : (JSON.parse(box.open(sealed)) as Record<string, string>);
}
