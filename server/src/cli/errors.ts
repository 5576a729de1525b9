import { HookportError, HookportNetworkError } from '../../../sdk/src/index.ts';
import { ConfigError } from '../config.ts';
import { SecretKeyMismatchError } from '../core/core.ts';
import { StartupError } from '../startup/startup-error.ts';
import { CliError, UsageError } from './io.ts';

/**
 * Every failure of a command as the text to print and the exit code: one line
 * a user can act on (the API problem's detail, what to fix), a stack trace only
 * for what is nobody's input (a bug).
 */
export function describeFailure(err: unknown, command: string): { text: string; code: number } {
  const prefix = command ? `hookport ${command}` : 'hookport';
  if (err instanceof UsageError) {
    return { text: `${prefix}: ${err.message}\nRun "${prefix} --help" for usage.`, code: 2 };
  }
  if (err instanceof HookportError) return { text: `${prefix}: ${problemLine(err)}`, code: 1 };
  if (err instanceof HookportNetworkError) {
    return {
      text: `${prefix}: no answer from the Hookport API (${err.message}). Is hookport serve running, and is --url or HOOKPORT_URL right?`,
      code: 1,
    };
  }
  if (err instanceof CliError) return { text: `${prefix}: ${err.message}`, code: 1 };
  // What the server's start says about its configuration keeps the plain `hookport:` it always had.
  if (err instanceof ConfigError || err instanceof SecretKeyMismatchError || err instanceof StartupError)
    return { text: `hookport: ${err.message}`, code: 1 };
  return { text: `hookport: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, code: 1 };
}

/** The problem's detail (or title), with the status for context: `No such event. (404 not_found)`. */
export function problemLine(err: HookportError): string {
  const what = err.detail || err.title;
  return `${what} (${[err.status, err.code].filter(Boolean).join(' ')})`;
}
