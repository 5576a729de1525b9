/**
 * Copies spec/openapi.json into the SDK as src/testing/openapi-document.ts, so
 * the test kit ships the document it validates against and needs no JSON
 * import (which browsers and older Node handle differently). `--check` fails
 * when the copy is out of date, for `pnpm check:generated`.
 */
import { readFile, writeFile } from 'node:fs/promises';

const source = new URL('../../spec/openapi.json', import.meta.url);
const target = new URL('../src/testing/openapi-document.ts', import.meta.url);

const json = JSON.stringify(JSON.parse(await readFile(source, 'utf8')));
const text = `// Generated from spec/openapi.json by scripts/generate-openapi.mjs; do not edit.
// JSON.parse of one string literal: parsed faster than an object literal, and cheap for the compiler.
export const openapiDocument: unknown = JSON.parse(${JSON.stringify(json)});
`;

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    console.error('sdk/src/testing/openapi-document.ts is out of date: run pnpm generate.');
    process.exit(1);
  }
} else {
  await writeFile(target, text);
}
