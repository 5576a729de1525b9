/**
 * Writes spec/openapi.json from the Zod route declarations, or with --check
 * fails when the committed file differs from what the spec builds (CI's drift check).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildNativeDocument } from '../src/document.ts';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
const built = `${JSON.stringify(buildNativeDocument(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== built) {
    process.stderr.write('spec/openapi.json is out of date: run `pnpm generate` and commit the result.\n');
    process.exit(1);
  }
  process.stdout.write('spec/openapi.json is up to date.\n');
} else {
  await writeFile(target, built);
  process.stdout.write(`Wrote ${target}\n`);
}
