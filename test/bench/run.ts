/**
 * `pnpm bench`: Hookport's delivery benchmark (issue 3; phase p, d100 and a second table of goals: issue 21).
 * A script, not a test: it runs a fixed sequence of phases against 127.0.0.1 only, prints a table and
 * refreshes the results block of docs/benchmarks.md. Bounded: every phase has
 * a deadline and the whole run stops itself after BENCH_DEADLINE_S (default 540 s).
 *
 *  a, a2      phases/a-baseline.ts   raw baseline: signed POSTs straight from undici to the receiver
 *  b          phases/b-postgres.ts   Hookport end to end on PostgreSQL (in-process, role all); b.cpu: its CPU per delivery
 *  c          phases/c-pglite.ts     the same on embedded PGlite (in memory)
 *  q          phases/q-queue.ts      pg-boss alone: no HTTP, none of our tables (q.pglite: the same on PGlite)
 *  p          phases/p-publish.ts    ingest: POST /v1/events from 50 concurrent publishers, PostgreSQL, with no
 *                                    subscriber and a fan-out of 10, API alone (role api) and with the worker
 *                                    (role all): p.none.api, p.fan10.api, p.none.all, p.fan10.all
 *  d, d100    phases/d-latency.ts    publish-to-receive latency at a fixed offered rate, PostgreSQL: 200 events/s
 *                                    (d.*) and 100 events/s (d100.*), each after a warm-up second of its own
 *  e          phases/e-isolation.ts  isolation: healthy throughput while half the endpoints never answer
 *                                    (e.stress: three dead endpoints per healthy one)
 *  f          phases/f-worker.ts     worker peak RSS: API in-process, worker as a separate `hookport worker`
 *  ratio.*    phases/derived.ts      what is derived from the others at the end (and self.rss)
 *
 * This file only sequences them; what they share is beside it: settings.ts (the knobs), server.ts
 * (the server under measurement), database.ts, hookport.ts (Hookport started per phase),
 * throughput.ts (the measure of b, c, e and f), receiver-process.ts (the receiver child), machine.ts
 * (quiet and CPU accounting), results.ts, report.ts and docs.ts (the Results block).
 *
 * Every phase also records the CPU time it cost (this process, the receiver, a
 * worker child, the PostgreSQL backends of the bench database) and what other
 * processes on the machine used meanwhile, so contention is visible in the results.
 *
 * Environment knobs (all optional): BENCH_EVENTS, BENCH_WORKER_EVENTS, BENCH_ENDPOINTS, BENCH_BASELINE_REQUESTS,
 * BENCH_PUBLISH_CONCURRENCY, BENCH_RATE, BENCH_LOW_RATE, BENCH_RATE_SECONDS, BENCH_WARM_EVENTS, BENCH_PUBLISHERS,
 * BENCH_INGEST_SECONDS, BENCH_INGEST_WARM_EVENTS,
 * BENCH_PHASE_TIMEOUT_S, BENCH_STRESS_TIMEOUT_S, BENCH_DEADLINE_S, BENCH_QUIET_WAIT_S,
 * BENCH_PG_ADMIN_URL, BENCH_SKIP_STRESS=1, BENCH_ONLY=a,b,…, BENCH_WORKER_NODE_ARGS, BENCH_SERVER (settings.ts),
 * BENCH_NO_DOCS=1, BENCH_QUICK=1 (a small smoke run), BENCH_TRACE=<path prefix> (the latency phase writes
 * <prefix>.events and <prefix>.pauses for tools/latency-trace.ts). docs/benchmarks.md is only rewritten by a
 * full run of the workspace's own server.
 */
import { children } from './children.ts';
import { elapsedS, log, sleep, startClock } from './clock.ts';
import { createDatabase, dropDatabase } from './database.ts';
import { writeDocs } from './docs.ts';
import { closeOpenHookports } from './hookport.ts';
import { describeMachine } from './machine.ts';
import { baseline } from './phases/a-baseline.ts';
import { postgresRun, recordPostgres } from './phases/b-postgres.ts';
import { pglite } from './phases/c-pglite.ts';
import { latency } from './phases/d-latency.ts';
import { recordRatios, recordSelfRss } from './phases/derived.ts';
import { isolationRun, isolationStress, recordIsolation } from './phases/e-isolation.ts';
import { workerProcess } from './phases/f-worker.ts';
import { ingest } from './phases/p-publish.ts';
import { queueAlone } from './phases/q-queue.ts';
import { type Ports, ReceiverProcess } from './receiver-process.ts';
import { printReport } from './report.ts';
import { quick, serverEntry, settings, want, writesDocs } from './settings.ts';
import type { ThroughputOutcome } from './throughput.ts';
import { traceGcPauses } from './trace.ts';

