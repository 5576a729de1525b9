import type { Lane } from './queue.ts';

/**
 * Admission: which attempts run now in this process, and in which lane an endpoint's jobs are queued.
 * It holds the per-endpoint gate, the endpoints known to answer ("proven"), the crowd skip of the slow
 * allowance, and the lane policy (saturation moves). Its decisions are made before a job is claimed
 * wherever they can be: `skippedBy` names the endpoints a fetch leaves alone. Time comes from an
 * injected clock and timers (admission.test.ts drives them by hand).
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `fn` once this turn of the event loop, with the I/O callbacks it ran, is over. */
  setImmediate(fn: () => void): void;
}

/** Node's timers, unref'd: a watch must not keep a stopping process alive. */
export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
  setImmediate(fn) {
    setImmediate(fn);
  },
};

export interface AdmissionOptions {
  /** In-flight attempts per endpoint (HOOKPORT_ENDPOINT_CONCURRENCY); a failing endpoint gets one. */
  endpointConcurrency: number;
  /**
   * An attempt unanswered for this long while its endpoint holds all its slots here marks the endpoint
   * saturated (slow lane, queue.ts); any attempt unanswered for slowAfterMs does too. Default 250 ms.
   */
  saturatedAfterMs?: number;
  /** The dispatchers' slowAfterMs: past it an attempt no longer counts against the concurrency. Default 1000 ms. */
  slowAfterMs?: number;
  /** How long a success makes an endpoint "proven" (its attempts need no slow allowance). Default 10 minutes. */
  provenForMs?: number;
  /** Endpoints remembered per table at most (forgetting one only costs it a demotion or a hand-back). Default 10,000. */
  maxTracked?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  clock?: () => number;
  timers?: Timers;
}

/** What admission needs to know about the endpoint of an attempt, as loaded with it. */
export interface EndpointView {
  endpointId: string;
  failing: boolean;
  slowLane: boolean;
}

export interface LaneMove {
  endpointId: string;
  lane: Lane;
}

export interface AdmissionDeps {
  /** Records the endpoint's lane (the store); true when it changed. A failure leaves it where it was. */
  writeLane(endpointId: string, lane: Lane): Promise<boolean>;
  /** A lane write failed: reported, not thrown (the endpoint only stays where it was). */
  onLaneError(err: unknown, move: LaneMove): void;
}

/** One admitted attempt: its slot in the gate, released by leave(). */
export interface Ticket {
  readonly endpointId: string;
  /** Whether this attempt needs the slow allowance: its endpoint is not known to answer. */
  readonly unproven: boolean;
  /** Watches the send: the endpoint may be saturated (see watchSaturation). Returns the stop. */
  watch(): () => void;
  /** The endpoint answered (ok) or not: noted, and a slow-lane endpoint that keeps up moves back. */
  answered(ok: boolean, durationMs: number): Promise<void>;
  leave(): void;
}

export type Admission = ReturnType<typeof createAdmission>;

