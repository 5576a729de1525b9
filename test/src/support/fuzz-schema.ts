import fc from 'fast-check';

/**
 * JSON Schema (the subset the six OpenAPI documents use) to fast-check
 * arbitraries: `valueOf` generates values the schema accepts, `hostileOf`
 * values built from a valid one and then broken on purpose. The documents
 * are the only source: nothing here knows a route by name, so a route added
 * to a document is fuzzed without a change here.
 */

export type Schema = Record<string, unknown>;

/** A string any endpoint URL field accepts on every surface (https, a public-looking host). */
const urlArb = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((path) => `https://hooks.example.com/${path}`);

/** Values for property names whose meaning a schema cannot express (known event names, ids), per surface. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

export class SchemaArbitraries {
  readonly #doc: Schema;
  readonly #hints: Hints;

  constructor(doc: Schema, hints: Hints = {}) {
    this.#doc = doc;
    this.#hints = hints;
  }

  /** Whether a property name has a hint (event names): examples give way to it. */
  hasHint(name: string): boolean {
    return name in this.#hints;
  }

  /** Follows a local `$ref` (`#/components/schemas/X`). */
  resolve(schema: Schema): Schema {
    let here = schema;
    for (let hops = 0; typeof here.$ref === 'string' && hops < 20; hops++) {
      let target: unknown = this.#doc;
      for (const part of here.$ref.slice(2).split('/')) {
        target = (target as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
      }
      here = (target ?? {}) as Schema;
    }
    return here;
  }

  /** Values the schema accepts (best effort: formats and patterns are honoured, cross-field rules are not). */
  valueOf(input: Schema, depth = 0, name = ''): fc.Arbitrary<unknown> {
    const hint = this.#hints[name];
    if (hint) return hint;
    const schema = this.resolve(input);
    if (Array.isArray(schema.allOf)) return this.valueOf(this.mergeAll(schema.allOf as Schema[]), depth, name);
    const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (Array.isArray(union)) return fc.oneof(...union.map((s) => this.valueOf(s, depth, name)));
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    if ('const' in schema) return fc.constant(schema.const);
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
    return fc.oneof(...types.map((type) => this.ofType(type, schema, depth)));
  }

  /** allOf as one object schema: the union of properties and required names. */
  mergeAll(parts: Schema[]): Schema {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const part of parts.map((p) => this.resolve(p))) {
      Object.assign(merged, { ...part, properties: merged.properties, required: merged.required });
      Object.assign(merged.properties as Schema, part.properties ?? {});
      (merged.required as string[]).push(...((part.required as string[] | undefined) ?? []));
    }
    return merged;
  }

  private ofType(type: string | undefined, schema: Schema, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return fc.integer({ min: num(schema.minimum, -1000), max: num(schema.maximum, 100_000) });
      case 'number':
        return fc.double({ min: num(schema.minimum, -1e6), max: num(schema.maximum, 1e6), noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(this.valueOf((schema.items as Schema | undefined) ?? {}, depth + 1), {
          minLength: num(schema.minItems, 0),
          maxLength: Math.min(num(schema.maxItems, 3), Math.max(num(schema.minItems, 0), 3)),
        });
      case 'object':
        return this.object(schema, depth);
      default:
        // No type: any small JSON value (event data, JSON Schemas, metadata values).
        return depth > 2 ? fc.constant({}) : fc.jsonValue({ maxDepth: 2 });
    }
  }

  private string(schema: Schema): fc.Arbitrary<string> {
    const minLength = num(schema.minLength, 0);
    const maxLength = Math.min(num(schema.maxLength, 40), 200);
    if (typeof schema.pattern === 'string') {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((s) => s.length >= minLength && s.length <= num(schema.maxLength, Infinity));
    }
    switch (schema.format) {
      case 'uri':
      case 'url':
        return urlArb;
      case 'date-time':
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      case 'uuid':
        return fc.uuid();
      case 'email':
        return fc.emailAddress();
      default:
        return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
    }
  }

  private object(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const keys = Object.keys(properties);
    if (keys.length === 0) {
      // A map (metadata, custom headers): its values' schema, under short keys.
      const values = typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : {};
      return fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/), this.valueOf(values, depth + 1), {
        maxKeys: 3,
      });
    }
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const key of keys) record[key] = this.valueOf(properties[key] ?? {}, depth + 1, key);
    return fc.record(record, { requiredKeys: keys.filter((k) => required.has(k)) });
  }

  /**
   * A valid value, then broken: a field of the wrong type, a required field
   * missing, unknown and prototype keys, numbers no database column holds,
   * long strings, lone surrogates, a wrong top-level type.
   */
  hostileOf(schema: Schema): fc.Arbitrary<unknown> {
    const resolved = this.resolve(schema);
    const base = this.valueOf(resolved);
    const objectBase = base.filter((v): v is Record<string, unknown> => isRecord(v));
    return fc.oneof(
      {
        weight: 3,
        arbitrary: fc.tuple(objectBase, fc.string({ maxLength: 12 }), hostileValue).map(([o, k, v]) => setAny(o, k, v)),
      },
      { weight: 3, arbitrary: fc.tuple(objectBase, fc.nat(), hostileValue).map(([o, i, v]) => replaceField(o, i, v)) },
      { weight: 2, arbitrary: fc.tuple(objectBase, fc.nat()).map(([o, i]) => dropField(o, i)) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(objectBase, fc.constantFrom(...protoKeys), hostileValue)
          .map(([o, k, v]) => setAny(o, k, v)),
      },
      { weight: 1, arbitrary: hostileValue },
    );
  }
}

const protoKeys = ['__proto__', 'constructor', 'prototype'] as const;

/** Leaves no schema happy: wrong types, extremes, text the database refuses. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    0,
    -0,
    -1,
    1e308,
    -1e308,
    2 ** 53 + 1,
    2 ** 64,
    -(2 ** 63) - 1,
    1.5,
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\ufeff',
    '../../etc/passwd',
    'https://user:pass@127.0.0.1:5432/x',
    'javascript:alert(1)',
    'http://[::1]/x',
    'x'.repeat(70_000),
    [],
    {},
    JSON.parse('{"__proto__": {"polluted": true}}'),
    JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ maxLength: 300 }),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => Number(n)),
  fc.array(fc.constant(1), { minLength: 101, maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }),
);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets a key as an own property, so `__proto__` is a key of the JSON and not a prototype change. */
function setAny(o: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...o };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function replaceField(o: Record<string, unknown>, i: number, value: unknown): Record<string, unknown> {
  const keys = Object.keys(o);
  const key = keys[i % Math.max(keys.length, 1)];
  return key === undefined ? setAny(o, 'x', value) : setAny(o, key, value);
}

function dropField(o: Record<string, unknown>, i: number): Record<string, unknown> {
  const keys = Object.keys(o);
  const key = keys[i % Math.max(keys.length, 1)];
  const copy = { ...o };
  if (key !== undefined) delete copy[key];
  return copy;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
