import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FilterDocument,
  payloadFilterIssues,
  payloadFilterLimits,
  payloadFilterMatches,
} from './payload-filter.ts';

const event: FilterDocument = {
  type: 'invoice.paid',
  data: {
    amount: 250,
    currency: 'EUR',
    paid: true,
    note: null,
    customer: { id: 'cus_42', tier: 'gold', address: { country: 'DE' } },
    tags: ['vip', 'eu'],
    lines: [
      { sku: 'A-1', qty: 2 },
      { sku: 'B-7', qty: 10 },
    ],
    matrix: [
      [1, 2],
      [3, 4],
    ],
    rows: ['first', { '0': 'key' }],
  },
};

const matches = (filter: Record<string, unknown>) => payloadFilterMatches(filter, event);

describe('payload filter operators', () => {
  it.each([
    // [filter, expected]
    [{ type: 'invoice.paid' }, true],
    [{ type: 'invoice.void' }, false],
    [{ 'data.amount': 250 }, true],
    [{ 'data.amount': { $eq: 250 } }, true],
    [{ 'data.amount': { $eq: '250' } }, false],
    [{ 'data.note': null }, true],
    [{ 'data.missing': null }, false],
    [{ 'data.customer': { $eq: { tier: 'gold', id: 'cus_42', address: { country: 'DE' } } } }, true],
    [{ 'data.customer': { $eq: { id: 'cus_42' } } }, false],
  ])('$eq and literals: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ 'data.currency': { $neq: 'USD' } }, true],
    [{ 'data.currency': { $neq: 'EUR' } }, false],
    [{ 'data.missing': { $neq: 'x' } }, true],
    [{ 'data.tags': { $neq: 'vip' } }, false],
    [{ 'data.tags': { $neq: 'us' } }, true],
  ])('$neq: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ 'data.amount': { $gt: 249 } }, true],
    [{ 'data.amount': { $gt: 250 } }, false],
    [{ 'data.amount': { $gte: 250 } }, true],
    [{ 'data.amount': { $lt: 250 } }, false],
    [{ 'data.amount': { $lte: 250 } }, true],
    [{ 'data.amount': { $gt: '100' } }, false],
    [{ 'data.currency': { $gt: 'EUA', $lt: 'EUZ' } }, true],
    [{ 'data.missing': { $lt: 1 } }, false],
    [{ 'data.lines.qty': { $gt: 5 } }, true],
    [{ 'data.lines.qty': { $gt: 10 } }, false],
    [{ 'data.paid': { $gt: false } }, false],
  ])('comparisons: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ 'data.currency': { $in: ['USD', 'EUR'] } }, true],
    [{ 'data.currency': { $in: ['USD', 'GBP'] } }, false],
    [{ 'data.tags': { $in: ['eu', 'us'] } }, true],
    [{ 'data.missing': { $in: [null] } }, false],
    [{ 'data.currency': { $nin: ['USD', 'GBP'] } }, true],
    [{ 'data.currency': { $nin: ['EUR'] } }, false],
    [{ 'data.tags': { $nin: ['vip'] } }, false],
    [{ 'data.missing': { $nin: ['x'] } }, true],
    [{ 'data.currency': { $in: [] } }, false],
    [{ 'data.customer.address': { $in: ['DE', { country: 'DE' }] } }, true],
    [{ 'data.matrix': { $in: [[3, 4]] } }, true],
    [{ 'data.matrix': { $nin: [[4, 3], 'x'] } }, true],
    [{ 'data.amount': { $in: ['250', true, null] } }, false],
    [{ 'data.currency': { $nin: [] } }, true],
  ])('$in and $nin: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ 'data.note': { $exist: true } }, true],
    [{ 'data.missing': { $exist: true } }, false],
    [{ 'data.missing': { $exist: false } }, true],
    [{ 'data.customer.address.country': { $exist: true } }, true],
    [{ 'data.lines.sku': { $exist: true } }, true],
    [{ 'data.lines.price': { $exist: false } }, true],
  ])('$exist: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ type: { $startsWith: 'invoice.' } }, true],
    [{ type: { $endsWith: '.paid' } }, true],
    [{ type: { $startsWith: 'order.' } }, false],
    [{ 'data.lines.sku': { $startsWith: 'B-' } }, true],
    [{ 'data.tags': { $endsWith: 'ip' } }, true],
    [{ 'data.amount': { $startsWith: '2' } }, false],
  ])('$startsWith and $endsWith: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ $and: [{ 'data.amount': { $gt: 100 } }, { 'data.currency': 'EUR' }] }, true],
    [{ $and: [{ 'data.amount': { $gt: 100 } }, { 'data.currency': 'USD' }] }, false],
    [{ $or: [{ 'data.currency': 'USD' }, { 'data.customer.tier': 'gold' }] }, true],
    [{ $or: [{ 'data.currency': 'USD' }, { 'data.customer.tier': 'silver' }] }, false],
    [{ $not: { 'data.currency': 'USD' } }, true],
    [{ $not: { 'data.currency': 'EUR' } }, false],
    [{ 'data.amount': { $not: { $gt: 300 } } }, true],
    [{ 'data.currency': 'EUR', 'data.amount': { $gte: 1000 } }, false],
    [{ 'data.currency': 'EUR', 'data.amount': { $gte: 100 } }, true],
    [{}, true],
  ])('logic and implicit AND: %j → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it.each([
    [{ data: { customer: { tier: 'gold' } } }, true],
    [{ data: { customer: { id: { $startsWith: 'cus_' }, tier: { $in: ['silver'] } } } }, false],
    [{ data: { 'customer.address': { country: 'DE' } } }, true],
    [{ data: { $or: [{ amount: { $lt: 10 } }, { 'customer.tier': 'gold' }] } }, true],
    [{ 'data.lines.1.sku': 'B-7' }, true],
    [{ 'data.lines.0.sku': 'B-7' }, false],
    [{ 'data.lines.5.sku': { $exist: true } }, false],
    [{ 'data.tags.0': 'vip' }, true],
    [{ 'data.lines': { sku: 'A-1', qty: 10 } }, true], // each key by some element, as MongoDB without $elemMatch
    [{ 'data.matrix': [3, 4] }, true], // an element equal to the whole literal
    [{ 'data.matrix': 3 }, false], // array contains looks one level deep only
    [{ 'data.matrix.1.0': 3 }, true],
    [{ 'data.amount.value': { $exist: true } }, false],
    [{ 'data.rows.0': 'first' }, true], // a numeric step picks the element…
    [{ 'data.rows.0': 'key' }, false], // …and is not looked up as a key in the elements
  ])('nested conditions, dotted paths and arrays: %j → %s', (filter, expected) =>
    expect(matches(filter)).toBe(expected),
  );
});

