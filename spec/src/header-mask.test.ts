import { describe, expect, it } from 'vitest';
import { headerMaskMark, isMaskedHeaderValue, maskHeaders, maskHeaderValue } from './header-mask.ts';

describe('maskHeaderValue', () => {
  it.each([
    ['Bearer sk_live_51Hx9q2a3f9a', 'Bearer ••••3f9a'],
    ['bearer sk_live_51Hx9q2a3f9a', 'bearer ••••3f9a'],
    ['Basic dXNlcjpwYXNzd29yZA==', 'Basic ••••ZA=='],
    ['Token 0123456789', 'Token ••••6789'],
    ['0123456789abcdef', '••••cdef'],
    // 8 characters or fewer: nothing of them is shown, scheme or not.
    ['hunter22', '••••'],
    ['Bearer abcdefgh', 'Bearer ••••'],
    ['', '••••'],
    // A first word that is not an authentication scheme is part of the secret.
    ['correct horse battery staple', '••••aple'],
    ['Bearer', '••••'],
  ])('%s reads %s', (value, masked) => {
    expect(maskHeaderValue(value)).toBe(masked);
  });

  it('never shows more than the scheme and 4 characters of the credential', () => {
    const value = `Bearer ${'x'.repeat(1000)}yz12`;
    expect(maskHeaderValue(value)).toBe(`Bearer ${headerMaskMark}yz12`);
  });

  it('gives values that are recognised as masked, which no clear value is', () => {
    expect(isMaskedHeaderValue(maskHeaderValue('Bearer 0123456789'))).toBe(true);
    expect(isMaskedHeaderValue('Bearer 0123456789')).toBe(false);
  });

  it('masks every value of a map and keeps the names', () => {
    expect(maskHeaders({ 'X-API-Key': 'abcdefghijkl', 'X-Team': 'billing' })).toEqual({
      'X-API-Key': '••••ijkl',
      'X-Team': '••••',
    });
  });
});
