/**
 * Writes compat/openapi/<vendor>.json for every vendor surface, or with --check
 * fails when a committed document differs from what the route declarations
 * build (CI's drift check, like spec/openapi.json).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { vendorSurfaces } from '../src/index.ts';

const dir = fileURLToPath(new URL('../openapi/', import.meta.url));
const check = process.argv.includes('--check');
const built = new Map<string, string>(
  vendorSurfaces.map((s) => [`${s.vendor}.json`, `${JSON.stringify(s.document(), null, 2)}\n`] as const),
);

await mkdir(dir, { recursive: true });
const stale: string[] = [];
for (const [name, text] of built) {
  const target = `${dir}${name}`;
  if (check) {
    if ((await readFile(target, 'utf8').catch(() => '')) !== text) stale.push(`compat/openapi/${name}`);
  } else {
    await writeFile(target, text);
    process.stdout.write(`Wrote ${target}\n`);
  }
}
// A document whose surface is gone is stale too.
for (const name of await readdir(dir)) {
  if (name.endsWith('.json') && !built.has(name)) stale.push(`compat/openapi/${name} (no such surface)`);
}
if (check) {
  if (stale.length > 0) {
    process.stderr.write(`Out of date: ${stale.join(', ')}. Run \`pnpm generate\` and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`compat/openapi/*.json are up to date (${built.size} surfaces).\n`);
}