describe('payload filter validation', () => {
  const issuesOf = (filter: unknown) => payloadFilterIssues(filter).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('accepts the documented examples', () => {
    expect(issuesOf({ 'data.amount': { $gte: 100 }, type: { $startsWith: 'invoice.' } })).toEqual([]);
    expect(issuesOf({ $or: [{ data: { tier: 'gold' } }, { $not: { 'data.tags': { $in: ['test'] } } }] })).toEqual([]);
    expect(issuesOf({})).toEqual([]);
  });

  it.each([
    [[], ': must be a JSON object'],
    ['x', ': must be a JSON object'],
    [{ data: { amount: { $gt: true } } }, 'data.amount.$gt: must be a number or a string'],
    [{ 'data.amount': { $regex: '^a' } }, 'data.amount.$regex: is not an operator'],
    [{ 'data.$where': 1 }, 'data.$where: is not an operator'],
    [{ 'data..x': 1 }, 'data..x: must be a dotted path without empty steps'],
    [{ $or: [] }, '$or: must be a non-empty array of conditions'],
    [{ $and: { a: 1 } }, '$and: must be a non-empty array of conditions'],
    [{ $or: [{ a: { $in: 'x' } }] }, '$or.0.a.$in: must be an array'],
    [{ a: { $exist: 'yes' } }, 'a.$exist: must be true or false'],
    [{ a: { $startsWith: 1 } }, 'a.$startsWith: must be a string'],
    [{ a: {} }, 'a: must not be an empty object'],
    [{ a: { $eq: 'x'.repeat(257) } }, 'a.$eq: must be at most 256 characters'],
    [{ a: { $in: Array.from({ length: 65 }, (_, i) => i) } }, 'a.$in: must have at most 64 values'],
    [{ ['a'.repeat(257)]: 1 }, `${'a'.repeat(257)}: must be a path of at most 256 characters`],
    [{ [Array(17).fill('a').join('.')]: 1 }, `${Array(17).fill('a').join('.')}: must be a path of at most 16 steps`],
  ])('refuses %j: %s', (filter, issue) => expect(issuesOf(filter)).toEqual([issue]));

  it('bounds the size, the number of keys and the depth', () => {
    expect(issuesOf({ a: { $in: Array.from({ length: 60 }, () => 'x'.repeat(70)) } })).toEqual([
      ': must be at most 4096 bytes as JSON',
    ]);
    const wide = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
    expect(issuesOf(wide)).toEqual([': must have at most 64 operators and paths']);
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < payloadFilterLimits.maxDepth; i++) deep = { $not: deep };
    expect(issuesOf(deep)).toEqual([`${Array(10).fill('$not').join('.')}: nests deeper than 10 levels`]);
    let fits: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < payloadFilterLimits.maxDepth - 1; i++) fits = { $not: fits };
    expect(issuesOf(fits)).toEqual([]);
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(issuesOf({ a: Number.POSITIVE_INFINITY })).toEqual(['a: must be a finite number']);
  });
});

