import { readFileSync } from 'node:fs';
import { packageFile } from '../package-dir.ts';

/** The version of @hookport/server, which ships the CLI. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
