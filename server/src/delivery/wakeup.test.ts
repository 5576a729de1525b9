import { describe, expect, it } from 'vitest';
import { ManualTimers } from './manual-timers.ts';
import { createWakeup } from './wakeup.ts';

/** Tracks whether a promise has resolved. */
function track(promise: Promise<void>) {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

describe('createWakeup', () => {
  it('ends an idle wait after its time when nothing wakes it', async () => {
    const clock = new ManualTimers();
    const wakeup = createWakeup(clock);
    const waiting = track(wakeup.idle(250));
    await clock.advance(249);
    expect(waiting.done).toBe(false);
    await clock.advance(1);
    expect(waiting.done).toBe(true);
  });

  it('ends an idle wait at once on a wake-up, and cancels its timer', async () => {
    const clock = new ManualTimers();
    const wakeup = createWakeup(clock);
    const waiting = track(wakeup.idle(250));
    wakeup.wake();
    await clock.settle();
    expect(waiting.done).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('keeps a wake-up that came while nothing waited, for one wait only', async () => {
    const clock = new ManualTimers();
    const wakeup = createWakeup(clock);
    wakeup.wake();
    wakeup.wake();
    const first = track(wakeup.idle(250));
    const second = track(wakeup.idle(250));
    await clock.settle();
    expect(first.done).toBe(true);
    expect(second.done).toBe(false);
  });

  it('forgets a kept wake-up on clear', async () => {
    const clock = new ManualTimers();
    const wakeup = createWakeup(clock);
    wakeup.wake();
    wakeup.clear();
    const waiting = track(wakeup.idle(250));
    await clock.settle();
    expect(waiting.done).toBe(false);
  });
});
