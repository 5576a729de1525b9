import { serverVersion } from '../version.ts';
import type { Command } from './command.ts';
import { deliveries } from './deliveries.ts';
import { deliveriesReplay, deliveriesSkip } from './delivery-actions.ts';
import { endpointCreate } from './endpoint.ts';
import { describeFailure } from './errors.ts';
import { eventTypeCreate } from './event-type.ts';
import type { CliIo } from './io.ts';
import { keygen } from './keygen.ts';
import { listen } from './listen.ts';
import { migrateCmd } from './migrate.ts';
import { pruneCmd } from './prune.ts';
import { send } from './send.ts';
import { serveCmd, workerCmd } from './serve.ts';
import { tenantCreate } from './tenant.ts';
import { tokenCreate } from './token.ts';

export const commands: readonly Command[] = [
  serveCmd,
  workerCmd,
  migrateCmd,
  pruneCmd,
  keygen,
  tenantCreate,
  tokenCreate,
  eventTypeCreate,
  endpointCreate,
  send,
  deliveries,
  deliveriesReplay,
  deliveriesSkip,
  listen,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: hookport <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Every command takes --help and --version. The API commands reach Hookport at
HOOKPORT_URL (default http://127.0.0.1:8080) with HOOKPORT_TOKEN; see docs/cli.md.`;
}

/** The command named by the first one or two words, and the arguments after them. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const [first, second] = argv;
  const two = commands.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = commands.find((c) => c.name === first);
  return one ? { command: one, rest: argv.slice(1) } : undefined;
}

/** Whether a flag is among the options (before a `--` that ends them). */
function hasFlag(argv: readonly string[], ...flags: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => flags.includes(a));
}

/** Runs one command line; resolves with the exit code. Serve keeps running after it resolves. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const found = findCommand(argv);
  if (found === undefined) {
    if (hasFlag(argv, '--version', '-V') && !hasFlag(argv.slice(0, 1), '--help', '-h')) {
      io.out(`hookport ${serverVersion()}\n`);
      return 0;
    }
    const [first] = argv;
    const group = commands.filter((c) => c.name.startsWith(`${first} `));
    if (first === undefined || first === 'help' || hasFlag(argv.slice(0, 1), '--help', '-h')) {
      io.out(`${usage()}\n`);
      return 0;
    }
    if (group.length > 0 && (argv.length === 1 || hasFlag(argv, '--help', '-h'))) {
      const list = `Commands:\n${group.map((c) => `  hookport ${c.name}  ${c.summary}`).join('\n')}\n`;
      // `hookport tenant` alone is an incomplete command (stderr, exit 2); with --help, an answer.
      if (argv.length === 1) io.err(list);
      else io.out(list);
      return argv.length === 1 ? 2 : 0;
    }
    io.err(`hookport: unknown command "${argv.slice(0, group.length > 0 ? 2 : 1).join(' ')}"\n\n${usage()}\n`);
    return 2;
  }
  const { command, rest } = found;
  if (hasFlag(rest, '--help', '-h')) {
    io.out(`${command.help}\n`);
    return 0;
  }
  if (hasFlag(rest, '--version', '-V')) {
    io.out(`hookport ${serverVersion()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    const { text, code } = describeFailure(err, command.name);
    io.err(`${text}\n`);
    return code;
  }
}
