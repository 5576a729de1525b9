import { maskHeaderValue } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { openHeaders, sealHeaders } from '../shared/sealed-headers.ts';
import { newSecretKey, SecretBox } from './crypto.ts';
import { maskedHeaders, resolveSentHeaders } from './custom-headers.ts';

const box = new SecretBox(newSecretKey());
const stored = { Authorization: 'Bearer 0123456789abcdef', 'X-API-Key': 'key-0123456789' };

describe('sealed custom headers', () => {
  it('seal the whole map, open to it, and read masked', () => {
    const sealed = sealHeaders(box, stored);
    expect(sealed).not.toBeNull();
    expect(sealed).not.toContain('0123456789');
    expect(openHeaders(box, sealed)).toEqual(stored);
    expect(maskedHeaders(box, sealed)).toEqual({ Authorization: 'Bearer ••••cdef', 'X-API-Key': '••••6789' });
  });

  it('store nothing for no headers, so an attempt has nothing to open', () => {
    expect(sealHeaders(box, {})).toBeNull();
    expect(openHeaders(box, null)).toEqual({});
    expect(maskedHeaders(box, null)).toEqual({});
  });
});

describe('resolveSentHeaders', () => {
  it('replaces the map: clear values are taken as sent, names left out are gone', () => {
    expect(resolveSentHeaders({ 'X-Team': 'billing' }, stored)).toEqual({
      headers: { 'X-Team': 'billing' },
      errors: [],
    });
  });

  it('keeps the stored value for a value sent back exactly as it reads', () => {
    const sent = { Authorization: maskHeaderValue(stored.Authorization), 'X-API-Key': 'a-new-key-value' };
    expect(resolveSentHeaders(sent, stored)).toEqual({
      headers: { Authorization: stored.Authorization, 'X-API-Key': 'a-new-key-value' },
      errors: [],
    });
  });

  it('refuses a masked value that is not how the stored value of its name reads', () => {
    const { errors } = resolveSentHeaders(
      { Authorization: 'Bearer ••••0000', 'X-Other': maskHeaderValue(stored['X-API-Key']), 'X-API-Key': '••••' },
      stored,
    );
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['headers.Authorization', 'masked_value'],
      ['headers.X-Other', 'masked_value'],
      ['headers.X-API-Key', 'masked_value'],
    ]);
  });

  it('refuses every masked value on create, where nothing is stored', () => {
    expect(resolveSentHeaders({ Authorization: 'Bearer ••••cdef' }, {}).errors).toHaveLength(1);
  });

  it('does not take a name from the prototype for a stored one', () => {
    expect(resolveSentHeaders({ constructor: '••••' }, {}).errors).toHaveLength(1);
  });
});
