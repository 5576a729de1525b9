import { describe, expect, it } from 'vitest';
import { createAdmission, type LaneMove, type Timers } from './admission.ts';
import type { Lane } from './queue.ts';

/** A clock and timers moved by hand: nothing here waits for real time. */
function fakeTime() {
  let now = 1_000_000;
  let nextId = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let immediates: (() => void)[] = [];
  const timers: Timers = {
    setTimeout(fn, ms) {
      nextId += 1;
      pending.set(nextId, { at: now + ms, fn });
      return nextId;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    setImmediate(fn) {
      immediates.push(fn);
    },
  };
  return {
    clock: () => now,
    timers,
    /**
     * Moves the clock on, running the timers that fall due on the way, in order. After each, as in a turn
     * of the event loop: `io` (what arrived meanwhile, say an answer), then the immediates.
     */
    advance(ms: number, io?: () => void) {
      const end = now + ms;
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= end).sort(([, a], [, b]) => a.at - b.at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        io?.();
        const run = immediates;
        immediates = [];
        for (const fn of run) fn();
      }
      now = end;
    },
    get scheduled() {
      return pending.size;
    },
  };
}

function setup(options: { endpointConcurrency?: number; inSlowLane?: string[] } = {}) {
  const time = fakeTime();
  /** The lanes the store holds, by endpoint (the fake store's state). */
  const lanes = new Map<string, Lane>((options.inSlowLane ?? []).map((id) => [id, 'slow']));
  const writes: LaneMove[] = [];
  const moves: LaneMove[] = [];
  const admission = createAdmission(
    { endpointConcurrency: options.endpointConcurrency ?? 2, clock: time.clock, timers: time.timers },
    {
      async writeLane(endpointId, lane) {
        writes.push({ endpointId, lane });
        const moved = (lanes.get(endpointId) ?? 'main') !== lane;
        lanes.set(endpointId, lane);
        return moved;
      },
      onLaneError(err) {
        throw err;
      },
    },
  );
  admission.onLaneMove((m) => moves.push(m));
  return { time, admission, writes, moves };
}

