/**
 * Scaling out workers on one PostgreSQL (docs/scaling.md): for each worker count, a fresh database, a
 * backlog of `events` events fanned out to `endpoints` endpoints published with no worker running (the
 * API in this process, role `api`), then that many `hookport worker` processes started at once and
 * timed until every delivery succeeded. Prints deliveries/s and the CPU per delivery of the workers and
 * of the database's PostgreSQL backends, and the WAL written per delivery (the whole cluster's: on a shared
 * server, other databases' writes count too). A drain measures the delivery rate alone: no publish competes
 * with it for the two CPUs. Run it on a quiet machine; it is not part of `pnpm bench`.
 *
 *   pnpm exec tsx test/bench/tools/scaling.ts [events=3000] [endpoints=10] [workers=1,2,4]
 *
 * The rate is taken over the receiver's first to last receipt, so the workers' start-up (tsx compiling
 * the server, about a second each) is left out; the workers' CPU is counted from the moment each said
 * it was running. Workers that start a little apart show as a slightly lower rate for more workers.
 */
import type { ChildProcess } from 'node:child_process';
import { now, sleep } from '../clock.ts';
import { backendsOf, processCpu, systemCpu } from '../cpu.ts';
import { createDatabase, dbName, dropDatabase } from '../database.ts';
import { type BenchHookport, benchEnv, startHookport } from '../hookport.ts';
import { ReceiverProcess } from '../receiver-process.ts';
import { fmt } from '../results.ts';
import { settings } from '../settings.ts';
import { startWorkerProcess, stopWorkerProcess } from '../worker-process.ts';

const events = Number(process.argv[2] ?? 3000);
const endpointCount = Number(process.argv[3] ?? 10);
const workerCounts = (process.argv[4] ?? '1,2,4').split(',').map(Number);
const timeoutMs = Number(process.env.SCALING_TIMEOUT_S ?? 600) * 1000;

interface Row {
  workers: number;
  delivered: number;
  seconds: number;
  rate: number;
  /** CPU seconds over the drain: the worker processes, the database's backends, everything else. */
  workerS: number;
  postgresS: number;
  othersS: number;
  capacityS: number;
  /** WAL the whole cluster wrote over the drain (other databases' writes included). */
  walBytes: number;
}

/** The backlog: every event published through the API before any worker runs, 16 requests at a time. */
async function publishBacklog(b: BenchHookport): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: settings.publishConcurrency }, async () => {
      for (let i = next++; i < events; i = next++) await b.publish(i);
    }),
  );
}

async function allSucceeded(b: BenchHookport, total: number, deadline: number): Promise<void> {
  while (now() < deadline) {
    const [row] = await b.hp.db.query<{ n: number }>(
      `select count(*)::int as n from deliveries where status = 'succeeded'`,
    );
    if (Number(row?.n) >= total) return;
    await sleep(50);
  }
  throw new Error(`not every delivery was recorded as succeeded by the deadline`);
}

/** The cluster's WAL insert position, as bytes since the start of the WAL. */
async function walPosition(b: BenchHookport): Promise<number> {
  const [row] = await b.hp.db.query<{ lsn: string }>(
    `select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text as lsn`,
  );
  return Number(row?.lsn);
}

async function drain(receiver: ReceiverProcess, ports: number[], workers: number): Promise<Row> {
  await createDatabase();
  const env = benchEnv('postgres', 'scaling');
  const b = await startHookport(env, 'api');
  const children: ChildProcess[] = [];
  try {
    const secrets = await b.endpoints(ports);
    await publishBacklog(b);
    const total = events * ports.length;
    const name = `scaling-${workers}`;
    await receiver.phase(name, total, secrets);
    const wal = await walPosition(b);
    const sys = systemCpu();
    const pg = backendsOf(dbName);
    // Started together; each one's CPU counts from when it was running, not from its start-up.
    const starts = await Promise.allSettled(
      Array.from({ length: workers }, async () => {
        const child = await startWorkerProcess(env);
        return { child, cpu: processCpu(child.pid) };
      }),
    );
    const started = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    children.push(...started.map((w) => w.child));
    const failed = starts.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const deadline = now() + timeoutMs;
    const report = await receiver.waitDone(name, deadline);
    if (!report.done) throw new Error(`${workers} worker(s): ${report.unique} of ${total} deliveries in time`);
    await allSucceeded(b, total, deadline);
    const workerS = started.reduce((sum, w) => sum + processCpu(w.child.pid) - w.cpu, 0);
    // Their start-up is neither the drain's cost nor other work: kept out of both.
    const startupS = started.reduce((sum, w) => sum + w.cpu, 0);
    let postgresS = 0;
    for (const [pid, cpu] of backendsOf(dbName)) postgresS += cpu - (pg.get(pid) ?? 0);
    const end = systemCpu();
    const walBytes = (await walPosition(b)) - wal;
    const seconds = ((report.lastAt ?? 0) - (report.firstAt ?? 0)) / 1000;
    return {
      workers,
      delivered: report.unique,
      seconds,
      rate: report.unique / Math.max(seconds, 0.001),
      workerS,
      postgresS,
      othersS: Math.max(0, end.busy - sys.busy - startupS - workerS - postgresS),
      capacityS: end.total - sys.total,
      walBytes,
    };
  } finally {
    await Promise.all(children.map(stopWorkerProcess));
    await b.close();
    await dropDatabase();
  }
}

function print(rows: Row[]): void {
  const per = (s: number, r: Row) => fmt((s * 1000) / Math.max(r.delivered, 1), 2);
  const lines = [
    '| Workers | Deliveries | Seconds | Deliveries/s | CPU ms/delivery: workers | PostgreSQL | PostgreSQL share | WAL bytes/delivery | Rest of the machine (receiver, this process, others) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.workers} | ${r.delivered} | ${fmt(r.seconds, 2)} | ${fmt(r.rate, 0)} | ${per(r.workerS, r)} | ` +
        `${per(r.postgresS, r)} | ${fmt((100 * r.postgresS) / Math.max(r.workerS + r.postgresS, 0.001), 0)} % | ` +
        `${fmt(r.walBytes / Math.max(r.delivered, 1), 0)} | ` +
        `${fmt((100 * r.othersS) / Math.max(r.capacityS, 0.001), 0)} % of the machine |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const receiver = new ReceiverProcess();
try {
  const ports = await receiver.open('ok', endpointCount);
  const rows: Row[] = [];
  for (const workers of workerCounts) {
    rows.push(await drain(receiver, ports, workers));
    process.stderr.write(`${workers} worker(s): ${fmt(rows.at(-1)?.rate ?? null, 0)} deliveries/s\n`);
  }
  print(rows);
} finally {
  receiver.exit();
}
