/**
 * Event-type schemas and data a hostile tenant sends to make validation expensive (issue #17), each
 * sized so that validating on the main thread with JavaScript's backtracking engine (the code before
 * the schema pool) blocks the process for several seconds each (on a 2-CPU machine), not forever. Each publish is refused (422): the
 * data never matches, whichever engine judges it, so the answer does not depend on the machine.
 * Shared by test/src/schemas.hostile.test.ts and the bench (test/bench/tools/hostile-schemas.ts).
 */

/** A schema a tenant stores, and data it publishes against it. */
export interface CostlyPublish {
  name: string;
  schema: Record<string, unknown>;
  data: Record<string, unknown>;
}

const as = (n: number) => 'a'.repeat(n);

/** Two anyOf branches that both recurse: each level of nested data triples Ajv's work. */
const recursiveAnyOf = {
  $defs: {
    n: {
      anyOf: [
        { type: 'object', required: ['a'], properties: { a: { $ref: '#/$defs/n' } } },
        { type: 'object', required: ['a'], properties: { a: { $ref: '#/$defs/n' } } },
      ],
    },
  },
  type: 'object',
  properties: { tree: { $ref: '#/$defs/n' } },
};

function nested(levels: number): unknown {
  let data: unknown = 0;
  for (let i = 0; i < levels; i++) data = { a: data };
  return data;
}

/** 5000 distinct objects, but the first two equal: found last, after n²/2 deep comparisons. */
function manyObjects(): Record<string, unknown>[] {
  const items = Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `n${i}`, tags: ['x', 'y'] }));
  items[1] = { ...items[0], tags: ['x', 'y'] } as (typeof items)[number];
  return items;
}

export const costlyPublishes: CostlyPublish[] = [
  {
    name: 'nested-quantifiers',
    schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } },
    data: { s: `${as(27)}!` },
  },
  {
    name: 'overlapping-alternation',
    schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a|a)*$' } } },
    data: { s: `${as(26)}!` },
  },
  {
    name: 'alternation-of-lengths',
    schema: { type: 'object', patternProperties: { '^s$': { type: 'string', pattern: '^(a|aa)+$' } } },
    data: { s: `${as(38)}!` },
  },
  {
    name: 'recursive-anyof',
    schema: recursiveAnyOf,
    data: { tree: nested(17) },
  },
  {
    name: 'unique-objects',
    schema: { type: 'object', properties: { items: { type: 'array', uniqueItems: true } } },
    data: { items: manyObjects() },
  },
  {
    name: 'long-url',
    schema: { type: 'object', properties: { link: { type: 'string', format: 'url' } } },
    data: { link: `http://${'a:'.repeat(40_000)}\n` },
  },
];

/** Schemas refused when stored, each with the field error code and path of its refusal. */
export interface RefusedSchema {
  name: string;
  schema: Record<string, unknown>;
  code: string;
  path: string;
}

function deepSchema(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 1; i < levels; i++) schema = { not: schema };
  return schema;
}

export const refusedSchemas: RefusedSchema[] = [
  {
    name: 'huge',
    schema: {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 2000 }, (_, i) => [`p${i}`, { type: 'string', pattern: `^x${i}$` }]),
      ),
    },
    code: 'schema_too_large',
    path: 'schema',
  },
  { name: 'deep', schema: deepSchema(70), code: 'schema_too_deep', path: `schema${'.not'.repeat(64)}` },
  {
    name: 'long-pattern',
    schema: { type: 'string', pattern: `^${'(a|b)'.repeat(250)}$` },
    code: 'pattern_too_long',
    path: 'schema.pattern',
  },
  {
    name: 'backreference',
    schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)\\1$' } } },
    code: 'unsupported_pattern',
    path: 'schema.properties.s.pattern',
  },
  {
    name: 'lookahead',
    schema: { type: 'object', patternProperties: { '^(?!x)': { type: 'string' } } },
    code: 'unsupported_pattern',
    path: 'schema.patternProperties.^(?!x)',
  },
];
