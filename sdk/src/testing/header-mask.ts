import type { FieldError } from '../errors.ts';

/**
 * Custom header values as the server shows and takes them back (docs/api.md, "Custom headers"; the
 * server's rules are spec/src/header-mask.ts and server/src/core/custom-headers.ts): every read masks
 * them, and a value sent back masked keeps the stored one only when it reads exactly as that one does.
 * Written again here because the published SDK depends on nothing of Hookport's own packages; the
 * test kit's contract test (test/src/testkit.contract.test.ts) holds the two to the same answers.
 */
const mark = '••••';
const schemeWords = ['basic', 'bearer', 'digest', 'token', 'bot', 'apikey', 'key'];

export function maskValue(value: string): string {
  const space = value.indexOf(' ');
  const scheme =
    space > 0 && schemeWords.includes(value.slice(0, space).toLowerCase()) ? value.slice(0, space + 1) : '';
  const rest = value.slice(scheme.length);
  return scheme + mark + (rest.length <= 8 ? '' : rest.slice(-4));
}

export const maskAll = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, maskValue(value)]));

/** The map to store for a sent one (`stored`: the endpoint's, none on create), or the field errors. */
export function resolveSent(
  sent: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>>,
): { headers: Record<string, string>; errors: FieldError[] } {
  const headers: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(sent)) {
    const current = Object.hasOwn(stored, name) ? stored[name] : undefined;
    if (!value.includes('•')) headers[name] = value;
    else if (current !== undefined && maskValue(current) === value) headers[name] = current;
    else
      errors.push({
        path: `headers.${name}`,
        message: 'is a masked value; send the clear value',
        code: 'masked_value',
      });
  }
  return { headers, errors };
}
