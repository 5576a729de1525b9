import { type FieldError, isMaskedHeaderValue, maskHeaders, maskHeaderValue } from '@hookport/spec';
import { openHeaders } from '../shared/sealed-headers.ts';
import type { SecretBox } from './crypto.ts';

/** What every read shows: the names, and the values masked (spec/src/header-mask.ts). */
export function maskedHeaders(box: SecretBox, sealed: string | null): Record<string, string> {
  return sealed === null ? {} : maskHeaders(openHeaders(box, sealed));
}

/**
 * The map to store for the map a caller sent, given the one stored (none on create). The sent map
 * replaces the stored one; a value sent back masked, exactly as reads show the stored value of that
 * name, keeps the stored value, so a read-modify-write round trip never writes a mask over a credential.
 * A masked value that stands for nothing stored under its name is refused: it is never stored.
 */
export function resolveSentHeaders(
  sent: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>>,
): { headers: Record<string, string>; errors: FieldError[] } {
  const headers: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(sent)) {
    if (!isMaskedHeaderValue(value)) {
      headers[name] = value;
      continue;
    }
    const current = Object.hasOwn(stored, name) ? stored[name] : undefined;
    if (current !== undefined && maskHeaderValue(current) === value) {
      headers[name] = current;
      continue;
    }
    errors.push({
      path: `headers.${name}`,
      message:
        current === undefined
          ? 'is a masked value, and this endpoint stores no value under this name for it to stand for; send the clear value'
          : 'is a masked value that is not how the stored value reads; send the clear value to change it, or the value as read to keep it',
      code: 'masked_value',
    });
  }
  return { headers, errors };
}
