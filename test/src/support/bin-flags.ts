import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The node flags of the `hookport` bin (its `#!/usr/bin/env -S node …` line): the V8 heap settings a
 * worker is shipped with. Processes started as `node --import tsx server/src/cli.ts` skip that line, so
 * the tests and the bench that measure a worker's memory pass these themselves.
 */
export function binNodeFlags(): string[] {
  const bin = fileURLToPath(new URL('../../../server/bin/hookport.js', import.meta.url));
  const first = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
  return (/^#!\/usr\/bin\/env\s+-S\s+node\s+(.*)$/.exec(first)?.[1] ?? '').split(' ').filter(Boolean);
}
