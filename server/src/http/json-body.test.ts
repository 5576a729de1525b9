import { CoreError } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { jsonDepth, maxJsonDepth, parseJsonBody } from './json-body.ts';

const utf8 = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

function refusal(bytes: ArrayBuffer): string {
  try {
    parseJsonBody(bytes);
  } catch (err) {
    if (err instanceof CoreError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('jsonDepth', () => {
  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[[","b":[]}')).toBe(2);
    expect(jsonDepth('["\\\\",[[]]]')).toBe(3);
    expect(jsonDepth(nested(100_000))).toBe(100_000);
  });
});

describe('parseJsonBody', () => {
  it('parses up to the nesting limit and refuses one level more', () => {
    expect(parseJsonBody(utf8(nested(maxJsonDepth)))).toBeInstanceOf(Array);
    expect(refusal(utf8(nested(maxJsonDepth + 1)))).toMatch(/^invalid_json: .*deeper than 128/);
  });

  it('refuses bytes that are not UTF-8 and keeps every valid character', () => {
    for (const bad of [[0xff], [0xc0, 0xae], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const bytes = new Uint8Array([0x22, ...bad, 0x22]).buffer as ArrayBuffer;
      expect(refusal(bytes)).toBe('invalid_json: The request body is not valid UTF-8.');
    }
    expect(parseJsonBody(utf8('"Café 📦 日本語"'))).toBe('Café 📦 日本語');
  });

  it('refuses a __proto__ key however it is spelled, and keeps constructor and prototype keys', () => {
    expect(refusal(utf8('{"__proto__":{"x":1}}'))).toMatch(/^invalid_json: .*__proto__/);
    expect(refusal(utf8('{"a":[{"__proto__":1}]}'))).toMatch(/^invalid_json/);
    expect(refusal(utf8('{"\\u005f\\u005fproto\\u005f\\u005f":1}'))).toMatch(/^invalid_json/);
    expect(parseJsonBody(utf8('{"constructor":{"prototype":{"x":1}}}'))).toEqual({
      constructor: { prototype: { x: 1 } },
    });
    expect(parseJsonBody(utf8('{"a":"__proto__"}'))).toEqual({ a: '__proto__' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a lone surrogate escape in a value or a key, and keeps escaped pairs', () => {
    for (const bad of ['"a\\ud800b"', '"\\udfff"', '{"x":["ok","\\ud83d"]}', '{"\\ud800":1}', '"\\udc00\\ud800"']) {
      expect(refusal(utf8(bad)), bad).toMatch(/^invalid_json: .*lone UTF-16 surrogate/);
    }
    expect(parseJsonBody(utf8('"\\ud83d\\udce6 \\u00e9"'))).toBe('📦 é');
    expect(parseJsonBody(utf8('{"\\ud83d\\udce6":"x"}'))).toEqual({ '📦': 'x' });
  });

  it('lets JSON.parse refuse what is not JSON', () => {
    expect(() => parseJsonBody(utf8('{'))).toThrow(SyntaxError);
  });
});
