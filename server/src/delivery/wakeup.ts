import type { Timers } from './timers.ts';

/**
 * The dispatcher loop's doorbell: `wake` ends the current `idle` wait, or, when nothing waits, is kept
 * for the next one, so a wake-up that arrives while a fetch runs is not lost.
 */
export interface Wakeup {
  wake(): void;
  /** Waits for a wake-up (consuming it) or `ms`, whichever comes first. */
  idle(ms: number): Promise<void>;
  /** Forgets a kept wake-up: the fetch about to start answers it. */
  clear(): void;
}

export function createWakeup(timers: Timers): Wakeup {
  let requested = false;
  let waiter: (() => void) | null = null;

  return {
    wake() {
      requested = true;
      const w = waiter;
      waiter = null;
      w?.();
    },
    idle(ms) {
      if (requested) {
        // Consumed here, so a loop that cannot fetch (no free slot) waits on its next turn instead of spinning.
        requested = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const cancel = timers.setTimeout(() => {
          waiter = null;
          resolve();
        }, ms);
        waiter = () => {
          cancel();
          resolve();
        };
      });
    },
    clear() {
      requested = false;
    },
  };
}
