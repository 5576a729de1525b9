import { closest, distance } from 'fastest-levenshtein';
import { envSchema } from '../config.ts';

/**
 * HOOKPORT_* names that are not server settings but are read elsewhere, so they are not misspellings:
 * the CLI client and the SDK examples (HOOKPORT_URL, HOOKPORT_TOKEN, HOOKPORT_WEBHOOK_SECRET) and the
 * test suites (HOOKPORT_SOAK, HOOKPORT_PG_BIN). A shell that exports them must not be warned about them.
 */
export const otherHookportVariables: readonly string[] = [
  'HOOKPORT_URL',
  'HOOKPORT_TOKEN',
  'HOOKPORT_WEBHOOK_SECRET',
  'HOOKPORT_SOAK',
  'HOOKPORT_PG_BIN',
];

const prefix = 'HOOKPORT_';
const settings = Object.keys(envSchema.shape).filter((name) => name.startsWith(prefix));
const known = new Set([...settings, ...otherHookportVariables]);

/**
 * One warning per HOOKPORT_* variable that Hookport does not read: a misspelt setting is otherwise
 * silently ignored (HOOKPORT_EGRES_ALLOWLIST leaves the allowlist empty). Names the closest setting
 * when it is a plausible typo: within a third of the name's length in edits (at least 2).
 */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(prefix) || known.has(name)) continue;
    const guess = closest(name, settings);
    // Measured without the shared prefix, which would make every name look close.
    const typed = name.slice(prefix.length);
    const plausible = distance(typed, guess.slice(prefix.length)) <= Math.max(2, Math.floor(typed.length / 3));
    warnings.push(
      plausible
        ? `${name} is not a Hookport setting; did you mean ${guess}?`
        : `${name} is not a Hookport setting (see docs/configuration.md); it is ignored.`,
    );
  }
  return warnings;
}
