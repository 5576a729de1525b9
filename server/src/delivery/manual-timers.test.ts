import { describe, expect, it } from 'vitest';
import { ManualTimers } from './manual-timers.ts';

describe('ManualTimers', () => {
  it('fires timers in order of due time, then of setting, as the clock advances', async () => {
    const clock = new ManualTimers();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    const cancel = clock.setTimeout(() => fired.push('cancelled'), 15);
    cancel();
    await clock.advance(19);
    expect(fired).toEqual(['a@10']);
    expect(clock.now).toBe(19);
    await clock.advance(1);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('repeats intervals until cancelled, and runs immediates and promise callbacks on settle', async () => {
    const clock = new ManualTimers();
    let beats = 0;
    const stop = clock.setInterval(() => beats++, 100);
    await clock.advance(350);
    expect(beats).toBe(3);
    stop();
    await clock.advance(1000);
    expect(beats).toBe(3);
    const order: string[] = [];
    clock.setImmediate(() => {
      void Promise.resolve().then(() => order.push('promise'));
      order.push('immediate');
    });
    await clock.settle();
    expect(order).toEqual(['immediate', 'promise']);
  });

  it('until moves from timer to timer while the condition fails, within its bound', async () => {
    const clock = new ManualTimers();
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 500);
    await clock.until(() => fired);
    expect(clock.now).toBe(500);
    clock.setTimeout(() => {}, 2000);
    await expect(clock.until(() => false, 1000)).rejects.toThrow('condition not met within 1000 ms');
  });
});
