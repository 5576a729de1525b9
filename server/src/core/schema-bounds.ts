import type { FieldError } from '@hookport/spec';
import { schemaPatterns } from './schema-patterns.ts';

/**
 * The size limits of an event type's schema, checked on the main thread before anything
 * compiles it: each check is one linear walk, so they cost nothing a tenant could abuse, and they
 * bound what the schema pool's workers are given (docs/api.md, "Event type schemas").
 */
export const schemaLimits = {
  /** The schema's JSON, in bytes of UTF-8. */
  maxBytes: 64 * 1024,
  /** Objects and arrays nested in one another, the schema itself being level 1. */
  maxDepth: 64,
  /** Characters of one `pattern` or `patternProperties` key. */
  maxPatternLength: 1000,
} as const;

/** The path of the first value nested deeper than `max` levels, or null. */
function tooDeepAt(value: unknown, path: string, level: number, max: number): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (level > max) return path;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  for (const [key, child] of entries) {
    const at = tooDeepAt(child, `${path}.${key}`, level + 1, max);
    if (at !== null) return at;
  }
  return null;
}

/** The limits `schema` (reported under `path`) breaks; empty when it is within all of them. */
export function schemaBoundErrors(schema: Record<string, unknown>, path: string): FieldError[] {
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > schemaLimits.maxBytes) {
    return [
      {
        path,
        message: `is ${bytes} bytes of JSON; a schema may have at most ${schemaLimits.maxBytes}`,
        code: 'schema_too_large',
      },
    ];
  }
  const deep = tooDeepAt(schema, path, 1, schemaLimits.maxDepth);
  if (deep !== null) {
    return [
      {
        path: deep,
        message: `is nested deeper than ${schemaLimits.maxDepth} levels`,
        code: 'schema_too_deep',
      },
    ];
  }
  return schemaPatterns(schema, path)
    .filter((p) => p.pattern.length > schemaLimits.maxPatternLength)
    .map((p) => ({
      path: p.path,
      message: `is ${p.pattern.length} characters long; a pattern may have at most ${schemaLimits.maxPatternLength}`,
      code: 'pattern_too_long',
    }));
}