const healthy = (endpointId: string) => ({ endpointId, failing: false, slowLane: false });
/** Lets the lane writes (promises) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('admission: the per-endpoint gate', () => {
  it('admits up to the endpoint concurrency here, one for a failing endpoint, and frees a slot on leave', () => {
    const { admission } = setup();
    const a = admission.enter(healthy('a'));
    const b = admission.enter(healthy('a'));
    expect(a && b).toBeTruthy();
    expect(admission.enter(healthy('a'))).toBeNull();
    b?.leave();
    b?.leave(); // twice is once
    const c = admission.enter(healthy('a'));
    expect(c).not.toBeNull();
    expect(admission.enter(healthy('a'))).toBeNull();

    expect(admission.enter({ endpointId: 'f', failing: true, slowLane: false })).not.toBeNull();
    expect(admission.enter({ endpointId: 'f', failing: true, slowLane: false })).toBeNull();
  });

  it('counts an endpoint at the smallest cap among its attempts in flight here', () => {
    const { admission } = setup({ endpointConcurrency: 3 });
    admission.enter(healthy('a'));
    // Loaded as failing while one attempt is in flight: refused at its cap of one.
    expect(admission.enter({ endpointId: 'a', failing: true, slowLane: false })).toBeNull();
    expect(admission.skippedBy('main', 10, 100)).toEqual([]);

    admission.enter({ endpointId: 'b', failing: true, slowLane: false });
    expect(admission.skippedBy('main', 10, 100)).toEqual(['b']);
    // An attempt loaded before the failure was known gets in, and the endpoint stays at its cap of one.
    expect(admission.enter(healthy('b'))).not.toBeNull();
    expect(admission.skippedBy('main', 10, 100)).toEqual(['b']);
  });
});

describe('admission: before the claim', () => {
  it('skips the endpoints at their cap here in every lane', () => {
    const { admission } = setup();
    admission.enter(healthy('a'));
    admission.enter(healthy('a'));
    admission.enter(healthy('b'));
    expect(admission.skippedBy('main', 10, 100)).toEqual(['a']);
    expect(admission.skippedBy('slow', 10, 100)).toEqual(['a']);
  });

  it('skips a crowded endpoint in its lane while the allowance has less room than the fetch, until its time is up', () => {
    const { admission, time } = setup();
    admission.noteCrowded('main', 'dead', 15);
    // Room for the whole fetch: fetched as usual.
    expect(admission.skippedBy('main', 10, 10)).toEqual([]);
    expect(admission.skippedBy('main', 10, 9)).toEqual(['dead']);
    // Only in the lane whose allowance turned it away.
    expect(admission.skippedBy('slow', 10, 0)).toEqual([]);
    time.advance(14_999);
    expect(admission.skippedBy('main', 10, 0)).toEqual(['dead']);
    time.advance(1);
    expect(admission.skippedBy('main', 10, 0)).toEqual([]);
  });

  it('skips an endpoint waiting for a rate-limit slot in every lane, whatever the room, until the slot is near', () => {
    const { admission, time } = setup();
    admission.noteDeferred('limited', 2.5);
    admission.noteDeferred('due', 0);
    expect(admission.skippedBy('main', 10, 100)).toEqual(['limited']);
    expect(admission.skippedBy('slow', 10, 0)).toEqual(['limited']);
    time.advance(2500);
    expect(admission.skippedBy('main', 10, 100)).toEqual([]);
  });

  it('stops skipping a crowded endpoint once it has answered', async () => {
    const { admission } = setup();
    admission.noteCrowded('main', 'e', 15);
    const ticket = admission.enter(healthy('e'));
    await ticket?.answered(true, 20);
    ticket?.leave();
    expect(admission.skippedBy('main', 10, 0)).toEqual([]);
  });
});

describe('admission: proven endpoints', () => {
  it('proves an endpoint by a success for provenFor (10 minutes), and a failure unproves it', async () => {
    const { admission, time } = setup();
    const first = admission.enter(healthy('a'));
    expect(first?.unproven).toBe(true);
    await first?.answered(true, 30);
    first?.leave();

    const second = admission.enter(healthy('a'));
    expect(second?.unproven).toBe(false);
    second?.leave();
    time.advance(10 * 60_000);
    const late = admission.enter(healthy('a'));
    expect(late?.unproven).toBe(true);
    await late?.answered(true, 30);
    late?.leave();

    const failed = admission.enter(healthy('a'));
    await failed?.answered(false, 30);
    failed?.leave();
    expect(admission.enter(healthy('a'))?.unproven).toBe(true);
  });
});

describe('admission: lanes', () => {
  it('moves a main-lane endpoint holding all its slots to the slow lane after saturatedAfterMs (250 ms)', async () => {
    const { admission, time, moves } = setup();
    const a = admission.enter(healthy('a'));
    const b = admission.enter(healthy('a'));
    const stop = a?.watch();
    b?.watch();
    time.advance(249);
    await settle();
    expect(moves).toEqual([]);
    time.advance(1);
    await settle();
    expect(moves).toEqual([{ endpointId: 'a', lane: 'slow' }]);
    stop?.();
  });

  it('takes in an answer that came while the process was stalled before deciding: no move', async () => {
    const { admission, time, moves } = setup();
    const a = admission.enter(healthy('a'));
    const b = admission.enter(healthy('a'));
    const stopA = a?.watch();
    const stopB = b?.watch();
    // The watch's timers fire late, after a stall during which both answers came: the turn's I/O runs
    // first and stops the watches, so nothing was slow.
    time.advance(1500, () => {
      stopA?.();
      stopB?.();
    });
    await settle();
    expect(moves).toEqual([]);
  });

  it('with a slot to spare, moves it only after slowAfterMs (1000 ms), and not once the answer came', async () => {
    const { admission, time, moves, writes } = setup();
    const a = admission.enter(healthy('a'));
    const stop = a?.watch();
    time.advance(999);
    await settle();
    expect(writes).toEqual([]);
    time.advance(1);
    await settle();
    expect(moves).toEqual([{ endpointId: 'a', lane: 'slow' }]);
    stop?.();

    const b = admission.enter(healthy('b'));
    const stopB = b?.watch();
    time.advance(500);
    stopB?.();
    expect(time.scheduled).toBe(0);
    time.advance(5000);
    await settle();
    expect(moves).toEqual([{ endpointId: 'a', lane: 'slow' }]);
  });

  it('does not watch an endpoint already in the slow lane', () => {
    const { admission, time } = setup();
    admission.enter({ endpointId: 's', failing: false, slowLane: true })?.watch();
    expect(time.scheduled).toBe(0);
  });

  it('moves a slow-lane endpoint back on a quick success, or a success with a slot to spare', async () => {
    const { admission, moves } = setup({ inSlowLane: ['q', 'f', 's', 'x'] });
    const slow = (id: string) => ({ endpointId: id, failing: false, slowLane: true });
    // A quick answer.
    await admission.enter(slow('q'))?.answered(true, 249);
    // A slow answer while the endpoint holds every slot here: it does not keep up.
    const full = [admission.enter(slow('f')), admission.enter(slow('f'))];
    await full[0]?.answered(true, 300);
    // A slow answer with a slot to spare: it does.
    await admission.enter(slow('s'))?.answered(true, 300);
    // A failure never moves it back.
    await admission.enter(slow('x'))?.answered(false, 10);
    expect(moves).toEqual([
      { endpointId: 'q', lane: 'main' },
      { endpointId: 's', lane: 'main' },
    ]);
  });

  it('reports only moves that changed the lane, and tells the failures of a lane write apart', async () => {
    const errors: unknown[] = [];
    const time = fakeTime();
    const moves: LaneMove[] = [];
    const admission = createAdmission(
      { endpointConcurrency: 1, clock: time.clock, timers: time.timers },
      {
        writeLane: async (endpointId) => {
          if (endpointId === 'broken') throw new Error('database down');
          return false;
        },
        onLaneError: (err) => errors.push(err),
      },
    );
    admission.onLaneMove((m) => moves.push(m));
    admission.enter(healthy('already'))?.watch();
    admission.enter(healthy('broken'))?.watch();
    time.advance(250);
    await settle();
    expect(moves).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});
