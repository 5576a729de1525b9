import { describe, expect, it } from 'vitest';
import type { Queryable } from '../db/database.ts';
import { ManualTimers } from '../delivery/manual-timers.ts';
import { maskedUrl, waitForPostgres } from './database-reachable.ts';
import { StartupError } from './startup-error.ts';

const url = 'postgres://app:s3cret@db.internal:5432/hookport';

/** An error as the driver raises it: a Node socket error or a PostgreSQL error, by its code. */
function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A connection whose first tries fail with `failures` (in order) and then answer. The retry policy is
 * what is tested here; the real drivers' errors are checked by test/src/startup.*.test.ts.
 */
function scripted(failures: Error[]): Pick<Queryable, 'query'> & { tries: number } {
  const conn = {
    tries: 0,
    query: async <T extends object>(): Promise<T[]> => {
      const failure = failures[conn.tries++];
      if (failure) throw failure;
      return [];
    },
  };
  return conn;
}

function reach(timers: ManualTimers, waiting: string[] = []) {
  return { timers, now: () => timers.now, patienceMs: 10_000, retryMs: 500, onWaiting: (l: string) => waiting.push(l) };
}

describe('maskedUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(maskedUrl(url)).toBe('postgres://app:***@db.internal:5432/hookport');
  });
  it('leaves a URL without a password as it is', () => {
    expect(maskedUrl('postgres://postgres@127.0.0.1:5432/x')).toBe('postgres://postgres@127.0.0.1:5432/x');
  });
});

describe('waitForPostgres', () => {
  it('returns once the database answers, after retrying while nothing did, and says so once', async () => {
    const timers = new ManualTimers();
    const refused = driverError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432');
    const conn = scripted([refused, refused, refused]);
    const waiting: string[] = [];
    let done = false;
    const waited = waitForPostgres(conn, url, reach(timers, waiting)).then(() => {
      done = true;
    });
    await timers.until(() => done);
    await waited;
    expect(conn.tries).toBe(4);
    expect(timers.now).toBe(1500);
    expect(waiting).toEqual([
      'PostgreSQL at DATABASE_URL=postgres://app:***@db.internal:5432/hookport is not answering (ECONNREFUSED); retrying for up to 10 s',
    ]);
  });

  it('gives up after its patience with one line naming DATABASE_URL without the password', async () => {
    const timers = new ManualTimers();
    const conn = scripted(Array.from({ length: 100 }, () => driverError('ECONNREFUSED', 'connect ECONNREFUSED')));
    let failure: unknown;
    const waited = waitForPostgres(conn, url, reach(timers)).catch((err: unknown) => {
      failure = err;
    });
    await timers.until(() => failure !== undefined);
    await waited;
    expect(failure).toBeInstanceOf(StartupError);
    const message = (failure as Error).message;
    expect(message).toContain('PostgreSQL is unreachable');
    expect(message).toContain('DATABASE_URL=postgres://app:***@db.internal:5432/hookport');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('\n');
    // Tries at 0, 500, …, 10000 ms: the next would start after the patience.
    expect(conn.tries).toBe(21);
    expect(timers.now).toBe(10_000);
  });

  it('does not retry a refusal: a database that does not exist is final at once', async () => {
    const timers = new ManualTimers();
    const conn = scripted([driverError('3D000', 'database "nope" does not exist')]);
    await expect(waitForPostgres(conn, url, reach(timers))).rejects.toThrow(
      'PostgreSQL: database "nope" does not exist (DATABASE_URL=postgres://app:***@db.internal:5432/hookport). Create it (createdb) or fix DATABASE_URL.',
    );
    expect(conn.tries).toBe(1);
    expect(timers.now).toBe(0);
  });

  it('names an unknown role as the server reported it', async () => {
    const timers = new ManualTimers();
    const conn = scripted([driverError('28000', 'role "nobody" does not exist')]);
    await expect(waitForPostgres(conn, url, reach(timers))).rejects.toThrow(
      /^PostgreSQL refused the login: role "nobody" does not exist \(DATABASE_URL=postgres:\/\/app:\*\*\*@/,
    );
  });
});
