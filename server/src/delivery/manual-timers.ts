import type { CancelTimer, Timers } from './timers.ts';

interface Scheduled {
  at: number;
  /** Orders timers due at the same time by when they were set, as Node does. */
  seq: number;
  callback: () => void;
  /** Set for an interval: its period. */
  every?: number;
}

/** Lets every promise callback queued so far run (they all run before the next turn of the event loop). */
const drainMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Timers that move only when a test moves them, for deterministic tests of code that takes `Timers`.
 * Time starts at 0. Nothing runs until the test calls `settle`, `advance` or `until`; each of them first
 * lets everything run that is due without time passing (promise callbacks, immediates, timers due now).
 */
export class ManualTimers implements Timers {
  now = 0;
  #scheduled: Scheduled[] = [];
  #immediates: (() => void)[] = [];
  #seq = 0;

  setTimeout(callback: () => void, ms: number): CancelTimer {
    return this.#schedule({ at: this.now + Math.max(0, ms), seq: this.#seq++, callback });
  }

  setInterval(callback: () => void, ms: number): CancelTimer {
    const every = Math.max(1, ms);
    return this.#schedule({ at: this.now + every, seq: this.#seq++, callback, every });
  }

  setImmediate(callback: () => void): void {
    this.#immediates.push(callback);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#scheduled.length;
  }

  /** Runs what is due without moving the clock, until nothing is left to run. */
  async settle(): Promise<void> {
    for (;;) {
      await drainMicrotasks();
      if (this.#immediates.length > 0) {
        const immediates = this.#immediates;
        this.#immediates = [];
        for (const run of immediates) run();
        continue;
      }
      const next = this.#next();
      if (!next || next.at > this.now) return;
      this.#fire(next);
    }
  }

  /** Moves the clock by `ms`, firing the timers due on the way in order, and settling after each. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await this.settle();
    for (let next = this.#next(); next && next.at <= end; next = this.#next()) {
      this.now = next.at;
      this.#fire(next);
      await this.settle();
    }
    this.now = end;
  }

  /**
   * Moves the clock from timer to timer until `check` holds; fails when it would take more than
   * `withinMs` (of this clock) or nothing is left to wait for.
   */
  async until(check: () => boolean, withinMs = 60_000): Promise<void> {
    const deadline = this.now + withinMs;
    await this.settle();
    while (!check()) {
      const next = this.#next();
      if (!next || next.at > deadline) throw new Error(`condition not met within ${withinMs} ms (fake time)`);
      this.now = next.at;
      this.#fire(next);
      await this.settle();
    }
  }

  #schedule(timer: Scheduled): CancelTimer {
    this.#scheduled.push(timer);
    return () => {
      this.#scheduled = this.#scheduled.filter((t) => t !== timer);
    };
  }

  #next(): Scheduled | undefined {
    let next: Scheduled | undefined;
    for (const t of this.#scheduled) if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    return next;
  }

  #fire(timer: Scheduled) {
    if (timer.every === undefined) this.#scheduled = this.#scheduled.filter((t) => t !== timer);
    else {
      timer.at += timer.every;
      timer.seq = this.#seq++;
    }
    timer.callback();
  }
}
