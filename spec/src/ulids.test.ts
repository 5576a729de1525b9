import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixedId, ulidToUuid, uuidToUlid } from './ids.ts';

const uuid = fc.uuid({ version: [4, 7] });

describe('ULID-shaped ids', () => {
  it('encodes every UUID as 26 Crockford characters and decodes it back', () => {
    fc.assert(
      fc.property(uuid, (u) => {
        const ulid = uuidToUlid(u);
        expect(ulid).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
        expect(ulidToUuid(ulid)).toBe(u);
      }),
    );
  });

  it('keeps the time order of UUIDv7s (ULIDs sort like their UUIDs)', () => {
    fc.assert(
      fc.property(uuid, uuid, (a, b) => {
        expect(Math.sign(uuidToUlid(a).localeCompare(uuidToUlid(b)))).toBe(Math.sign(a.localeCompare(b)));
      }),
    );
  });

  it('matches a known ULID', () => {
    // The ULID spec's example value and its 128-bit hex.
    expect(ulidToUuid('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe('01563e3a-b5d3-d676-4c61-efb99302bd5b');
    expect(uuidToUlid('01563e3a-b5d3-d676-4c61-efb99302bd5b')).toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });

  it('refuses what is not a ULID: lower case, I/L/O/U, too long, a first character above 7', () => {
    for (const bad of [
      '01arz3ndektsv4rrffq69g5fav',
      '01ARZ3NDEKTSV4RRFFQ69G5FAI',
      '01ARZ3NDEKTSV4RRFFQ69G5FAL',
      '01ARZ3NDEKTSV4RRFFQ69G5FAO',
      '01ARZ3NDEKTSV4RRFFQ69G5FAU',
      '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
      '81ARZ3NDEKTSV4RRFFQ69G5FAV',
      '',
    ]) {
      expect(ulidToUuid(bad), bad).toBeNull();
    }
  });
});

describe('prefixedId', () => {
  const wh = prefixedId('wh');

  it('round-trips with its prefix and refuses other prefixes and raw UUIDs', () => {
    fc.assert(
      fc.property(uuid, (u) => {
        const id = wh.encode(u);
        expect(id).toMatch(new RegExp(wh.pattern));
        expect(wh.decode(id)).toBe(u);
        expect(prefixedId('whk').decode(id)).toBeNull();
        expect(wh.decode(u)).toBeNull();
        expect(wh.decode(`dlv_${id.slice(3)}`)).toBeNull();
      }),
    );
  });
});
