import { describe, expect, it } from 'vitest';
import { schemaBoundErrors, schemaLimits } from './schema-bounds.ts';

/** A schema whose JSON nests `levels` objects: `{"not":{"not":…{}}}`. */
function nestedSchema(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) schema = { not: schema };
  return schema;
}

describe('schemaBoundErrors', () => {
  it('passes a schema within every limit', () => {
    expect(
      schemaBoundErrors(
        { type: 'object', properties: { a: { type: 'string', pattern: `^${'a'.repeat(998)}$` } } },
        'schema',
      ),
    ).toEqual([]);
    expect(schemaBoundErrors(nestedSchema(schemaLimits.maxDepth), 'schema')).toEqual([]);
  });

  it('refuses a schema over 64 KiB of JSON with schema_too_large', () => {
    const description = 'x'.repeat(schemaLimits.maxBytes);
    expect(schemaBoundErrors({ description }, 'schema')).toEqual([
      { path: 'schema', message: expect.stringContaining(String(schemaLimits.maxBytes)), code: 'schema_too_large' },
    ]);
    // Counted in bytes of UTF-8, not characters.
    const wide = 'é'.repeat(schemaLimits.maxBytes / 2);
    expect(schemaBoundErrors({ description: wide }, 'schema').map((e) => e.code)).toEqual(['schema_too_large']);
  });

  it('refuses nesting deeper than 64 levels with schema_too_deep, at the path where it goes too deep', () => {
    const errors = schemaBoundErrors(nestedSchema(schemaLimits.maxDepth + 1), 'schema');
    expect(errors).toEqual([
      {
        path: `schema${'.not'.repeat(schemaLimits.maxDepth)}`,
        message: expect.stringContaining('64'),
        code: 'schema_too_deep',
      },
    ]);
    // Arrays count as levels too.
    let array: unknown = [];
    for (let i = 1; i < schemaLimits.maxDepth; i++) array = [array];
    expect(schemaBoundErrors({ enum: [array] }, 'schema').map((e) => e.code)).toEqual(['schema_too_deep']);
  });

  it('refuses a pattern or patternProperties key over 1000 characters with pattern_too_long', () => {
    const long = 'a'.repeat(schemaLimits.maxPatternLength + 1);
    const errors = schemaBoundErrors(
      { properties: { a: { pattern: long } }, patternProperties: { [long]: {} } },
      'schema',
    );
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['schema.properties.a.pattern', 'pattern_too_long'],
      [`schema.patternProperties.${long}`, 'pattern_too_long'],
    ]);
  });
});
