import type { FieldError } from '@hookport/spec';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

/**
 * A JSON Schema 2020-12 validator with formats (email, uri, date-time…)
 * checked rather than ignored. ajv-formats is CommonJS: its plugin is the
 * module's `default`.
 */
export function newAjv(): Ajv2020 {
  return formatsModule.default(new Ajv2020({ allErrors: true, strict: false }));
}

/**
 * Checks that a value is itself a valid JSON Schema (2020-12) that compiles.
 * A fresh Ajv per check: schemas may carry `$id`s that would collide in a
 * shared instance, and catalogue writes are rare.
 */
export function schemaErrors(schema: Record<string, unknown>, path: string): FieldError[] {
  const ajv = newAjv();
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
  try {
    ajv.compile(schema);
    return [];
  } catch (err) {
    return [{ path, message: err instanceof Error ? err.message : 'cannot be compiled', code: 'invalid_json_schema' }];
  }
}
