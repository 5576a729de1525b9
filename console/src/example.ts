/**
 * An example payload for an event type, made from its JSON Schema: `examples`, `const`, `default` or the
 * first `enum` value when the schema gives one, otherwise a placeholder of the declared type. Only the
 * subset of JSON Schema that catalogues use is followed; anything else becomes null.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const placeholders: Record<string, (schema: Record<string, unknown>) => Json> = {
  string: (s) =>
    s.format === 'date-time' ? '2026-01-15T10:30:00.000Z' : s.format === 'email' ? 'user@example.com' : 'string',
  integer: (s) => (typeof s.minimum === 'number' ? s.minimum : 0),
  number: (s) => (typeof s.minimum === 'number' ? s.minimum : 0),
  boolean: () => true,
  null: () => null,
};

export function exampleFromSchema(schema: unknown, depth = 0): Json {
  if (!isRecord(schema) || depth > 8) return null;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0] as Json;
  if ('const' in schema) return schema.const as Json;
  if ('default' in schema) return schema.default as Json;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as Json;
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return exampleFromSchema(options[0], depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || isRecord(schema.properties)) {
    const out: Record<string, Json> = {};
    const properties = isRecord(schema.properties) ? schema.properties : {};
    for (const [name, property] of Object.entries(properties)) out[name] = exampleFromSchema(property, depth + 1);
    return out;
  }
  if (type === 'array') return [exampleFromSchema(schema.items, depth + 1)];
  const placeholder = typeof type === 'string' ? placeholders[type] : undefined;
  return placeholder ? placeholder(schema) : null;
}
