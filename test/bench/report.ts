/** The run's report: the figures and the goals of issues 3 and 21, as tables on the terminal. */
import { latencyPrefix } from './phases/d-latency.ts';
import { boundOf, fmt, get, results, shown } from './results.ts';
import { settings } from './settings.ts';

export interface Goal {
  what: string;
  target: string;
  actual: string;
  met: boolean | null;
}

function goal(what: string, target: string, id: string, unit: string, ok: (v: number) => boolean): Goal {
  const v = get(id);
  const bound = boundOf(id);
  // A lower bound on a "≤" goal that already exceeds it is a miss; any other bound stays undecided.
  const met = v === null ? null : bound === '≥' ? (ok(v) ? null : false) : ok(v);
  return { what, target, actual: `${bound ? `${bound} ` : ''}${fmt(v)}${unit}`, met };
}

export interface GoalTable {
  title: string;
  goals: Goal[];
}

function issue3(): Goal[] {
  return [
    goal('Hookport on PostgreSQL / raw baseline (b/a)', '≥ 0.5', 'ratio.b/a', '', (v) => v >= 0.5),
    goal(`Latency p50 at ${settings.rate} events/s, PostgreSQL`, '≤ 10 ms', 'd.p50', ' ms', (v) => v <= 10),
    goal(`Latency p99 at ${settings.rate} events/s, PostgreSQL`, '≤ 50 ms', 'd.p99', ' ms', (v) => v <= 50),
    goal('Isolation: healthy throughput, half dead / all healthy', '≥ 0.9', 'e.ratio', '', (v) => v >= 0.9),
    goal('Worker peak RSS', '≤ 200 MB', 'f.rss', ' MB', (v) => v <= 200),
    goal('PGlite throughput', '≥ 1,000 deliveries/s', 'c', ' deliveries/s', (v) => v >= 1000),
  ];
}

/** Issue 21 ("Performance"): ingest without the worker, latency at two rates, CPU per delivery. */
function issue21(): Goal[] {
  const fan = settings.fanOut;
  const low = settings.lowRate;
  return [
    goal('API-alone ingest, no subscriber', '≥ 3,500 events/s', 'p.none.api', ' events/s', (v) => v >= 3500),
    goal(`API-alone ingest, fan-out ${fan}`, '≥ 800 events/s', `p.fan${fan}.api`, ' events/s', (v) => v >= 800),
    goal(`Publish response p99 at ${settings.rate} events/s`, '< 5 ms', 'd.ack99', ' ms', (v) => v < 5),
    goal(`Latency p99 at ${low} events/s, PostgreSQL`, '≤ 10 ms', `${latencyPrefix(low)}.p99`, ' ms', (v) => v <= 10),
    goal(`Latency p99 at ${settings.rate} events/s, PostgreSQL`, '≤ 10 ms', 'd.p99', ' ms', (v) => v <= 10),
    goal('CPU per delivery, end to end on PostgreSQL (b)', '≤ 0.45 ms', 'b.cpu', ' ms', (v) => v <= 0.45),
    goal('Hookport on PostgreSQL / raw baseline (b/a)', '≥ 0.2', 'ratio.b/a', '', (v) => v >= 0.2),
    goal('Isolation: healthy throughput, half dead / all healthy (e/b)', '≥ 0.9', 'e.ratio', '', (v) => v >= 0.9),
    goal('PGlite throughput', '≥ 2,000 deliveries/s', 'c', ' deliveries/s', (v) => v >= 2000),
  ];
}

/** The goals each issue set, checked against this run's figures (a figure not measured shows n/a). */
export function goalTables(): GoalTable[] {
  return [
    { title: 'Goals (issue 3)', goals: issue3() },
    { title: 'Goals (issue 21)', goals: issue21() },
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')).join('\n');
}

export function printReport(seconds: number): void {
  const rows = [['', 'Measure', 'Value', 'Notes'], ...results.map((r) => [r.id, r.what, shown(r), r.note])];
  process.stdout.write(`\n${table(rows)}\n`);
  for (const t of goalTables()) {
    const goalRows = t.goals.map((g) => [g.what, g.target, g.actual, g.met === null ? 'n/a' : g.met ? 'yes' : 'NO']);
    process.stdout.write(`\n${t.title}:\n${table([['Goal', 'Target', 'Measured', 'Met'], ...goalRows])}\n`);
  }
  process.stdout.write(`\nTotal ${fmt(seconds, 0)} s.\n`);
}
