import { describe, expect, it } from 'vitest';
import { schemaErrors } from './json-schema.ts';

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
