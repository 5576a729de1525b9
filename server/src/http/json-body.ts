import { CoreError } from '@hookport/spec';
import type { MiddlewareHandler } from 'hono';

/**
 * The deepest nesting of arrays and objects a request body may have. RFC 8259
 * lets a parser limit depth; 128 (serde_json's default) is far beyond any
 * real payload and far below the ~5,000 levels at which the recursive
 * JSON.stringify of storing an event or echoing an input overflows the stack.
 */
export const maxJsonDepth = 128;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The deepest nesting in JSON text, counting brackets outside strings only. Linear, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/** Parses a body as JSON, refusing bytes that are not UTF-8, nesting deeper than the limit and `__proto__` keys. */
export function parseJsonBody(bytes: ArrayBuffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new CoreError('invalid_json', 'The request body is not valid UTF-8.');
  }
  if (jsonDepth(text) > maxJsonDepth) {
    throw new CoreError(
      'invalid_json',
      `The request body nests arrays and objects deeper than ${maxJsonDepth} levels.`,
    );
  }
  // Only text that could spell the key or a lone surrogate (directly or through \u escapes) pays for the reviver.
  return text.includes('__proto__') || text.includes('\\u') ? JSON.parse(text, refuseUnsafe) : JSON.parse(text);
}

/**
 * A `__proto__` key is refused, as secure-json-parse (Fastify) does: JSON.parse
 * keeps it as an own key, but every later copy into a plain object (the Zod
 * record of event data, metadata, custom headers) treats it as the prototype,
 * so the key was silently dropped from what was stored and delivered.
 * A lone surrogate (`"\ud800"`, only possible through an escape once the bytes
 * are valid UTF-8) is refused too: it has no UTF-8 form, so the database would
 * store U+FFFD in its place and the data would change without a word.
 */
function refuseUnsafe(key: string, value: unknown): unknown {
  if (key === '__proto__')
    throw new CoreError('invalid_json', 'The request body has a "__proto__" key, which is refused.');
  if (!key.isWellFormed() || (typeof value === 'string' && !value.isWellFormed())) {
    throw new CoreError(
      'invalid_json',
      'The request body has a string with a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape), which cannot be stored.',
    );
  }
  return value;
}

/**
 * Makes every JSON parse of this request's body go through parseJsonBody.
 * Lazy on purpose: a route that takes no body never reads it, so it never
 * answers for a body it ignores. Invalid UTF-8 would otherwise be stored as
 * U+FFFD without a word, a deep body would reach the recursive code on the
 * request path (a 500 instead of a 4xx), and a `__proto__` key would vanish.
 */
export const strictJsonBodies: MiddlewareHandler = async (c, next) => {
  const req = c.req;
  req.json = async <T>() => parseJsonBody(await req.arrayBuffer()) as T;
  await next();
};
