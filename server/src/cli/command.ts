import type { CliIo } from './io.ts';

/** One `hookport …` command: the dispatcher finds it by its words and prints its help. */
export interface Command {
  /** The words that name it, e.g. `tenant create`. */
  name: string;
  /** One line for `hookport --help`. */
  summary: string;
  /** The text of `hookport <name> --help`: usage, arguments, options, an example. */
  help: string;
  /** Runs with the arguments after the command's words; resolves with the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}
