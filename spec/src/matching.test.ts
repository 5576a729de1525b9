import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyFilterMatches, filterMatches } from './matching.ts';
import { eventTypeNamePattern } from './schemas/event-types.ts';

describe('filterMatches', () => {
  it('* selects every type', () => {
    for (const type of ['cases.created', 'a', 'cases.tasks.created', 'x.y.z.w']) {
      expect(filterMatches('*', type)).toBe(true);
    }
  });

  it('cases.* selects types below cases. at any depth', () => {
    expect(filterMatches('cases.*', 'cases.created')).toBe(true);
    expect(filterMatches('cases.*', 'cases.tasks.created')).toBe(true);
    expect(filterMatches('cases.*', 'cases.tasks.comments.deleted')).toBe(true);
  });

  it('cases.* does not select cases itself, siblings sharing a prefix, or other trees', () => {
    expect(filterMatches('cases.*', 'cases')).toBe(false);
    expect(filterMatches('cases.*', 'casesx.created')).toBe(false);
    expect(filterMatches('cases.*', 'casesx')).toBe(false);
    expect(filterMatches('cases.*', 'mycases.created')).toBe(false);
    expect(filterMatches('cases.*', 'tasks.cases.created')).toBe(false);
    expect(filterMatches('cases.*', 'Cases.created')).toBe(false);
  });

  it('a deeper wildcard selects only its subtree', () => {
    expect(filterMatches('cases.tasks.*', 'cases.tasks.created')).toBe(true);
    expect(filterMatches('cases.tasks.*', 'cases.created')).toBe(false);
    expect(filterMatches('cases.tasks.*', 'cases.tasksx.created')).toBe(false);
  });

  it('other filters select exactly their own name', () => {
    expect(filterMatches('cases.created', 'cases.created')).toBe(true);
    expect(filterMatches('cases.created', 'cases.created.v2')).toBe(false);
    expect(filterMatches('cases.created', 'cases.create')).toBe(false);
    expect(filterMatches('cases.created', 'Cases.Created')).toBe(false);
    expect(filterMatches('cases', 'cases.created')).toBe(false);
  });

  it('treats a * anywhere but the end as a literal character', () => {
    expect(filterMatches('cases.*.created', 'cases.tasks.created')).toBe(false);
    expect(filterMatches('*.created', 'cases.created')).toBe(false);
    expect(filterMatches('cases*', 'casesx')).toBe(false);
  });
});

describe('anyFilterMatches', () => {
  it('is true when any filter selects the type', () => {
    expect(anyFilterMatches(['billing.*', 'cases.created'], 'cases.created')).toBe(true);
    expect(anyFilterMatches(['billing.*', 'cases.*'], 'cases.tasks.created')).toBe(true);
    expect(anyFilterMatches(['billing.*', '*'], 'anything')).toBe(true);
  });

  it('is false when none does, and for no filters', () => {
    expect(anyFilterMatches(['billing.*', 'cases.created'], 'cases.deleted')).toBe(false);
    expect(anyFilterMatches([], 'cases.created')).toBe(false);
  });
});

describe('filterMatches properties', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
  const name = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('.'));

  it('generated names are valid event type names', () => {
    fc.assert(fc.property(name, (n) => eventTypeNamePattern.test(n)));
  });

  it('* selects every name', () => {
    fc.assert(fc.property(name, (type) => filterMatches('*', type)));
  });

  it('a name selects exactly itself', () => {
    fc.assert(fc.property(name, name, (filter, type) => filterMatches(filter, type) === (filter === type)));
  });

  it('prefix.* selects every name strictly below the prefix and never the prefix itself', () => {
    fc.assert(
      fc.property(name, name, (prefix, rest) => {
        expect(filterMatches(`${prefix}.*`, `${prefix}.${rest}`)).toBe(true);
        expect(filterMatches(`${prefix}.*`, prefix)).toBe(false);
      }),
    );
  });

  it('prefix.* selects a name exactly when the name starts with the prefix segments and has more', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        (prefix, type) => {
          const below = type.length > prefix.length && prefix.every((s, i) => type[i] === s);
          expect(filterMatches(`${prefix.join('.')}.*`, type.join('.'))).toBe(below);
        },
      ),
    );
  });

  it('prefix.* never selects a name whose segment only extends the last prefix segment', () => {
    fc.assert(
      fc.property(name, segment, name, (prefix, extra, rest) => {
        expect(filterMatches(`${prefix}.*`, `${prefix}${extra}.${rest}`)).toBe(false);
      }),
    );
  });

  it('anyFilterMatches is the disjunction of filterMatches', () => {
    const filter = fc.oneof(
      name,
      name.map((n) => `${n}.*`),
      fc.constant('*'),
    );
    fc.assert(
      fc.property(fc.array(filter, { maxLength: 5 }), name, (filters, type) => {
        expect(anyFilterMatches(filters, type)).toBe(filters.some((f) => filterMatches(f, type)));
      }),
    );
  });
});
