import type { FieldError } from '@hookport/spec';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { re2Engine, unsupportedPatternReason } from './re2-engine.ts';
import { schemaPatterns } from './schema-patterns.ts';

/**
 * Tenants' JSON Schemas (2020-12), compiled and run by Ajv. This module runs in the schema pool's
 * worker threads (schema-worker.ts), never on the main thread with tenant input: whatever it costs is
 * bounded by the pool's budget.
 */

/** Longest string the URI formats check: their regular expressions backtrack on long crafted input. */
export const maxUriLength = 2048;

const uriFormats = ['uri', 'uri-reference', 'uri-template', 'url'] as const;

/** `fullFormats[name]` as a predicate: a RegExp, a function, or `{ validate }` of either. */
function formatTest(name: (typeof uriFormats)[number]): (s: string) => boolean {
  const format: unknown = fullFormats[name];
  const inner = typeof format === 'object' && format !== null && 'validate' in format ? format.validate : format;
  if (inner instanceof RegExp) return (s) => inner.test(s);
  if (typeof inner === 'function') return (s) => Boolean(inner(s));
  throw new Error(`ajv-formats has no check for ${name}`);
}

/**
 * A JSON Schema 2020-12 validator with formats (email, uri, date-time…) checked rather than ignored,
 * in ajv-formats' full mode; patterns run on RE2. ajv-formats is CommonJS: its plugin is the module's
 * `default`.
 */
export function newAjv({ validateSchema = true }: { validateSchema?: boolean } = {}): Ajv2020 {
  const ajv = formatsModule.default(
    new Ajv2020({ allErrors: true, strict: false, validateSchema, code: { regExp: re2Engine } }),
    { mode: 'full' },
  );
  for (const name of uriFormats) {
    const test = formatTest(name);
    ajv.addFormat(name, { type: 'string', validate: (s: string) => s.length <= maxUriLength && test(s) });
  }
  return ajv;
}

/**
 * The validator of a schema already checked (schemaErrors). A fresh Ajv per schema: schemas may
 * carry `$id`s that would collide in a shared instance. It does not check the schema against the
 * meta-schema again, which would compile the meta-schemas in every fresh instance (most of the cost).
 */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  return newAjv({ validateSchema: false }).compile(schema);
}

/** One instance checks schemas against the meta-schemas, compiled once: validateSchema adds nothing to it. */
let metaChecker: Ajv2020 | undefined;

/**
 * Checks that a value is itself a valid JSON Schema (2020-12) that compiles, with every pattern one
 * RE2 runs.
 */
export function schemaErrors(schema: Record<string, unknown>, path: string): FieldError[] {
  metaChecker ??= newAjv();
  const ajv = metaChecker;
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) as boolean;
  } catch (err) {
    // An unknown or malformed `$schema` makes Ajv throw rather than report.
    return [
      {
        path: `${path}.$schema`,
        message: err instanceof Error ? err.message : 'is not supported',
        code: 'invalid_json_schema',
      },
    ];
  }
  if (!valid) {
    return (ajv.errors ?? []).map((e) => ({
      path: `${path}${e.instancePath.replaceAll('/', '.')}`,
      message: e.message ?? 'is not valid',
      code: 'invalid_json_schema',
    }));
  }
  const unsupported = patternErrors(schema, path);
  if (unsupported.length > 0) return unsupported;
  try {
    compileSchema(schema);
    return [];
  } catch (err) {
    return [{ path, message: err instanceof Error ? err.message : 'cannot be compiled', code: 'invalid_json_schema' }];
  }
}

/** The patterns RE2 cannot run (backreferences, lookaround), each named by its path. */
export function patternErrors(schema: Record<string, unknown>, path: string): FieldError[] {
  return schemaPatterns(schema, path).flatMap(({ path: at, pattern }) => {
    const reason = unsupportedPatternReason(pattern);
    return reason === null
      ? []
      : [
          {
            path: at,
            message: `cannot run on the linear-time pattern engine (RE2: no backreferences or lookaround): ${reason}`,
            code: 'unsupported_pattern',
          },
        ];
  });
}

/**
 * The dotted path of the field a schema error is about, under `data.`. Ajv reports a missing or
 * unknown property at the object that holds it; the caller needs the property itself, as the
 * request-body errors name it.
 */
function dataPath(e: ErrorObject): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const property =
    e.keyword === 'required'
      ? e.params.missingProperty
      : e.keyword === 'additionalProperties'
        ? e.params.additionalProperty
        : undefined;
  if (typeof property === 'string') segments.push(property);
  return ['data', ...segments].join('.');
}

/** Ajv's errors about an event's data, as the field errors of a publish refusal. */
export function dataErrors(errors: readonly ErrorObject[]): FieldError[] {
  return errors.map((e) => ({ path: dataPath(e), message: e.message ?? 'is not valid', code: `schema_${e.keyword}` }));
}
