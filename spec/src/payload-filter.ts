/**
 * Payload filters: an endpoint's `filter`, a JSON document in the operator language of Hookdeck Outpost
 * and MongoDB, evaluated against the event at publish time (docs/delivery.md, "Payload filters").
 *
 * A condition is evaluated against a list of candidate values: the values a path reaches (none when it
 * reaches nothing, several when it crosses an array). The whole filter is a condition on one candidate,
 * the event document `{type, data}`.
 *
 * - A literal (string, number, boolean, null, array) is `$eq` of itself.
 * - An object is the AND of its keys. A key is a logical operator (`$and`, `$or`: lists of conditions;
 *   `$not`: a condition), a field operator (`$eq` … `$endsWith`, applied to the candidates), or a dotted
 *   path, whose value is a condition on the values the path reaches from the candidates. So nested
 *   objects and dotted paths mean the same: `{"data": {"amount": {"$gt": 5}}}` is `{"data.amount": {"$gt": 5}}`.
 * - A path step over an array: a numeric step picks that element; any other step is taken in every
 *   element that is an object (MongoDB's "array of documents" rule).
 * - A positive operator holds when SOME candidate satisfies it, a candidate that is an array standing for
 *   itself and each of its elements (array contains). `$neq`, `$nin` and `$not` are the negations of
 *   `$eq`, `$in` and their condition: `{"data.tags": {"$neq": "x"}}` holds when no tag is "x", and when
 *   there are no tags. As in MongoDB, operators side by side are each satisfied by some element, not
 *   necessarily the same one.
 * - Comparisons (`$gt` …) hold between two numbers or two strings (by UTF-16 code units), never across
 *   types. `$exist: true` holds when the path reaches something, JSON null included.
 *
 * Evaluation is linear: every key is visited once per evaluation, a path visits each node of the event at
 * most once, and a `$in` list is looked up in a Set, so the cost is bounded by the number of keys (capped
 * below) times the event's size.
 * There are no regular expressions.
 */

/** A filter as stored and evaluated: a JSON object that payloadFilterIssues accepts. */
export type PayloadFilter = Readonly<Record<string, unknown>>;

/** What a filter is evaluated against: the event's type and data (events carry no metadata yet). */
export interface FilterDocument {
  type: string;
  data: Record<string, unknown>;
}

/** Bounds that keep every filter cheap to evaluate at publish time (docs/delivery.md). */
export const payloadFilterLimits = {
  /** The filter as JSON, in UTF-8 bytes. */
  maxBytes: 4096,
  /** Keys in all its objects: operators and paths. */
  maxKeys: 64,
  /** Nested objects and arrays, the filter itself being level 1. */
  maxDepth: 10,
  /** Values in one `$in` or `$nin` list. */
  maxListLength: 64,
  /** Characters of a string operand. */
  maxStringLength: 256,
  /** Characters of a path key. */
  maxPathLength: 256,
  /** Steps of a dotted path. */
  maxPathSteps: 16,
} as const;

/** One reason a filter is not valid, at a path of segments below the filter. */
export interface FilterIssue {
  path: (string | number)[];
  message: string;
}

