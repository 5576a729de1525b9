import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';

/**
 * JSON Schema `pattern`s and `patternProperties` of tenants' schemas run on RE2 (re2js, a pure
 * JavaScript port), whose matching time is linear in the input: JavaScript's backtracking engine
 * takes exponential time on patterns like `^(a+)+$`, and a tenant writes the pattern.
 *
 * RE2 has no backreferences and no lookaround (they are what makes backtracking necessary); such
 * patterns are refused when the schema is stored (unsupportedPatternReason), never run natively.
 */

/**
 * `\k<name>` is a named backreference in ECMAScript; translateRegExp would turn it into the literal
 * `k<name>` rather than fail, so it is refused here. An even run of backslashes before `k` escapes
 * the backslashes, not the `k`.
 */
const namedBackreference = /(?<!\\)(?:\\\\)*\\k</;

/** Compiles an ECMAScript pattern (as JSON Schema writes it) for RE2; throws if RE2 cannot run it. */
function compile(pattern: string): RE2JS {
  if (namedBackreference.test(pattern)) throw new Error('backreferences are not supported');
  // translateRegExp maps ECMAScript-only syntax RE2 has a form of: \u{…}, \uXXXX, (?<name>…), [^].
  return RE2JS.compile(RE2JS.translateRegExp(pattern));
}

/** Why RE2 cannot run `pattern` (backreference, lookaround, repetition too large), or null when it can. */
export function unsupportedPatternReason(pattern: string): string | null {
  try {
    compile(pattern);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : 'cannot be run by the linear-time engine';
  }
}

/** Ajv's `code.regExp`: every pattern a compiled validator tests data with is an RE2 one. */
export const re2Engine: RegExpEngine = Object.assign(
  (pattern: string) => {
    const re = compile(pattern);
    // Ajv keeps one compiled pattern per toString() in an instance: it must name the pattern.
    return { test: (s: string) => re.test(s), toString: () => `/${pattern}/re2` };
  },
  // Only read by Ajv's standalone code generation, which Hookport does not use.
  { code: 're2' },
);
