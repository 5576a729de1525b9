/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

export interface TimerOptions {
  /** The timer does not keep the process alive (Node's `unref`). */
  unref?: boolean;
}

/**
 * The timers the delivery loop runs on. Injected so that tests drive time themselves (see
 * manual-timers.ts) instead of sleeping; production uses `realTimers`.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number, options?: TimerOptions): CancelTimer;
  setInterval(callback: () => void, ms: number, options?: TimerOptions): CancelTimer;
  /** Runs `callback` once the current turn of the event loop (with the I/O callbacks it ran) is over. */
  setImmediate(callback: () => void): void;
}

function started(timer: NodeJS.Timeout, options: TimerOptions | undefined): NodeJS.Timeout {
  if (options?.unref) timer.unref();
  return timer;
}

export const realTimers: Timers = {
  setTimeout(callback, ms, options) {
    const timer = started(setTimeout(callback, ms), options);
    return () => clearTimeout(timer);
  },
  setInterval(callback, ms, options) {
    const timer = started(setInterval(callback, ms), options);
    return () => clearInterval(timer);
  },
  setImmediate(callback) {
    setImmediate(callback);
  },
};

/** Resolves after `ms` on `timers`. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, ms);
  });
}

/** Waits for `promise` to settle (however it does) or for `ms`, whichever comes first. */
export async function waitAtMost(timers: Timers, promise: Promise<unknown>, ms: number): Promise<void> {
  let cancel: CancelTimer = () => {};
  const timeout = new Promise<void>((resolve) => {
    cancel = timers.setTimeout(resolve, Math.max(0, ms));
  });
  const done = () => {};
  await Promise.race([promise.then(done, done), timeout]);
  cancel();
}