// ---------------------------------------------------------------- property tests

/**
 * An independent reference: the filter is first flattened into a tree of predicates on ABSOLUTE paths
 * (a nested condition's path is its parent's path plus its key, which is what scoping means), and each
 * predicate is then decided on the values a recursive walk finds at its path from the root. Equality
 * compares canonical JSON (keys sorted) rather than walking both values.
 */
type Pred =
  | { kind: 'and' | 'or'; of: Pred[] }
  | { kind: 'not'; of: Pred }
  | { kind: 'leaf'; path: string[]; op: string; operand: unknown };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function flatten(condition: unknown, path: string[]): Pred {
  if (!isPlainObject(condition)) return { kind: 'leaf', path, op: '$eq', operand: condition };
  const parts: Pred[] = Object.entries(condition).map(([key, operand]): Pred => {
    if (key === '$and' || key === '$or') {
      return { kind: key === '$and' ? 'and' : 'or', of: (operand as unknown[]).map((c) => flatten(c, path)) };
    }
    if (key === '$not') return { kind: 'not', of: flatten(operand, path) };
    if (key.startsWith('$')) return { kind: 'leaf', path, op: key, operand };
    return flatten(operand, [...path, ...key.split('.')]);
  });
  return { kind: 'and', of: parts };
}

function* valuesAt(value: unknown, path: readonly string[]): Generator<unknown> {
  if (path.length === 0) {
    yield value;
    return;
  }
  const [head = '', ...rest] = path;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(head) && String(Number(head)) === head) {
      if (Number(head) < value.length) yield* valuesAt(value[Number(head)], rest);
      return;
    }
    for (const element of value) {
      if (isPlainObject(element) && head in element) yield* valuesAt(element[head], rest);
    }
    return;
  }
  if (isPlainObject(value) && Object.keys(value).includes(head)) yield* valuesAt(value[head], rest);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Each value at the path, and each element of one that is an array. */
function flattenedValues(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    out.push(v);
    if (Array.isArray(v)) out.push(...v);
  }
  return out;
}

function decideLeaf(values: unknown[], op: string, operand: unknown): boolean {
  const all = flattenedValues(values);
  const scalars = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  const same = (x: unknown) => all.some((v) => canonical(v) === canonical(x));
  const ordered = (test: (a: number | string, b: number | string) => boolean) =>
    scalars.some((v) =>
      (typeof v === 'number' && typeof operand === 'number') || (typeof v === 'string' && typeof operand === 'string')
        ? test(v as number | string, operand as number | string)
        : false,
    );
  switch (op) {
    case '$eq':
      return same(operand);
    case '$neq':
      return !same(operand);
    case '$in':
      return (operand as unknown[]).some(same);
    case '$nin':
      return !(operand as unknown[]).some(same);
    case '$exist':
      return operand === values.length > 0;
    case '$gt':
      return ordered((a, b) => a > b);
    case '$gte':
      return ordered((a, b) => a >= b);
    case '$lt':
      return ordered((a, b) => a < b);
    case '$lte':
      return ordered((a, b) => a <= b);
    case '$startsWith':
      return scalars.some((v) => typeof v === 'string' && v.slice(0, (operand as string).length) === operand);
    case '$endsWith':
      return scalars.some(
        (v) =>
          typeof v === 'string' &&
          v.length >= (operand as string).length &&
          v.slice(v.length - (operand as string).length) === operand,
      );
    default:
      throw new Error(`unexpected operator ${op}`);
  }
}

function decide(pred: Pred, root: unknown): boolean {
  switch (pred.kind) {
    case 'and':
      return pred.of.every((p) => decide(p, root));
    case 'or':
      return pred.of.some((p) => decide(p, root));
    case 'not':
      return !decide(pred.of, root);
    default:
      return decideLeaf([...valuesAt(root, pred.path)], pred.op, pred.operand);
  }
}

