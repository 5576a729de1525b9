/**
 * The machine the bench runs on: what it is (for the Results block), how busy other work keeps it
 * (each phase waits, bounded, for quiet), and what each phase cost it in CPU (this process, the
 * receiver, a worker child, the bench database's PostgreSQL backends, and everything else meanwhile).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, availableParallelism as nproc } from 'node:os';
import { children } from './children.ts';
import { log } from './clock.ts';
import { CpuMeter, type CpuUse, machineBusy } from './cpu.ts';
import { dbName } from './database.ts';
import { fmt } from './results.ts';
import { root, settings } from './settings.ts';

export type Machine = ReturnType<typeof describeMachine>;

export function describeMachine() {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trimEnd();
    } catch {
      return 'n/a';
    }
  };
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    nproc: nproc(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'n/a',
    free: sh('free', ['-h']),
    kernel: sh('uname', ['-sr']),
    node: process.version,
    commit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB. */
export function procStatus(pid: number | 'self'): { hwm: number | null; rss: number | null } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) / 1024 : null;
    };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { hwm: null, rss: null };
  }
}

export const meter = new CpuMeter(
  dbName,
  () => children.receiver?.child.pid,
  () => children.worker?.pid,
);

let quietBudgetMs = 90_000;

/** Waits (bounded) until other processes leave the machine mostly idle; returns the busy share last seen. */
export async function waitQuiet(label: string): Promise<number> {
  const t0 = Date.now();
  let busy = await machineBusy(1000);
  while (busy > 0.2 && quietBudgetMs > 0 && Date.now() - t0 < settings.quietWaitMs) {
    busy = await machineBusy(1000);
    quietBudgetMs -= 1000;
  }
  if (busy > 0.2) log(`${label}: the machine is ${Math.round(busy * 100)} % busy with other work; measuring anyway`);
  return busy;
}

/** Hookport's CPU (this process, a worker child, the bench database's backends) per unit of work, in ms. */
export function hookportCpuMs(cpu: CpuUse, count: number): number {
  return ((cpu.selfS + cpu.workerS + cpu.postgresS) * 1000) / Math.max(count, 1);
}

/** CPU per unit of work (a delivery, or with `unit: 'event'` an accepted event), split node / postgres. */
export function cpuNote(cpu: CpuUse, count: number, opts: { sender?: string; unit?: string } = {}): string {
  const per = (s: number) => fmt((s * 1000) / Math.max(count, 1), 2);
  const parts = [
    `CPU per ${opts.unit ?? 'delivery'} ${fmt(hookportCpuMs(cpu, count), 2)} ms (${opts.sender ?? 'node'} ${per(cpu.selfS + cpu.workerS)}` +
      `${cpu.postgresS > 0 ? `, postgres ${per(cpu.postgresS)}` : ''}), receiver ${per(cpu.receiverS)} ms`,
    `other processes used ${fmt((cpu.othersS / Math.max(cpu.capacityS, 0.001)) * 100, 0)} % of the machine`,
  ];
  return parts.join('; ');
}