export function createAdmission(options: AdmissionOptions, deps: AdmissionDeps) {
  const saturatedAfterMs = options.saturatedAfterMs ?? 250;
  const slowAfterMs = options.slowAfterMs ?? 1000;
  const provenForMs = options.provenForMs ?? 10 * 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const clock = options.clock ?? Date.now;
  const timers = options.timers ?? realTimers;
  const laneListeners = new Set<(move: LaneMove) => void>();

  /**
   * Attempts in flight per endpoint in this process. pg-boss's group
   * concurrency is counted when jobs are fetched, and concurrent fetchers can
   * overshoot it; this gate makes the cap hold locally. An endpoint that is
   * failing gets one slot only, so dead endpoints waiting out their timeouts
   * cannot take the worker from the healthy ones.
   */
  const inFlight = new Map<string, { n: number; cap: number }>();
  const capOf = (ep: EndpointView): number => (ep.failing ? 1 : options.endpointConcurrency);
  const inFlightTo = (endpointId: string): number => inFlight.get(endpointId)?.n ?? 0;

  function leave(endpointId: string) {
    const entry = inFlight.get(endpointId);
    if (!entry || entry.n <= 1) inFlight.delete(endpointId);
    else entry.n -= 1;
  }

  /**
   * When this process last saw each endpoint answer with a success. Attempts
   * to an endpoint without a recent one (new, restarted, or failing) are
   * demoted at once: they run on the dispatcher's slow allowance, so endpoints
   * that hold requests open until the timeout never take the slots of the
   * endpoints that answer.
   */
  const lastSuccess = new Map<string, number>();

  function proven(endpointId: string): boolean {
    const at = lastSuccess.get(endpointId);
    return at !== undefined && clock() - at < provenForMs;
  }

  function noteResult(endpointId: string, ok: boolean) {
    if (!ok) {
      lastSuccess.delete(endpointId);
      return;
    }
    if (lastSuccess.size >= maxTracked && !lastSuccess.has(endpointId)) lastSuccess.clear();
    lastSuccess.set(endpointId, clock());
  }

  /**
   * Per lane, the endpoints not known to answer whose attempt found that lane's slow allowance full and
   * went back to the queue for about a delivery timeout, with when that ends. While the allowance has
   * less room than the fetch asks for, the lane's fetches skip them: each of their jobs would only be
   * claimed, loaded and handed back in turn (a crowd of dead endpoints over the allowance had the worker
   * doing that for every job it queued: most of the database's work in bench phase e.stress). Not only
   * while it is full: with one place free, a fetch of 32 would take one of their jobs and hand back the
   * rest, at every place a timeout frees. Once the room covers a whole fetch, they are fetched as usual.
   */
  const crowded: Record<Lane, Map<string, number>> = { main: new Map(), slow: new Map() };

  /**
   * The endpoints whose next rate-limit slot is further off than a worker holds a job for, with when it
   * comes within that hold. Until then every fetch skips them: each of their jobs would only be claimed,
   * loaded and handed back to wait for its slot.
   */
  const deferred = new Map<string, number>();

  /** Remembers `endpointId` in `table` until `forSeconds` from now, forgetting everything once it is full. */
  function remember(table: Map<string, number>, endpointId: string, forSeconds: number) {
    // Bounded: forgetting an endpoint only costs one more hand-back of its next job.
    if (table.size >= maxTracked && !table.has(endpointId)) table.clear();
    table.set(endpointId, clock() + forSeconds * 1000);
  }

  /**
   * Moves an endpoint between the lanes (queue.ts). Only its jobs queued from now on go to the other
   * lane; those already queued stay where they are, and both lanes are fetched by every worker, so
   * nothing waits on the move.
   */
  async function moveLane(ep: EndpointView, lane: Lane) {
    const move = { endpointId: ep.endpointId, lane };
    try {
      const moved = await deps.writeLane(ep.endpointId, lane);
      ep.slowLane = lane === 'slow';
      if (moved) for (const listener of laneListeners) listener(move);
    } catch (err) {
      deps.onLaneError(err, move);
    }
  }

  /**
   * Watches an attempt of a main-lane endpoint: if it is still unanswered after saturatedAfterMs while
   * the endpoint holds every slot it may hold here (or after slowAfterMs in any case, which also covers
   * an endpoint whose slots are spread over several processes), the endpoint is saturated: its next
   * jobs would wait, ready and unclaimable, in front of everyone's, so they go to the slow lane.
   */
  function watchSaturation(ep: EndpointView): () => void {
    if (ep.slowLane) return () => {};
    let answered = false;
    // Decided one turn of the event loop after the timer (setImmediate runs after the I/O callbacks): an
    // answer that came while this process was stalled (a busy CPU, a long GC) is taken in first, so the
    // stall alone does not put a healthy endpoint in the slow lane. The delivery deadline does the same.
    const unlessAnswered = (decide: () => void) => () =>
      timers.setImmediate(() => {
        if (!answered) decide();
      });
    const atCap = timers.setTimeout(
      unlessAnswered(() => {
        if (inFlightTo(ep.endpointId) >= capOf(ep)) void moveLane(ep, 'slow');
      }),
      saturatedAfterMs,
    );
    const slow = timers.setTimeout(
      unlessAnswered(() => void moveLane(ep, 'slow')),
      slowAfterMs,
    );
    return () => {
      answered = true;
      timers.clearTimeout(atCap);
      timers.clearTimeout(slow);
    };
  }

  /**
   * A success that came quickly, or with a slot to spare here: a slow-lane endpoint keeps up again, so
   * back to the main lane (a hiccup of this process, say, can put a healthy endpoint there for a moment;
   * a busy one answering in 300 ms leaves once its backlog no longer fills its slots). Its jobs already
   * in the slow lane are fetched there meanwhile.
   */
  function keepsUp(ep: EndpointView, ok: boolean, durationMs: number): boolean {
    if (!ep.slowLane || !ok) return false;
    // This attempt still counts in inFlight here: fewer than the cap means a slot was free.
    return durationMs < saturatedAfterMs || inFlightTo(ep.endpointId) < capOf(ep);
  }

  return {
    /** Takes one of the endpoint's slots here; null when it holds all it may (hand the job back for a moment). */
    enter(ep: EndpointView): Ticket | null {
      const cap = capOf(ep);
      const n = inFlightTo(ep.endpointId);
      if (n >= cap) return null;
      // The smallest cap seen among the attempts in flight: an endpoint that started failing meanwhile is
      // at its cap of one as soon as it has one attempt here.
      inFlight.set(ep.endpointId, { n: n + 1, cap: Math.min(cap, inFlight.get(ep.endpointId)?.cap ?? cap) });
      let left = false;
      return {
        endpointId: ep.endpointId,
        unproven: !proven(ep.endpointId),
        watch: () => watchSaturation(ep),
        async answered(ok, durationMs) {
          noteResult(ep.endpointId, ok);
          if (keepsUp(ep, ok, durationMs)) await moveLane(ep, 'main');
        },
        leave() {
          if (left) return;
          left = true;
          leave(ep.endpointId);
        },
      };
    },

    /** The slow allowance of `lane` was full for this endpoint's attempt: skip it for `forSeconds` (see crowded). */
    noteCrowded(lane: Lane, endpointId: string, forSeconds: number) {
      remember(crowded[lane], endpointId, forSeconds);
    },

    /** The endpoint's next rate-limit slot is `forSeconds` beyond the hold: skip it till then (see deferred). */
    noteDeferred(endpointId: string, forSeconds: number) {
      if (forSeconds > 0) remember(deferred, endpointId, forSeconds);
    },

    /**
     * The endpoints a fetch of `lane` skips, decided before the claim: those with every slot they may hold
     * here taken (pg-boss counts a group's cap per queue, so while an endpoint has attempts in flight from
     * one lane, the other lane would hand its jobs out only for the gate to hand them back), those waiting
     * for a rate-limit slot, and, while the allowance has less room than the fetch asks for, the crowded
     * ones (but those that have answered since: they need no room).
     */
    skippedBy(lane: Lane, batchSize: number, allowanceRoom: number): string[] {
      const skipped: string[] = [];
      for (const [endpointId, { n, cap }] of inFlight) if (n >= cap) skipped.push(endpointId);
      const now = clock();
      for (const [endpointId, until] of deferred) {
        if (until <= now) deferred.delete(endpointId);
        else skipped.push(endpointId);
      }
      if (allowanceRoom >= batchSize) return skipped;
      for (const [endpointId, until] of crowded[lane]) {
        if (until <= now || proven(endpointId)) crowded[lane].delete(endpointId);
        else skipped.push(endpointId);
      }
      return skipped;
    },

    /** Calls `listener` on each lane move this process makes; returns the unsubscribe. */
    onLaneMove(listener: (move: LaneMove) => void): () => void {
      laneListeners.add(listener);
      return () => laneListeners.delete(listener);
    },
  };
}
