/**
 * The bench's side of the receiver child (receiver.ts): opens its ports, starts and reports phases,
 * and releases the requests its dead endpoints hold. Commands and replies go over the IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { now, sleep } from './clock.ts';
import type { Command, PhaseReport, Reply } from './receiver.ts';
import { tsxImport } from './settings.ts';

export class ReceiverProcess {
  readonly child: ChildProcess;
  readonly #waiters: { match: (r: Reply) => boolean; resolve: (r: Reply) => void }[] = [];
  readonly #done = new Map<string, PhaseReport>();

  constructor() {
    this.child = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), [], {
      execArgv: ['--import', tsxImport],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (msg: Reply) => {
      if (msg.evt === 'done') this.#done.set(msg.report.name, msg.report);
      const i = this.#waiters.findIndex((w) => w.match(msg));
      if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(msg);
    });
  }

  #ask<R extends Reply>(cmd: Command, match: (r: Reply) => r is R): Promise<R> {
    return new Promise<R>((resolve) => {
      this.#waiters.push({ match, resolve: resolve as (r: Reply) => void });
      this.child.send(cmd);
    });
  }

  async open(kind: 'ok' | 'hang', count: number): Promise<number[]> {
    const r = await this.#ask({ cmd: 'open', kind, count }, (m): m is Extract<Reply, { evt: 'opened' }> => {
      return m.evt === 'opened' && m.kind === kind;
    });
    return r.ports;
  }

  async phase(name: string, expect: number, secrets: Record<string, string> = {}, verify = 50): Promise<void> {
    await this.#ask(
      { cmd: 'phase', name, expect, secrets, verify },
      (m): m is Extract<Reply, { evt: 'phase-started' }> => m.evt === 'phase-started' && m.name === name,
    );
  }

  /** Resolves with the phase's report once `expect` unique deliveries arrived, or the partial one at the deadline. */
  async waitDone(name: string, deadline: number): Promise<PhaseReport> {
    while (now() < deadline) {
      const done = this.#done.get(name);
      if (done) return done;
      await sleep(10);
    }
    return this.report();
  }

  async report(): Promise<PhaseReport> {
    const r = await this.#ask({ cmd: 'report' }, (m): m is Extract<Reply, { evt: 'report' }> => m.evt === 'report');
    return r.report;
  }

  /** Drops the requests the dead endpoints hold, and from now on drops new ones at once. */
  async release(): Promise<number> {
    const r = await this.#ask({ cmd: 'release' }, (m): m is Extract<Reply, { evt: 'released' }> => {
      return m.evt === 'released';
    });
    return r.sockets;
  }

  exit() {
    if (this.child.connected) this.child.send({ cmd: 'exit' } satisfies Command);
  }
}

/** The receiver's ports, opened once for the whole run. */
export interface Ports {
  /** The healthy endpoints of the throughput runs. */
  ok: number[];
  /** Endpoints that read a request and never answer: three per healthy one, for (e) and (e.stress). */
  hang: number[];
  /** The latency run's endpoints. */
  latency: number[];
  /** The fan-out endpoints of the ingest phase (p): settings.fanOut of them. */
  fan: number[];
}
