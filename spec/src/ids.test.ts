import { describe, expect, it } from 'vitest';
import { fromTypeId, type IdKind, idPrefixes, newId, toTypeId } from './ids.ts';
import { typeIdSchema } from './schemas/common.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const kinds = Object.keys(idPrefixes) as IdKind[];

/** The Unix milliseconds in the first 48 bits of a UUIDv7. */
const v7Millis = (uuid: string) => Number.parseInt(uuid.replaceAll('-', '').slice(0, 12), 16);

describe('newId', () => {
  it('is a lower-case UUIDv7 carrying the current time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(v7Millis(id)).toBeGreaterThanOrEqual(before);
    expect(v7Millis(id)).toBeLessThanOrEqual(after);
  });

  it('sorts by creation, even many ids within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, newId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('sorts by creation as TypeIDs too', () => {
    const ids = Array.from({ length: 500 }, () => toTypeId('event', newId()));
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('toTypeId / fromTypeId', () => {
  for (const kind of kinds) {
    it(`round-trips a ${kind} id with the ${idPrefixes[kind]}_ prefix`, () => {
      const uuid = newId();
      const typeId = toTypeId(kind, uuid);
      expect(typeId.startsWith(`${idPrefixes[kind]}_`)).toBe(true);
      expect(typeIdSchema(kind).safeParse(typeId).success).toBe(true);
      expect(fromTypeId(kind, typeId)).toBe(uuid);
    });
  }

  it('round-trips the smallest and largest UUIDs', () => {
    for (const uuid of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']) {
      expect(fromTypeId('endpoint', toTypeId('endpoint', uuid))).toBe(uuid);
    }
  });

  it('gives null for an id of another kind', () => {
    const ep = toTypeId('endpoint', newId());
    expect(fromTypeId('tenant', ep)).toBeNull();
    expect(fromTypeId('event', ep)).toBeNull();
    expect(fromTypeId('endpoint', ep.replace(/^ep_/, 'tnt_'))).toBeNull();
  });

  it('gives null for garbage', () => {
    const good = toTypeId('endpoint', newId());
    const suffix = good.slice('ep_'.length);
    for (const text of [
      '',
      'garbage',
      'ep_',
      'ep_garbage',
      suffix, // no prefix
      `ep_${suffix}x`, // too long
      `ep_${suffix.slice(1)}`, // too short
      `ep_8${suffix.slice(1)}`, // first character past 7 overflows 128 bits
      `ep_${suffix.slice(0, -1)}u`, // u is not Crockford base32
      `ep_${suffix.toUpperCase()}`,
      `EP_${suffix}`,
      `ep-${suffix}`,
      ` ${good}`,
      `${good} `,
      newId(), // a bare UUID
    ]) {
      expect(fromTypeId('endpoint', text), JSON.stringify(text)).toBeNull();
    }
  });
});
