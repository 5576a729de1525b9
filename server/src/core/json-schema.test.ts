import { describe, expect, it } from 'vitest';
import { maxUriLength, newAjv, schemaErrors } from './json-schema.ts';

describe('schemaErrors', () => {
  it('gives no errors for valid 2020-12 schemas', () => {
    const schemas: Record<string, unknown>[] = [
      {},
      { type: 'object' },
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'https://schemas.example.com/case.created',
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          tags: { type: 'array', prefixItems: [{ type: 'string' }], items: false },
          owner: { $ref: '#/$defs/person' },
        },
        $defs: { person: { type: 'object', properties: { name: { type: 'string' } } } },
        unevaluatedProperties: false,
      },
      { type: ['string', 'null'], format: 'email' },
      { anyOf: [{ const: 1 }, { enum: ['a', 'b'] }] },
    ];
    for (const schema of schemas) {
      expect(schemaErrors(schema, 'schema'), JSON.stringify(schema)).toEqual([]);
    }
  });

  it('reports an invalid keyword value with a path under the given path', () => {
    const errors = schemaErrors({ type: 'nope' }, 'schema');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.path).toBe('schema.type');
      expect(e.code).toBe('invalid_json_schema');
      expect(e.message).toEqual(expect.any(String));
    }
  });

  it('prefixes nested paths with the given path', () => {
    const errors = schemaErrors({ properties: { a: { type: 'nope' } } }, 'body.eventTypes.0.schema');
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => e.path))).toEqual(new Set(['body.eventTypes.0.schema.properties.a.type']));
  });

  it('reports other malformed keywords', () => {
    expect(schemaErrors({ minLength: -1 }, 'schema').map((e) => e.path)).toContain('schema.minLength');
    expect(schemaErrors({ required: 'id' }, 'schema').map((e) => e.path)).toContain('schema.required');
    expect(schemaErrors({ properties: [] }, 'schema').map((e) => e.path)).toContain('schema.properties');
  });

  it('reports an unresolvable $ref as an error instead of throwing', () => {
    for (const ref of ['#/$defs/missing', 'https://elsewhere.example.com/schema.json', 'other.json#/a']) {
      let errors: ReturnType<typeof schemaErrors> = [];
      expect(() => {
        errors = schemaErrors({ type: 'object', properties: { a: { $ref: ref } } }, 'schema');
      }).not.toThrow();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path: 'schema', code: 'invalid_json_schema' });
      expect(errors[0]?.message).toContain(ref.split('#')[0] || ref);
    }
  });

  it('accepts the same $id in two separate calls', () => {
    const schema = { $id: 'https://schemas.example.com/same', type: 'string' };
    expect(schemaErrors(schema, 'a')).toEqual([]);
    expect(schemaErrors({ ...schema }, 'b')).toEqual([]);
    expect(schemaErrors({ ...schema, type: 'number' }, 'c')).toEqual([]);
  });

  it('does not alter the schema it checks', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const copy = structuredClone(schema);
    schemaErrors(schema, 'schema');
    expect(schema).toEqual(copy);
  });

  // Tenants send these schemas: anything the checker cannot judge must come
  // back as a field error (400), never escape as an exception (500).
  // Ajv's validateSchema throws for an unknown or non-string $schema.
  it('reports an unknown or malformed $schema as an error instead of throwing', () => {
    for (const $schema of ['http://json-schema.org/draft-07/schema#', 'https://example.com/not-a-meta-schema', 42]) {
      let errors: ReturnType<typeof schemaErrors> = [];
      expect(() => {
        errors = schemaErrors({ $schema, type: 'object' }, 'schema');
      }, JSON.stringify($schema)).not.toThrow();
      expect(errors.length, JSON.stringify($schema)).toBeGreaterThan(0);
      expect(errors[0]?.code).toBe('invalid_json_schema');
    }
  });
});

