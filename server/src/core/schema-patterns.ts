/**
 * The regular expressions a JSON Schema holds: every `pattern` and every key of a
 * `patternProperties`, with the dotted path that names it in a field error.
 */
export interface SchemaPattern {
  path: string;
  pattern: string;
}

/** Keywords whose values are data, not subschemas: a `pattern` key inside them is not a pattern. */
const dataKeywords = new Set(['const', 'enum', 'default', 'examples']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function schemaPatterns(schema: unknown, path: string, out: SchemaPattern[] = []): SchemaPattern[] {
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => {
      schemaPatterns(item, `${path}.${i}`, out);
    });
    return out;
  }
  if (!isObject(schema)) return out;
  for (const [key, value] of Object.entries(schema)) {
    if (dataKeywords.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string') out.push({ path: `${path}.pattern`, pattern: value });
    if (key === 'patternProperties' && isObject(value)) {
      for (const pattern of Object.keys(value)) out.push({ path: `${path}.patternProperties.${pattern}`, pattern });
    }
    schemaPatterns(value, `${path}.${key}`, out);
  }
  return out;
}