const comparisonOperators = ['$gt', '$gte', '$lt', '$lte'] as const;
const fieldOperators = new Set<string>([
  '$eq',
  '$neq',
  ...comparisonOperators,
  '$in',
  '$nin',
  '$exist',
  '$startsWith',
  '$endsWith',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------- validation

/** Checks the shape and the cost bounds; no issue means the filter can be stored and evaluated. */
export function payloadFilterIssues(filter: unknown): FilterIssue[] {
  if (!isObject(filter)) return [{ path: [], message: 'must be a JSON object' }];
  const text = JSON.stringify(filter);
  if (new TextEncoder().encode(text).length > payloadFilterLimits.maxBytes) {
    return [{ path: [], message: `must be at most ${payloadFilterLimits.maxBytes} bytes as JSON` }];
  }
  const issues: FilterIssue[] = [];
  const keys = { count: 0 };
  checkConditionObject(filter, [], 1, issues, keys, true);
  if (keys.count > payloadFilterLimits.maxKeys) {
    issues.push({ path: [], message: `must have at most ${payloadFilterLimits.maxKeys} operators and paths` });
  }
  // Enough to fix a filter by; a 4 KiB filter of mistakes should not make a 4 KiB answer.
  return issues.slice(0, 20);
}

type Path = (string | number)[];

function tooDeep(depth: number, path: Path, issues: FilterIssue[]): boolean {
  if (depth <= payloadFilterLimits.maxDepth) return false;
  issues.push({ path, message: `nests deeper than ${payloadFilterLimits.maxDepth} levels` });
  return true;
}

/** A literal operand: any JSON value, within the depth and string bounds. */
function checkLiteral(value: unknown, path: Path, depth: number, issues: FilterIssue[]): void {
  if (typeof value === 'string') {
    if (value.length > payloadFilterLimits.maxStringLength) {
      issues.push({ path, message: `must be at most ${payloadFilterLimits.maxStringLength} characters` });
    }
    return;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    issues.push({ path, message: 'must be a finite number' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (tooDeep(depth, path, issues)) return;
  const entries: [string | number, unknown][] = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  for (const [k, v] of entries) checkLiteral(v, [...path, k], depth + 1, issues);
}

function checkCondition(value: unknown, path: Path, depth: number, issues: FilterIssue[], keys: { count: number }) {
  if (isObject(value)) checkConditionObject(value, path, depth, issues, keys, false);
  else checkLiteral(value, path, depth, issues);
}

function checkConditionObject(
  value: Record<string, unknown>,
  path: Path,
  depth: number,
  issues: FilterIssue[],
  keys: { count: number },
  top: boolean,
): void {
  if (tooDeep(depth, path, issues)) return;
  const entries = Object.entries(value);
  // An empty condition would match everything (even a missing field): surely a mistake inside a filter.
  if (entries.length === 0 && !top) issues.push({ path, message: 'must not be an empty object' });
  for (const [key, operand] of entries) {
    keys.count += 1;
    const at = [...path, key];
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(operand) || operand.length === 0) {
        issues.push({ path: at, message: 'must be a non-empty array of conditions' });
      } else if (!tooDeep(depth + 1, at, issues)) {
        for (const [i, c] of operand.entries()) checkCondition(c, [...at, i], depth + 2, issues, keys);
      }
    } else if (key === '$not') {
      checkCondition(operand, at, depth + 1, issues, keys);
    } else if (key.startsWith('$')) {
      if (fieldOperators.has(key)) checkOperator(key, operand, at, depth + 1, issues);
      else issues.push({ path: at, message: 'is not an operator' });
    } else {
      const pathIssue = pathKeyIssue(key);
      if (pathIssue) issues.push({ path: at, message: pathIssue });
      else checkCondition(operand, at, depth + 1, issues, keys);
    }
  }
}

function pathKeyIssue(key: string): string | null {
  if (key.length > payloadFilterLimits.maxPathLength) {
    return `must be a path of at most ${payloadFilterLimits.maxPathLength} characters`;
  }
  const steps = key.split('.');
  if (steps.some((s) => s === '')) return 'must be a dotted path without empty steps';
  if (steps.length > payloadFilterLimits.maxPathSteps) {
    return `must be a path of at most ${payloadFilterLimits.maxPathSteps} steps`;
  }
  if (steps.some((s) => s.startsWith('$'))) return 'is not an operator';
  return null;
}

function checkOperator(op: string, operand: unknown, path: Path, depth: number, issues: FilterIssue[]): void {
  switch (op) {
    case '$eq':
    case '$neq':
      checkLiteral(operand, path, depth, issues);
      return;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof operand !== 'number' && typeof operand !== 'string') {
        issues.push({ path, message: 'must be a number or a string' });
      } else checkLiteral(operand, path, depth, issues);
      return;
    case '$in':
    case '$nin':
      if (!Array.isArray(operand)) issues.push({ path, message: 'must be an array' });
      else if (operand.length > payloadFilterLimits.maxListLength) {
        issues.push({ path, message: `must have at most ${payloadFilterLimits.maxListLength} values` });
      } else checkLiteral(operand, path, depth, issues);
      return;
    case '$exist':
      if (typeof operand !== 'boolean') issues.push({ path, message: 'must be true or false' });
      return;
    default: // $startsWith, $endsWith
      if (typeof operand !== 'string') issues.push({ path, message: 'must be a string' });
      else checkLiteral(operand, path, depth, issues);
  }
}

// ---------------------------------------------------------------- evaluation

/** Does the event document satisfy the filter? The filter must be valid (payloadFilterIssues). */
export function payloadFilterMatches(filter: PayloadFilter, document: FilterDocument): boolean {
  return holds(filter, [document]);
}

function holds(condition: unknown, candidates: readonly unknown[]): boolean {
  if (!isObject(condition)) return someEqual(candidates, condition);
  for (const key in condition) {
    if (!Object.hasOwn(condition, key)) continue;
    if (!keyHolds(key, condition[key], candidates)) return false;
  }
  return true;
}

function keyHolds(key: string, operand: unknown, candidates: readonly unknown[]): boolean {
  switch (key) {
    case '$and':
      return Array.isArray(operand) && operand.every((c) => holds(c, candidates));
    case '$or':
      return Array.isArray(operand) && operand.some((c) => holds(c, candidates));
    case '$not':
      return !holds(operand, candidates);
    case '$eq':
      return someEqual(candidates, operand);
    case '$neq':
      return !someEqual(candidates, operand);
    case '$in':
      return Array.isArray(operand) && someIn(candidates, operand);
    case '$nin':
      return !(Array.isArray(operand) && someIn(candidates, operand));
    case '$exist':
      return candidates.length > 0 === operand;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return someScalar(candidates, (v) => compares(key, v, operand));
    case '$startsWith':
      return someScalar(
        candidates,
        (v) => typeof v === 'string' && typeof operand === 'string' && v.startsWith(operand),
      );
    case '$endsWith':
      return someScalar(candidates, (v) => typeof v === 'string' && typeof operand === 'string' && v.endsWith(operand));
    default:
      // Validation refuses any other operator; a path otherwise.
      return !key.startsWith('$') && holds(operand, reach(candidates, key.split('.')));
  }
}

/** The values a dotted path reaches from each candidate (see the rule for arrays above). */
function reach(candidates: readonly unknown[], steps: readonly string[]): unknown[] {
  let current: unknown[] = [...candidates];
  for (const step of steps) {
    const next: unknown[] = [];
    const index = /^(0|[1-9][0-9]*)$/.test(step) ? Number(step) : -1;
    for (const value of current) {
      if (Array.isArray(value)) {
        if (index >= 0) {
          if (index < value.length) next.push(value[index]);
        } else {
          for (const element of value) if (isObject(element) && Object.hasOwn(element, step)) next.push(element[step]);
        }
      } else if (isObject(value) && Object.hasOwn(value, step)) next.push(value[step]);
    }
    current = next;
  }
  return current;
}

/** Some candidate, or some element of a candidate that is an array, satisfies test. */
function someScalar(candidates: readonly unknown[], test: (v: unknown) => boolean): boolean {
  return candidates.some((c) => (Array.isArray(c) ? c.some(test) : test(c)));
}

/** Some candidate equals the value, or (array contains) one of its elements does. */
function someEqual(candidates: readonly unknown[], value: unknown): boolean {
  return candidates.some((c) => jsonEqual(c, value) || (Array.isArray(c) && c.some((e) => jsonEqual(e, value))));
}

/**
 * `$in`: some candidate (or element of one) equals a value of the list. The list's scalars go in a Set,
 * so a long list over a long array costs their sum, not their product; objects and arrays in the list
 * (rare) are compared one by one.
 */
function someIn(candidates: readonly unknown[], list: readonly unknown[]): boolean {
  const scalars = new Set(list.filter((v) => typeof v !== 'object' || v === null));
  const composites = list.filter((v) => typeof v === 'object' && v !== null);
  const hit = (v: unknown) =>
    typeof v !== 'object' || v === null ? scalars.has(v) : composites.some((c) => jsonEqual(v, c));
  return candidates.some((c) => hit(c) || (Array.isArray(c) && c.some(hit)));
}

function compares(op: string, a: unknown, b: unknown): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
    return false;
  }
  if (op === '$gt') return a > b;
  if (op === '$gte') return a >= b;
  if (op === '$lt') return a < b;
  return a <= b;
}

/** Equality of JSON values: arrays in order, objects whatever the order of their keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}
