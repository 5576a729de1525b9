/**
 * CPU accounting for the benchmark (Linux /proc). Separates the CPU time the
 * benchmark's own processes used (this process, the receiver, a worker child,
 * and the PostgreSQL backends connected to the benchmark's database) from
 * everything else on the machine, so a figure taken while other work competed
 * for the CPU says so, and so cost per delivery can be compared across runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

const ticks = 100; // USER_HZ: 100 on every Linux this runs on.

/** utime + stime of a process, in seconds; 0 when it is gone. */
export function processCpu(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return 0;
  }
}

/** The whole machine: busy and total CPU seconds since boot (all CPUs). */
export function systemCpu(): { busy: number; total: number } {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = first.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: (total - idle) / ticks, total: total / ticks };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** PostgreSQL backends whose process title names the database (`postgres: … user dbname host(port) …`). */
export function backendsOf(dbName: string): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  const needle = ` ${dbName} `;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres:') && cmd.includes(needle)) out.set(Number(entry), processCpu(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export interface CpuUse {
  wallS: number;
  /** This process (sender / in-process Hookport / PGlite). */
  selfS: number;
  receiverS: number;
  /** A separate `hookport worker` process, when there is one. */
  workerS: number;
  /** PostgreSQL backends of the benchmark database. */
  postgresS: number;
  /** Everything else the machine ran meanwhile. */
  othersS: number;
  /** CPU seconds the machine had: wall × CPUs. */
  capacityS: number;
}

/** The CPU of two measured spans together. */
export function addCpu(a: CpuUse, b: CpuUse): CpuUse {
  return {
    wallS: a.wallS + b.wallS,
    selfS: a.selfS + b.selfS,
    receiverS: a.receiverS + b.receiverS,
    workerS: a.workerS + b.workerS,
    postgresS: a.postgresS + b.postgresS,
    othersS: a.othersS + b.othersS,
    capacityS: a.capacityS + b.capacityS,
  };
}

interface Snapshot {
  at: number;
  sys: { busy: number; total: number };
  self: NodeJS.CpuUsage;
  receiver: number;
  worker: number;
  pg: Map<number, number>;
}

export class CpuMeter {
  readonly #dbName: string;
  readonly #receiverPid: () => number | undefined;
  readonly #workerPid: () => number | undefined;

  constructor(dbName: string, receiverPid: () => number | undefined, workerPid: () => number | undefined) {
    this.#dbName = dbName;
    this.#receiverPid = receiverPid;
    this.#workerPid = workerPid;
  }

  begin(): Snapshot {
    return {
      at: performance.now(),
      sys: systemCpu(),
      self: process.cpuUsage(),
      receiver: processCpu(this.#receiverPid()),
      worker: processCpu(this.#workerPid()),
      pg: backendsOf(this.#dbName),
    };
  }

  end(start: Snapshot): CpuUse {
    const sys = systemCpu();
    const self = process.cpuUsage(start.self);
    let postgresS = 0;
    for (const [pid, cpu] of backendsOf(this.#dbName)) postgresS += cpu - (start.pg.get(pid) ?? 0);
    const selfS = (self.user + self.system) / 1e6;
    const receiverS = Math.max(0, processCpu(this.#receiverPid()) - start.receiver);
    const workerPid = this.#workerPid();
    const workerS = workerPid ? Math.max(0, processCpu(workerPid) - start.worker) : 0;
    const busy = sys.busy - start.sys.busy;
    const ours = selfS + receiverS + workerS + postgresS;
    return {
      wallS: (performance.now() - start.at) / 1000,
      selfS,
      receiverS,
      workerS,
      postgresS,
      othersS: Math.max(0, busy - ours),
      capacityS: sys.total - start.sys.total,
    };
  }
}

/** Busy share of the whole machine over `ms` (0..1). */
export async function machineBusy(ms: number): Promise<number> {
  const a = systemCpu();
  await new Promise((r) => setTimeout(r, ms));
  const b = systemCpu();
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}
