/** The Results block of docs/benchmarks.md: written as Markdown between its markers, the rest of the file kept. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './machine.ts';
import { goalTables } from './report.ts';
import { fmt, results, shown } from './results.ts';
import { quick, root, serverEntry, settings } from './settings.ts';

export interface Versions {
  postgres: string;
  pglite: string;
}

function markdownResults(m: Machine, versions: Versions, seconds: number) {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const lines = [
    `Run of ${date}, ${fmt(seconds, 0)} s, commit \`${m.commit}\`${m.dirty ? ' plus uncommitted changes' : ''}.`,
    '',
    '**Machine**',
    '',
    `- CPU: ${m.cpu}, \`nproc\` = ${m.nproc}`,
    `- Kernel: ${m.kernel}`,
    `- Node.js ${m.node}`,
    `- PostgreSQL: ${versions.postgres} (local server on 127.0.0.1, its configuration untouched)`,
    `- PGlite: ${versions.pglite} (in memory, inside the bench process)`,
    '- `free -h`:',
    '',
    '```',
    m.free,
    '```',
    '',
    '**Command**',
    '',
    '```',
    `${quick ? 'BENCH_QUICK=1 ' : ''}${serverEntry ? `BENCH_SERVER=${serverEntry} ` : ''}pnpm bench`,
    '```',
    '',
    `Settings: ${settings.events} events × ${settings.endpoints} endpoints per throughput run, after ` +
      `${settings.warmEvents} warm-up events; ${settings.publishConcurrency} concurrent publish requests; ` +
      `HOOKPORT_WORKER_CONCURRENCY=${settings.workerConcurrency}, ` +
      `HOOKPORT_ENDPOINT_CONCURRENCY=${settings.endpointConcurrency}, ` +
      `HOOKPORT_DELIVERY_TIMEOUT_MS=${settings.deliveryTimeoutMs}; baseline ${settings.baselineRequests} ` +
      `requests at concurrency ${settings.workerConcurrency}; latency at ${settings.rate} and at ` +
      `${settings.lowRate} events/s for ${settings.rateSeconds} s each; ingest (p) from ${settings.publishers} ` +
      `concurrent publishers for ${settings.ingestSeconds} s a run after ${settings.ingestWarmEvents} warm-up events, ` +
      `fan-out ${settings.fanOut}; ` +
      `the separate worker (f) over ${settings.workerEvents} events × ${settings.endpoints} endpoints.`,
    '',
    '**Figures**',
    '',
    '| | Measure | Value | Notes |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.id} | ${r.what} | ${shown(r)} | ${r.note.replaceAll('|', '\\|')} |`),
    ...goalTables().flatMap((t) => [
      '',
      `**${t.title}**`,
      '',
      '| Goal | Target | Measured | Met |',
      '|---|---|---|---|',
      ...t.goals.map(
        (g) => `| ${g.what} | ${g.target} | ${g.actual} | ${g.met === null ? 'n/a' : g.met ? 'yes' : '**no**'} |`,
      ),
    ]),
  ];
  return lines.join('\n');
}

const startMarker = '<!-- bench:results:start -->';
const endMarker = '<!-- bench:results:end -->';

/** Rewrites the Results block of docs/benchmarks.md (or writes the file, when it has no block). */
export function writeDocs(m: Machine, versions: Versions, seconds: number): void {
  const file = `${root}docs/benchmarks.md`;
  const wrapped = `${startMarker}\n${markdownResults(m, versions, seconds)}\n${endMarker}`;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(startMarker);
    const z = text.indexOf(endMarker);
    if (a >= 0 && z > a) {
      writeFileSync(file, `${text.slice(0, a)}${wrapped}${text.slice(z + endMarker.length)}`);
      return;
    }
  }
  writeFileSync(
    file,
    `# Benchmarks\n\nProduced by \`pnpm bench\` (test/bench/run.ts); the block below is rewritten by each run.\n\n${wrapped}\n`,
  );
}
