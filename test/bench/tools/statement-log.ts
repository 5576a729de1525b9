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
 *
 * On a shared server, log only the bench's statements: a role of its own with the setting, instead of
 * postgres's (issue 21's accounting in docs/benchmarks.md):
 *
 *   psql -h 127.0.0.1 -U postgres -c "create role bench_log login superuser" \
 *     -c "alter role bench_log set log_min_duration_statement = 0"
 *   BENCH_PG_ADMIN_URL=postgres://bench_log@127.0.0.1:5432/postgres BENCH_ONLY=b BENCH_REPEATS=1 BENCH_NO_DOCS=1 pnpm bench
 *   pnpm exec tsx test/bench/tools/statement-log.ts <log> 40 --match bench_log@hookport_bench_ \
 *     --from '2026-12-07 19:27:14.000' --to '2026-12-07 19:27:17.500' --per 3000
 *
 * --match keeps the entries whose line prefix (`%m [%p] %q%u@%d`) contains the text; --from / --to keep
 * those stamped in [from, to) (compared as text, so give the log's own format); --per N adds each
 * line's count and ms divided by N (deliveries, jobs).
 */
import { readFileSync } from 'node:fs';

const durationLine = /duration: ([\d.]+) ms\s+(statement|execute [^:]*|parse [^:]*|bind [^:]*): ?(.*)/;

/** `--name value` pairs after the positional arguments. */
function options(args: string[]): { positional: string[]; named: Map<string, string> } {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) named.set(a.slice(2), args[++i] ?? '');
    else positional.push(a);
  }
  return { positional, named };
}

const { positional, named } = options(process.argv.slice(2));
const [file, count] = positional;
if (!file) {
  process.stderr.write(
    'usage: statement-log.ts <postgresql.log> [top] [--match user@db] [--from stamp] [--to stamp] [--per N]\n',
  );
  process.exit(2);
}
const match = named.get('match');
const from = named.get('from');
const to = named.get('to');
const per = Number(named.get('per') ?? 0);

/** Whether a log entry's first line is one to count: its prefix matches and its stamp is in range. */
function wanted(line: string): boolean {
  const prefix = line.slice(0, line.indexOf(' LOG: ') + 1 || 120);
  if (match && !prefix.includes(match)) return false;
  const stamp = line.slice(0, 23);
  if (from && stamp < from) return false;
  if (to && stamp >= to) return false;
  return true;
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
  if (m && wanted(line)) {
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
const statements = [...totals.values()].reduce((sum, t) => sum + t.count, 0);
process.stdout.write(`${all.toFixed(0)} ms in all, ${statements} log entries\n`);
if (per > 0) {
  process.stdout.write(`per unit (÷ ${per}): ${(all / per).toFixed(3)} ms, ${(statements / per).toFixed(2)} entries\n`);
}
for (const [key, t] of rows) {
  const perUnit =
    per > 0 ? ` ${(t.count / per).toFixed(3).padStart(7)}/u ${(t.ms / per).toFixed(4).padStart(7)} ms/u` : '';
  process.stdout.write(
    `${t.ms.toFixed(1).padStart(10)} ms ${String(t.count).padStart(8)}x ${(t.ms / t.count).toFixed(3).padStart(8)} ms${perUnit}  ${key}\n`,
  );
}
