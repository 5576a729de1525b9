import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { binNodeFlags } from './bin-flags.ts';
import { until } from './until.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../../../server/bin/hookport.js', import.meta.url));

export interface BinExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `server/bin/hookport.js`, the command a user runs, as an OS process of its own. */
export interface BinProcess {
  pid: number;
  /** Everything written so far, stdout and stderr interleaved. */
  output(): string;
  stderr(): string;
  exit: BinExit | undefined;
  exited: Promise<BinExit>;
  /** Waits until the output contains `text`; fails at once, with the output, if the process exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the bin with `args` and exactly `env` (plus PATH and HOME): nothing of the test run's own
 * HOOKPORT_* or DATABASE_URL leaks in. The bin's node flags come from its first line, as npm's shim passes them.
 */
export function startBin(args: readonly string[], env: Record<string, string>): BinProcess {
  const child = spawn(process.execPath, [...binNodeFlags(), bin, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
  });
  const { pid } = child;
  if (pid === undefined) throw new Error('the hookport bin did not start');
  running.add(child);
  const all: string[] = [];
  const errors: string[] = [];
  child.stdout?.on('data', (c: Buffer) => all.push(String(c)));
  child.stderr?.on('data', (c: Buffer) => {
    all.push(String(c));
    errors.push(String(c));
  });
  const proc: BinProcess = {
    pid,
    output: () => all.join(''),
    stderr: () => errors.join(''),
    exit: undefined,
    exited: new Promise<BinExit>((resolve) => {
      // 'close', not 'exit': the output is complete once the pipes are closed.
      child.once('close', (code, signal) => {
        running.delete(child);
        proc.exit = { code, signal };
        resolve(proc.exit);
      });
    }),
    async waitFor(text, timeoutMs = 90_000) {
      await until(
        `hookport ${pid} to print ${JSON.stringify(text)}`,
        async () => {
          if (all.join('').includes(text)) return true;
          if (proc.exit) throw new Error(`hookport ${pid} exited (${JSON.stringify(proc.exit)}):\n${all.join('')}`);
          return undefined;
        },
        { timeoutMs },
      );
    },
    kill(signal) {
      child.kill(signal);
    },
  };
  return proc;
}

/** SIGKILLs every bin process still running and waits until they are gone. */
export async function killBins(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** What a start-up failure must look like: lines without stack frames (`    at …`) or driver internals. */
export function stackFrames(output: string): string[] {
  return output.split('\n').filter((line) => /^\s+at\s/.test(line) || line.includes('node_modules'));
}
