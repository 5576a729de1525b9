import { readFileSync } from 'node:fs';
import { packageFile } from './package-dir.ts';

/**
 * The version of @hookport/server, read from its package.json (beside both src/ and dist/), so the
 * CLI's --version, the sender's User-Agent and the package never disagree.
 */
export function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
