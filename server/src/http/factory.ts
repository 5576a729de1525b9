import { OpenAPIHono } from '@hono/zod-openapi';
import { CoreError, type FieldError } from '@hookport/spec';
import type { ZodError } from 'zod';
import type { AppEnv } from './env.ts';

/** Turns zod issues into per-field errors; an unknown key becomes one error per key. */
export function fieldErrors(error: ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: base ? `${base}.${key}` : key, message: 'is not a known field', code: issue.code });
      }
    } else {
      out.push({ path: base, message: issue.message, code: issue.code });
    }
  }
  return out;
}

const targetNames: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'headers' };

/**
 * Every router comes from here, so every route shares one validation hook:
 * a malformed path id is a 404 (nothing by that id can exist), anything else
 * that fails its schema is a 422 listing each field.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      if (result.target === 'param') throw new CoreError('not_found', 'No such resource.');
      const errors = fieldErrors(result.error);
      const where = targetNames[result.target] ?? result.target;
      const summary = errors
        .slice(0, 3)
        .map((e) => `${e.path || where}: ${e.message}`)
        .join('; ');
      throw new CoreError('validation_failed', `The request ${where} is not valid: ${summary}.`, errors);
    },
  });
}
