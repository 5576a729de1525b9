/**
 * Adds up PostgreSQL's statement log (`log_min_duration_statement = 0`) by statement: total and mean
 * duration and count, per protocol step (parse, bind, execute, simple statement), largest total
 * first. Durations are the server's wall time, waits (locks, WAL flushes) included. How the fetch
 * problem in docs/benchmarks.md was found:
 *
 *   psql -h 127.0.0.1 -U postgres -c "alter role postgres set log_min_duration_statement = 0"
 *   BENCH_ONLY=d BENCH_NO_DOCS=1 pnpm bench
 *   psql -h 127.0.0.1 -U postgres -c "alter role postgres reset log_min_duration_statement"
 *   pnpm exec tsx test/bench/tools/statement-log.ts /var/log/postgresql/postgresql-15-main.log [top]
 *
 * (Cut the log to the run first, e.g. with `tail -c +<size before>`: it reads the whole file.)
 */
import { readFileSync } from 'node:fs';

const durationLine = /duration: ([\d.]+) ms\s+(statement|execute [^:]*|parse [^:]*|bind [^:]*): ?(.*)/;

const [file, count] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: statement-log.ts <postgresql.log> [top]\n');
  process.exit(2);
}
const totals = new Map<string, { count: number; ms: number }>();
let current: { step: string; ms: number; text: string } | null = null;

function settle() {
  if (!current) return;
  const key = `${current.step.padEnd(9)} ${current.text.replace(/\s+/g, ' ').trim().slice(0, 110)}`;
  const t = totals.get(key) ?? { count: 0, ms: 0 };
  t.count += 1;
  t.ms += current.ms;
  totals.set(key, t);
  current = null;
}

for (const line of readFileSync(file, 'utf8').split('\n')) {
  const m = durationLine.exec(line);
  if (m) {
    settle();
    current = { step: (m[2] ?? '').split(' ')[0] ?? '', ms: Number(m[1]), text: m[3] ?? '' };
  } else if (current && line.startsWith('\t')) {
    // A statement spread over lines: its first ones tell it apart well enough.
    if (current.text.length < 80) current.text += ` ${line.trim()}`;
  } else {
    settle();
  }
}
settle();
const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(count ?? 30));
const all = [...totals.values()].reduce((sum, t) => sum + t.ms, 0);
process.stdout.write(`${all.toFixed(0)} ms in all\n`);
for (const [key, t] of rows) {
  process.stdout.write(
    `${t.ms.toFixed(1).padStart(10)} ms ${String(t.count).padStart(8)}x ${(t.ms / t.count).toFixed(3).padStart(8)} ms  ${key}\n`,
  );
}
