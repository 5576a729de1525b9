/** The run's report: the figures and the goals of issue 3, as a table on the terminal. */
import { boundOf, fmt, get, results, shown } from './results.ts';
import { settings } from './settings.ts';

export interface Goal {
  what: string;
  target: string;
  actual: string;
  met: boolean | null;
}

export function goals(): Goal[] {
  const g = (what: string, target: string, id: string, unit: string, ok: (v: number) => boolean): Goal => {
    const v = get(id);
    const bound = boundOf(id);
    // A lower bound on a "≤" goal that already exceeds it is a miss; any other bound stays undecided.
    const met = v === null ? null : bound === '≥' ? (ok(v) ? null : false) : ok(v);
    return { what, target, actual: `${bound ? `${bound} ` : ''}${fmt(v)}${unit}`, met };
  };
  return [
    g('Hookport on PostgreSQL / raw baseline (b/a)', '≥ 0.5', 'ratio.b/a', '', (v) => v >= 0.5),
    g(`Latency p50 at ${settings.rate} events/s, PostgreSQL`, '≤ 10 ms', 'd.p50', ' ms', (v) => v <= 10),
    g(`Latency p99 at ${settings.rate} events/s, PostgreSQL`, '≤ 50 ms', 'd.p99', ' ms', (v) => v <= 50),
    g('Isolation: healthy throughput, half dead / all healthy', '≥ 0.9', 'e.ratio', '', (v) => v >= 0.9),
    g('Worker peak RSS', '≤ 200 MB', 'f.rss', ' MB', (v) => v <= 200),
    g('PGlite throughput', '≥ 1,000 deliveries/s', 'c', ' deliveries/s', (v) => v >= 1000),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')).join('\n');
}

export function printReport(seconds: number): void {
  const rows = [['', 'Measure', 'Value', 'Notes'], ...results.map((r) => [r.id, r.what, shown(r), r.note])];
  process.stdout.write(`\n${table(rows)}\n\nGoals (issue 3):\n`);
  const goalRows = goals().map((g) => [g.what, g.target, g.actual, g.met === null ? 'n/a' : g.met ? 'yes' : 'NO']);
  process.stdout.write(`${table([['Goal', 'Target', 'Measured', 'Met'], ...goalRows])}\n`);
  process.stdout.write(`\nTotal ${fmt(seconds, 0)} s.\n`);
}
