import { OpenAPIHono } from '@hono/zod-openapi';
import { CoreError, fieldErrorsOf } from '@hookport/spec';
import type { AppEnv } from './env.ts';

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
      const errors = fieldErrorsOf(result.error);
      const where = targetNames[result.target] ?? result.target;
      const summary = errors
        .slice(0, 3)
        .map((e) => `${e.path || where}: ${e.message}`)
        .join('; ');
      throw new CoreError('validation_failed', `The request ${where} is not valid: ${summary}.`, errors);
    },
  });
}
