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