const reference = (filter: Record<string, unknown>, doc: FilterDocument) => decide(flatten(filter, []), doc);

// Small alphabets so that random filters and events meet often.
// '0' as a key too: an object key that looks like an array index must not be taken for one.
const key = fc.constantFrom('a', 'b', 'c', '0');
const scalar = fc.oneof(
  fc.integer({ min: -2, max: 3 }),
  fc.constantFrom('x', 'xy', 'yx', 'y', ''),
  fc.boolean(),
  fc.constant(null),
);
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
}));
const eventArb: fc.Arbitrary<FilterDocument> = fc.record({
  type: fc.constantFrom('a.b', 'a.c', 'x'),
  data: fc.dictionary(key, jsonValue, { maxKeys: 3 }),
});

const pathArb = fc
  .array(fc.constantFrom('a', 'b', 'c', '0', '1'), { minLength: 1, maxLength: 3 })
  .map((steps) => steps.join('.'));
// An operand one level deep at most: with the bounded recursion below, every random filter stays within
// the 10 levels of nesting a filter may have, as the second property claims.
const operandArb = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(key, scalar, { maxKeys: 3 }));
const operatorArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ $eq: operandArb }),
  fc.record({ $neq: operandArb }),
  fc
    .constantFrom('$gt', '$gte', '$lt', '$lte')
    .chain((op) =>
      fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom('x', 'y', 'xy')).map((v) => ({ [op]: v })),
    ),
  fc.record({ $in: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ $nin: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ $exist: fc.boolean() }),
  fc.record({ $startsWith: fc.constantFrom('x', 'y', '') }),
  fc.record({ $endsWith: fc.constantFrom('x', 'y', '') }),
);
const { condition: conditionArb } = fc.letrec<{ condition: unknown; object: Record<string, unknown> }>((tie) => ({
  condition: fc.oneof({ depthSize: 'small', maxDepth: 2 }, scalar, operatorArb, tie('object')),
  object: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    fc.dictionary(pathArb, tie('condition'), { minKeys: 1, maxKeys: 2 }),
    fc.record({ $and: fc.array(tie('condition'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ $or: fc.array(tie('condition'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ $not: tie('condition') }),
  ),
}));
/** A filter: an object of conditions on the event document's type and data. */
const filterArb = fc.oneof(
  fc.dictionary(fc.constantFrom('type', 'data', 'data.a', 'data.b.c', 'data.a.0'), conditionArb, {
    minKeys: 1,
    maxKeys: 2,
  }),
  fc.record({ $or: fc.array(fc.record({ data: conditionArb }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ $not: fc.record({ data: conditionArb }) }),
);
const validFilterArb = filterArb.filter((f) => payloadFilterIssues(f).length === 0);

describe('payload filter properties', () => {
  it('agrees with an independent reference evaluator on random filters and events', () => {
    fc.assert(
      fc.property(validFilterArb, eventArb, (filter, doc) => {
        expect(payloadFilterMatches(filter, doc)).toBe(reference(filter, doc));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the random filters valid (they are within every bound)', () => {
    fc.assert(
      fc.property(filterArb, (filter) => {
        expect(payloadFilterIssues(filter)).toEqual([]);
      }),
    );
  });

  it('$not negates, and $neq / $nin are the negations of $eq / $in', () => {
    fc.assert(
      fc.property(filterArb, pathArb, scalar, eventArb, (filter, path, value, doc) => {
        expect(payloadFilterMatches({ $not: filter }, doc)).toBe(!payloadFilterMatches(filter, doc));
        const at = `data.${path}`;
        expect(payloadFilterMatches({ [at]: { $neq: value } }, doc)).toBe(
          !payloadFilterMatches({ [at]: { $eq: value } }, doc),
        );
        expect(payloadFilterMatches({ [at]: { $nin: [value] } }, doc)).toBe(
          !payloadFilterMatches({ [at]: { $in: [value] } }, doc),
        );
      }),
    );
  });

  it('a nested condition means the same as its dotted path', () => {
    fc.assert(
      fc.property(key, key, conditionArb, eventArb, (first, second, condition, doc) => {
        const nested = { data: { [first]: { [second]: condition } } };
        const dotted = { [`data.${first}.${second}`]: condition };
        expect(payloadFilterMatches(nested, doc)).toBe(payloadFilterMatches(dotted, doc));
      }),
    );
  });

  it('never throws on any JSON value validation accepts, nor on any event', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 4 })), eventArb, (f, doc) => {
        if (payloadFilterIssues(f).length === 0) payloadFilterMatches(f, doc);
      }),
    );
  });
});
