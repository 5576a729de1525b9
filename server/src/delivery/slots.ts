import type { CancelTimer, Timers } from './timers.ts';

export interface SlotsOptions {
  /** Attempts in flight at most, not counting slow ones. */
  maxInFlight: number;
  /** Slow attempts in flight at most on top of maxInFlight. */
  maxSlow: number;
  /** An attempt running longer than this turns slow (if the allowance has room). */
  slowAfterMs: number;
  timers: Timers;
  /** An attempt stopped holding one of the maxInFlight slots (it turned slow, or ended). */
  onFreed: () => void;
}

/**
 * The dispatcher's accounting of attempts in flight: up to maxInFlight of them hold a slot each; an
 * attempt that runs past slowAfterMs (or is demoted by its handler) moves to the slow allowance, up to
 * maxSlow more, and frees its slot. The total stays within maxInFlight + maxSlow.
 */
export interface Slots<K> {
  /** How many attempts may start now. */
  free(): number;
  /** How many more attempts the slow allowance takes now. */
  allowanceRoom(): number;
  /** Attempts running, slow ones included. */
  readonly running: number;
  /** Attempts running, in the order they began. */
  runningKeys(): K[];
  isRunning(key: K): boolean;
  /** An attempt begins: it holds a slot, and turns slow after slowAfterMs. */
  begin(key: K): void;
  /**
   * Moves a running attempt to the slow allowance. True if it is slow now; false if it is not running,
   * or the allowance is full (it keeps its slot).
   */
  demote(key: K): boolean;
  /** The attempt ended: its slot (or its place in the allowance) is free. */
  end(key: K): void;
}

export function createSlots<K>(options: SlotsOptions): Slots<K> {
  const maxInFlight = Math.max(1, options.maxInFlight);
  const maxSlow = Math.max(0, options.maxSlow);
  /** Running attempts, with the timer that turns each slow. */
  const running = new Map<K, CancelTimer>();
  /** Running attempts past slowAfterMs: they count against maxSlow, not maxInFlight. */
  const slow = new Set<K>();

  function demote(key: K): boolean {
    if (!running.has(key)) return false;
    if (slow.has(key)) return true;
    // Past maxSlow an attempt keeps its slot: the total stays within maxInFlight + maxSlow while the
    // loop keeps fetching for the slots that are free (a full allowance no longer stops every fetch).
    if (slow.size >= maxSlow) return false;
    slow.add(key);
    options.onFreed();
    return true;
  }

  return {
    free: () => Math.min(maxInFlight - (running.size - slow.size), maxInFlight + maxSlow - running.size),
    allowanceRoom: () => Math.max(0, maxSlow - slow.size),
    get running() {
      return running.size;
    },
    runningKeys: () => [...running.keys()],
    isRunning: (key) => running.has(key),
    begin(key) {
      running.set(
        key,
        options.timers.setTimeout(() => demote(key), options.slowAfterMs, { unref: true }),
      );
    },
    demote,
    end(key) {
      running.get(key)?.();
      running.delete(key);
      slow.delete(key);
      options.onFreed();
    },
  };
}
