import { describe, expect, it } from 'vitest';
import { ManualTimers } from './manual-timers.ts';
import { createSlots } from './slots.ts';

function slotsFor(options: { maxInFlight: number; maxSlow: number; slowAfterMs?: number }) {
  const clock = new ManualTimers();
  let freed = 0;
  const slots = createSlots<string>({
    slowAfterMs: 1000,
    ...options,
    timers: clock,
    onFreed: () => {
      freed++;
    },
  });
  return { clock, slots, freed: () => freed };
}

describe('createSlots', () => {
  it('gives out maxInFlight slots; the allowance alone does not add any', () => {
    const { slots } = slotsFor({ maxInFlight: 2, maxSlow: 3 });
    expect(slots.free()).toBe(2);
    expect(slots.allowanceRoom()).toBe(3);
    slots.begin('a');
    slots.begin('b');
    expect(slots.free()).toBe(0);
    expect(slots.running).toBe(2);
    expect(slots.runningKeys()).toEqual(['a', 'b']);
  });

  it('turns an attempt slow after slowAfterMs, freeing its slot within the allowance', async () => {
    const { clock, slots, freed } = slotsFor({ maxInFlight: 1, maxSlow: 1, slowAfterMs: 100 });
    slots.begin('a');
    await clock.advance(99);
    expect(slots.free()).toBe(0);
    expect(freed()).toBe(0);
    await clock.advance(1);
    expect(slots.free()).toBe(1);
    expect(slots.allowanceRoom()).toBe(0);
    expect(freed()).toBe(1);
  });

  it('holds the total to maxInFlight + maxSlow: past the allowance an attempt keeps its slot', async () => {
    const { clock, slots } = slotsFor({ maxInFlight: 2, maxSlow: 1, slowAfterMs: 100 });
    slots.begin('a');
    slots.begin('b');
    expect(slots.demote('a')).toBe(true);
    expect(slots.free()).toBe(1);
    slots.begin('c');
    // The allowance is full: b cannot turn slow, by hand or by its timer.
    expect(slots.demote('b')).toBe(false);
    await clock.advance(1000);
    expect(slots.free()).toBe(0);
    expect(slots.running).toBe(3);
  });

  it('demotes only running attempts, and a slow one stays slow', () => {
    const { slots, freed } = slotsFor({ maxInFlight: 2, maxSlow: 2 });
    expect(slots.demote('never-began')).toBe(false);
    slots.begin('a');
    expect(slots.demote('a')).toBe(true);
    expect(slots.demote('a')).toBe(true);
    expect(slots.allowanceRoom()).toBe(1);
    expect(freed()).toBe(1);
  });

  it('frees the slot or the allowance place of an attempt that ends, and cancels its timer', async () => {
    const { clock, slots, freed } = slotsFor({ maxInFlight: 2, maxSlow: 2, slowAfterMs: 100 });
    slots.begin('a');
    slots.begin('b');
    slots.demote('b');
    slots.end('a');
    slots.end('b');
    expect(freed()).toBe(3);
    expect(slots.isRunning('a')).toBe(false);
    expect(slots.free()).toBe(2);
    expect(slots.allowanceRoom()).toBe(2);
    expect(clock.pending).toBe(0);
    expect(slots.demote('a')).toBe(false);
  });

  it('always has a slot, and no allowance below zero', () => {
    const { slots } = slotsFor({ maxInFlight: 0, maxSlow: -1 });
    expect(slots.free()).toBe(1);
    expect(slots.allowanceRoom()).toBe(0);
  });
});