startClock();
traceGcPauses();

async function main() {
  const m = describeMachine();
  log(`${m.cpu}, ${m.nproc} CPUs, Node ${m.node}; deadline ${settings.deadlineMs / 1000} s${quick ? ' (quick)' : ''}`);
  if (serverEntry) log(`measuring the server at ${serverEntry}, not the workspace's`);
  const pgVersion = await createDatabase();

  const receiver = new ReceiverProcess();
  children.receiver = receiver;
  const n = settings.endpoints;
  const ports: Ports = {
    ok: await receiver.open('ok', n),
    hang: await receiver.open('hang', 3 * n),
    latency: await receiver.open('ok', settings.latencyEndpoints),
    fan: await receiver.open('ok', settings.fanOut),
  };

  if (want('a')) {
    log('(a) raw baseline');
    await baseline(receiver, 'a', ports.ok);
  }

  // (b) and (e) alternate, round by round: the machine's other load moves both runs of a round alike.
  const bRuns: ThroughputOutcome[] = [];
  const eRuns: ThroughputOutcome[] = [];
  for (let r = 1; r <= settings.repeats && (want('b') || want('e')); r++) {
    if (want('b')) bRuns.push(await postgresRun(receiver, ports, r));
    if (want('e')) eRuns.push(await isolationRun(receiver, ports, r));
  }
  recordPostgres(bRuns);
  recordIsolation(eRuns, bRuns);

  const pgliteVersion = want('c') ? await pglite(receiver, ports) : 'n/a';

  if (want('q')) {
    log('(q) pg-boss alone, PostgreSQL and PGlite');
    await queueAlone('q', 'postgres');
    await queueAlone('q.pglite', 'pglite');
  }

  if (want('p')) {
    log(
      `(p) ingest: ${settings.publishers} concurrent publishers, ${settings.ingestSeconds} s a run, ` +
        `no subscriber and fan-out ${settings.fanOut}, API alone and with the worker`,
    );
    await ingest(receiver, ports.fan);
  }

  if (want('d')) {
    log(`(d) latency at ${settings.rate} and ${settings.lowRate} events/s for ${settings.rateSeconds} s each`);
    await latency(receiver, ports.latency);
  }

  if (!settings.skipStress && want('e')) await isolationStress(receiver, ports);

  if (want('f')) {
    log('(f) worker as a separate process');
    await workerProcess(receiver, ports.ok);
  }

  // (a) again, to see whether the machine drifted during the run
  if (want('a')) {
    log('(a2) raw baseline again');
    await baseline(receiver, 'a2', ports.ok);
  }

  recordRatios();
  recordSelfRss();

  const seconds = elapsedS();
  printReport(seconds);
  if (writesDocs) {
    writeDocs(m, { postgres: pgVersion, pglite: pgliteVersion }, seconds);
    process.stdout.write('docs/benchmarks.md updated.\n');
  }
}

async function cleanup() {
  const { worker, receiver } = children;
  if (worker?.pid && worker.exitCode === null) worker.kill('SIGKILL');
  if (receiver) await Promise.race([receiver.release().catch(() => 0), sleep(2000)]);
  await closeOpenHookports();
  receiver?.exit();
  await dropDatabase();
}

const deadline = setTimeout(() => {
  log(`deadline of ${settings.deadlineMs / 1000} s reached; stopping`);
  void cleanup().finally(() => process.exit(2));
}, settings.deadlineMs);

process.once('SIGINT', () => {
  log('interrupted');
  void cleanup().finally(() => process.exit(130));
});

main()
  .then(async () => {
    clearTimeout(deadline);
    await cleanup();
    process.exit(0);
  })
  .catch(async (err: unknown) => {
    clearTimeout(deadline);
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(1);
  });
