import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CoreError, type FieldError } from '@hookport/spec';
import { FairQueue } from './fair-queue.ts';
import type { JobMessage, ReadyMessage, ReplyMessage, SchemaJob } from './schema-messages.ts';

/**
 * A small pool of worker threads that compile tenants' JSON Schemas and validate events' data with
 * them (schema-worker.ts). The main thread never runs a tenant's schema: a crafted one can cost at
 * most one thread for one budget.
 *
 * - Budget: a job still running after `budgetMs` has its thread terminated (the only way to stop
 *   synchronous JavaScript) and a fresh one started; the job fails with SchemaJobFailed('budget').
 *   A validation whose thread had to compile the schema first gets the budget twice: once for the
 *   compile, once for the validation (the worker says when the compile is done).
 *   The clock starts when the job is handed to a thread that has loaded and warmed up, so starting
 *   threads never counts. The default is generous (HOOKPORT_SCHEMA_BUDGET_MS): only a schema that is
 *   costly by construction reaches it, not a loaded machine.
 * - Fairness: a tenant runs at most one job at a time; tenants take turns (FairQueue). A tenant
 *   sending costly jobs holds one thread, and the others serve everyone else; a job that cost its
 *   thread keeps its tenant's turn until the replacement is ready.
 * - Threads start on the first job: a process whose event types have no schemas never starts one.
 */

/** Set by scripts/build.ts to the bundled worker's file, beside dist/cli.js. */
declare const HOOKPORT_SCHEMA_WORKER: string | undefined;

interface WorkerEntry {
  url: URL;
  /** undefined: the thread inherits the process's options. */
  execArgv: string[] | undefined;
}

/**
 * The worker's file: in the bundle, the compiled one next to it; from TypeScript source (tests,
 * `tsx`), the .ts file, loaded through tsx as the main thread's modules are.
 */
function workerEntry(): WorkerEntry {
  if (typeof HOOKPORT_SCHEMA_WORKER === 'string') {
    return { url: new URL(HOOKPORT_SCHEMA_WORKER, import.meta.url), execArgv: undefined };
  }
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { url: new URL('./schema-worker.ts', import.meta.url), execArgv: ['--import', tsx] };
}

export type FailureReason = 'budget' | 'crashed' | 'threw';

/** A job that did not finish: over its budget, its thread died (out of memory), or it threw. */
export class SchemaJobFailed extends Error {
  readonly reason: FailureReason;

  constructor(reason: FailureReason, message: string) {
    super(message);
    this.name = 'SchemaJobFailed';
    this.reason = reason;
  }
}

export interface SchemaPoolOptions {
  /** Worker threads (HOOKPORT_SCHEMA_THREADS). */
  threads: number;
  /** Longest a job may run (HOOKPORT_SCHEMA_BUDGET_MS). */
  budgetMs: number;
}

export interface SchemaPool {
  /** Runs a job for a tenant: its field errors (none: valid), or SchemaJobFailed. */
  run(tenant: string, job: SchemaJob): Promise<FieldError[]>;
  /** Threads started so far, respawns included (tests read it). */
  readonly spawned: number;
  close(): Promise<void>;
}

interface Pending {
  job: SchemaJob;
  resolve(errors: FieldError[]): void;
  reject(err: Error): void;
}

interface Running {
  id: number;
  tenant: string;
  pending: Pending;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  running: Running | undefined;
  /** The tenant whose job cost this slot its last thread: it may run nothing else until the new one is ready. */
  owedBy: string | undefined;
}

/** A job asked for, or waiting, while the process shuts down. */
function closedError(): CoreError {
  return new CoreError('unavailable', 'The server is shutting down.');
}

function isReady(message: ReadyMessage | ReplyMessage): message is ReadyMessage {
  return 'ready' in message;
}

