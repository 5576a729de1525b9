import { describe, expect, it } from 'vitest';
import { deadlockCode, retryDeadlocks } from './deadlock-retry.ts';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: deadlockCode });

describe('retryDeadlocks', () => {
  it('runs a deadlock victim again and returns its result', async () => {
    let calls = 0;
    const result = await retryDeadlocks(async () => {
      calls++;
      if (calls < 3) throw deadlock();
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt with the deadlock itself', async () => {
    let calls = 0;
    await expect(
      retryDeadlocks(async () => {
        calls++;
        throw deadlock();
      }, 2),
    ).rejects.toMatchObject({ code: deadlockCode });
    expect(calls).toBe(2);
  });

  it('does not run anything else again', async () => {
    let calls = 0;
    await expect(
      retryDeadlocks(async () => {
        calls++;
        throw Object.assign(new Error('unique violation'), { code: '23505' });
      }),
    ).rejects.toThrow('unique violation');
    expect(calls).toBe(1);
  });
});
