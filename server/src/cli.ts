import { runCli } from './cli/main.ts';

/**
 * The process side of the CLI: the real environment and streams, Ctrl-C for
 * listen, the exit code. server/bin/hookport.js loads it; tests and the bench
 * run it as `node --import tsx server/src/cli.ts`. The commands are in cli/.
 * Serve installs its own signal handlers and keeps running after runCli resolves.
 */
const argv = process.argv.slice(2);
const controller = new AbortController();
if (argv[0] === 'listen') {
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
}
process.exitCode = await runCli(argv, {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  signal: controller.signal,
});
// A failed command exits at once: a half-opened database or pool must not keep the process waiting.
if (process.exitCode !== 0) process.exit(process.exitCode);