export function createSchemaPool({ threads, budgetMs }: SchemaPoolOptions): SchemaPool {
  const queue = new FairQueue<Pending>();
  const slots: Slot[] = [];
  let entry: WorkerEntry | undefined;
  let nextId = 1;
  let spawned = 0;
  let closed = false;
  /** A thread that died before it was ready: the worker cannot load, and no job can run. */
  let broken: Error | undefined;

  function fail(err: Error) {
    broken = err;
    for (const pending of queue.drain()) pending.reject(err);
  }

  /**
   * Ends the slot's running job and hands out the next one. Its tenant is free for another job at
   * once, unless the job cost the slot its thread: then the tenant holds the slot until the fresh
   * thread is ready (a tenant whose jobs keep tripping the budget must not move on to the other
   * threads while its own restarts, and leave no thread to anyone else).
   */
  function settle(slot: Slot, outcome: { errors: FieldError[] } | { error: Error }, lostThread = false) {
    const running = slot.running;
    if (!running) return;
    slot.running = undefined;
    clearTimeout(running.timer);
    if (lostThread) slot.owedBy = running.tenant;
    else queue.done(running.tenant);
    if ('errors' in outcome) running.pending.resolve(outcome.errors);
    else running.pending.reject(outcome.error);
    pump();
  }

  function spawn(): Worker {
    entry ??= workerEntry();
    const worker = new Worker(entry.url, { execArgv: entry.execArgv });
    spawned++;
    // The pool's threads never keep the process alive: the server's own handles do while it serves.
    worker.unref();
    return worker;
  }

  /** Puts a fresh thread in the slot (at start, and in place of one terminated or dead). */
  function restart(slot: Slot) {
    slot.worker = spawn();
    slot.ready = false;
    listen(slot, slot.worker);
  }

  function listen(slot: Slot, worker: Worker) {
    worker.on('message', (message: ReadyMessage | ReplyMessage) => {
      if (slot.worker !== worker) return;
      if (isReady(message)) {
        slot.ready = true;
        if (slot.owedBy !== undefined) queue.done(slot.owedBy);
        slot.owedBy = undefined;
        pump();
      } else if (message.id === slot.running?.id) {
        if ('compiled' in message) restartBudget(slot);
        else settle(slot, 'errors' in message ? message : { error: new SchemaJobFailed('threw', message.failure) });
      }
    });
    // 'error' is followed by 'exit'; the exit decides.
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      if (slot.worker !== worker || closed) return;
      if (!slot.ready) {
        fail(new Error(`The schema worker thread (${entry?.url.href}) exited with code ${code} while starting`));
        return;
      }
      restart(slot);
      settle(slot, { error: new SchemaJobFailed('crashed', `the schema thread stopped (exit code ${code})`) }, true);
    });
  }

  function overBudget(slot: Slot) {
    const stale = slot.worker;
    // Terminating is the only way to stop a thread in synchronous code; a fresh one takes its place.
    restart(slot);
    void stale.terminate();
    settle(slot, { error: new SchemaJobFailed('budget', `took longer than ${budgetMs} ms`) }, true);
  }

  /** The job's schema compiled: its validation gets a budget of its own. */
  function restartBudget(slot: Slot) {
    const running = slot.running;
    if (!running) return;
    clearTimeout(running.timer);
    running.timer = setTimeout(() => overBudget(slot), budgetMs);
  }

  function pump() {
    for (const slot of slots) {
      if (!slot.ready || slot.running) continue;
      const next = queue.take();
      if (!next) return;
      const id = nextId++;
      slot.running = {
        id,
        tenant: next.tenant,
        pending: next.job,
        timer: setTimeout(() => overBudget(slot), budgetMs),
      };
      slot.worker.postMessage({ id, job: next.job.job } satisfies JobMessage);
    }
  }

  function ensureStarted() {
    if (slots.length > 0) return;
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { worker: spawn(), ready: false, running: undefined, owedBy: undefined };
      listen(slot, slot.worker);
      slots.push(slot);
    }
  }

  return {
    run(tenant, job) {
      if (closed) return Promise.reject(closedError());
      if (broken) return Promise.reject(broken);
      ensureStarted();
      return new Promise<FieldError[]>((resolve, reject) => {
        queue.push(tenant, { job, resolve, reject });
        pump();
      });
    },
    get spawned() {
      return spawned;
    },
    async close() {
      closed = true;
      const error = closedError();
      for (const pending of queue.drain()) pending.reject(error);
      for (const slot of slots) settle(slot, { error });
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
