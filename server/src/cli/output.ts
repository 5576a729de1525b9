import type { CliIo } from './io.ts';

export interface OutputFlags {
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  field?: string | undefined;
}

/**
 * Prints what a command made: `--json` the API's answer, `--quiet` the one
 * value the next step needs (so `X=$(hookport … -q)` captures it), `--field`
 * one field of the answer, otherwise the human lines.
 */
export function printResult(io: CliIo, flags: OutputFlags, body: object, quietValue: string, human: () => string[]) {
  if (flags.field !== undefined) {
    const value: unknown = (body as Record<string, unknown>)[flags.field];
    if (value === undefined) {
      io.err(`hookport: the answer has no field "${flags.field}" (it has ${Object.keys(body).join(', ')})\n`);
      return 1;
    }
    io.out(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  } else if (flags.json) {
    io.out(`${JSON.stringify(body, null, 2)}\n`);
  } else if (flags.quiet) {
    io.out(`${quietValue}\n`);
  } else {
    io.out(`${human().join('\n')}\n`);
  }
  return 0;
}