describe('patterns on RE2', () => {
  it('refuses backreferences and lookaround with unsupported_pattern, naming each pattern by its path', () => {
    const refused = ['(a)\\1', '(?<n>a)\\k<n>', '(?=a)a', '(?!a)b', '(?<=a)b', '(?<!a)b', '^(a{100}){100}$'];
    for (const pattern of refused) {
      expect(schemaErrors({ type: 'string', pattern }, 'schema'), pattern).toEqual([
        { path: 'schema.pattern', message: expect.stringContaining('RE2'), code: 'unsupported_pattern' },
      ]);
    }
    const nested = {
      type: 'object',
      properties: { code: { type: 'string', pattern: '^(x)\\1$' }, ok: { type: 'string', pattern: '^x+$' } },
      patternProperties: { '^(?=id)': { type: 'string' } },
      $defs: { d: { prefixItems: [{ pattern: '(?!x)' }] } },
    };
    expect(
      schemaErrors(nested, 'eventTypes.0.schema')
        .map((e) => [e.path, e.code])
        .sort(),
    ).toEqual(
      [
        ['eventTypes.0.schema.$defs.d.prefixItems.0.pattern', 'unsupported_pattern'],
        ['eventTypes.0.schema.patternProperties.^(?=id)', 'unsupported_pattern'],
        ['eventTypes.0.schema.properties.code.pattern', 'unsupported_pattern'],
      ].sort(),
    );
  });

  it('reads `pattern` inside const, enum, default and examples as data, not as a pattern', () => {
    const schema = {
      type: 'object',
      const: { pattern: '(a)\\1' },
      enum: [{ pattern: '(?=a)' }],
      default: { pattern: '(?!a)' },
      examples: [{ pattern: '(?<=a)' }],
    };
    expect(schemaErrors(schema, 'schema')).toEqual([]);
  });

  it('runs ordinary patterns, patternProperties and unicode as ECMAScript would, in linear time', () => {
    const validate = newAjv().compile({
      type: 'object',
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{2,4}-\\d+$' },
        word: { type: 'string', pattern: '^\\p{L}+$' },
        emoji: { type: 'string', pattern: '^\\u{1F600}$' },
        one: { type: 'string', pattern: '^.$' },
        slug: { type: 'string', pattern: 'a/b' },
        named: { type: 'string', pattern: '^(?<year>\\d{4})$' },
        nested: { type: 'string', pattern: '^(a+)+$' },
      },
      patternProperties: { '^x-[a-z]+$': { type: 'integer' } },
    });
    expect(
      validate({
        code: 'AB-12',
        word: 'Ünïcödé',
        emoji: '😀',
        one: 'é',
        slug: 'x/a/b',
        named: '2026',
        nested: 'aaaa',
        'x-count': 3,
      }),
    ).toBe(true);
    for (const [key, value] of [
      ['code', 'ab-12'],
      ['word', 'abc1'],
      ['emoji', '😃'],
      ['one', 'ab'],
      ['named', '26'],
      ['x-count', 'three'],
    ] as const) {
      expect(validate({ [key]: value }), key).toBe(false);
    }
    // The backtracking engine takes minutes on this input; RE2 is linear in it.
    expect(validate({ nested: `${'a'.repeat(100_000)}!` })).toBe(false);
  });
});

describe('formats', () => {
  it('checks formats in full mode', () => {
    const validate = newAjv().compile({ type: 'string', format: 'date' });
    expect(validate('2026-02-28')).toBe(true);
    expect(validate('2026-02-30')).toBe(false);
  });

  it(`fails uri and url values longer than ${maxUriLength} characters, whatever they are`, () => {
    for (const format of ['uri', 'url', 'uri-reference']) {
      const validate = newAjv().compile({ type: 'string', format });
      const base = 'https://example.com/';
      expect(validate(`${base}${'a'.repeat(maxUriLength - base.length)}`), format).toBe(true);
      expect(validate(`${base}${'a'.repeat(maxUriLength - base.length + 1)}`), format).toBe(false);
      expect(validate('not a uri'), format).toBe(false);
    }
  });
});
