import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './io.ts';

/** Options every command takes; the dispatcher answers them before a command runs. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsOptionsConfig;

/** Options of the commands that call the API. */
export const apiOptions = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  field: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Help lines for apiOptions, shared by every API command's --help. */
export const apiOptionsHelp = `  --url <url>        Hookport's address (env HOOKPORT_URL, default http://127.0.0.1:8080)
  --token <token>    The API token (env HOOKPORT_TOKEN)
  --json             Print the API's answer as JSON
  -q, --quiet        Print only the id, for $(…) capture
  --field <name>     Print only this field of the API's answer (e.g. --field secret)`;

/**
 * node:util parseArgs, strict, with the common options added; its TypeErrors
 * (unknown option, missing value) become a UsageError naming the problem.
 * `positionals` is how many positional arguments the command takes, at least and at most.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  argv: string[],
  options: O,
  positionals: { min: number; max: number; names: string } = { min: 0, max: 0, names: '' },
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O & typeof commonOptions; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: { ...commonOptions, ...options }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '.') : String(err),
    );
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`Missing ${positionals.names}.`);
  if (count > positionals.max) {
    throw new UsageError(`Unexpected argument: ${parsed.positionals[positionals.max]}.`);
  }
  return parsed;
}

/** A comma-separated list option (`--events a,b`), without blanks; undefined when not given. */
export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A JSON option (`--data '{"id":1}'`), or a UsageError naming the option and the parse error. */
export function jsonOption(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--${name} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A TCP port option: 0 to 65535. */
export function portOption(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--${name} must be a port number, 0 to 65535.`);
  return port;
}

/** A quota option: a whole number of at least 1, or `unlimited` (the API bounds it further). */
export function quotaOption(name: string, value: string): number | 'unlimited' {
  if (value === 'unlimited') return value;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a whole number of at least 1, or unlimited.`);
  return Number(value);
}

/** A whole number of days, at least 1. */
export function daysOption(name: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a whole number of days, at least 1.`);
  return Number(value);
}

/** A whole number of at least 1 (`--timeout-ms 5000`); the API bounds it further. */
export function wholeNumberOption(name: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a whole number of at least 1.`);
  return Number(value);
}

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration such as 0s, 90m, 12h or 30d, in seconds; a UsageError naming the option otherwise. */
export function durationOption(name: string, text: string): number {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  const unit = match?.[2] === undefined ? undefined : durationUnits[match[2]];
  if (!match || unit === undefined) {
    throw new UsageError(`--${name} must be a number and a unit (s, m, h or d), e.g. 0s, 90m, 12h, 30d: "${text}".`);
  }
  return Number(match[1]) * unit;
}

/**
 * A point in time: an ISO 8601 date or date-time (`2026-12-07T08:00:00Z`), or a duration ago (`1h`, `2d`)
 * counted from `now`; as the ISO string the API takes.
 */
export function timeOption(name: string, text: string, now: Date): string {
  const trimmed = text.trim();
  const at = /^\d+[smhd]$/.test(trimmed)
    ? now.getTime() - durationOption(name, trimmed) * 1000
    : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)
      ? Date.parse(trimmed)
      : Number.NaN;
  // NaN also when a duration reaches before the earliest time a Date holds (999999999d).
  if (Number.isNaN(new Date(at).getTime())) {
    throw new UsageError(
      `--${name} must be an ISO 8601 time (2026-12-07T08:00:00Z) or a duration ago (90m, 1h, 2d): "${text}".`,
    );
  }
  return new Date(at).toISOString();
}
