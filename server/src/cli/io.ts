import type { FetchLike } from '../../../sdk/src/index.ts';

/**
 * What a command may touch of the outside world. The bin passes the process's;
 * tests pass their own (an in-process server's fetch, captured output).
 */
export interface CliIo {
  env: Record<string, string | undefined>;
  /** Writes to standard output (results: ids, tables, JSON). */
  out(text: string): void;
  /** Writes to standard error (warnings, hints, errors). */
  err(text: string): void;
  /** The fetch API calls go through; globalThis.fetch unless a test routes them in-process. */
  fetch?: FetchLike;
  /** Ends long-running commands (listen) when aborted, as Ctrl-C does for the bin. */
  signal?: AbortSignal;
}

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the user can act on, printed as one line, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
