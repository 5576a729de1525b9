import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killBins, stackFrames, startBin } from './support/bin-process.ts';
import { startHookport, type TestHookport } from './support/harness.ts';
import { killProcesses, startWorkerProcess } from './support/worker-process.ts';

/**
 * Start-up failures a PostgreSQL server reports, with the real bin against the run's server
 * (DATABASE_URL): one line naming DATABASE_URL (password masked), no driver frames, exit 1, and a
 * worker whose delivery settings differ from the API's refused.
 */
const serverUrl = process.env.DATABASE_URL ?? '';
const secretKey = randomBytes(32).toString('hex');

/** The run's DATABASE_URL with another database or user. */
function urlWith(change: (url: URL) => void): string {
  const url = new URL(serverUrl);
  change(url);
  return url.toString();
}

afterAll(async () => {
  await killBins();
  await killProcesses();
});

describe('start-up errors from PostgreSQL', () => {
  it('a database that does not exist: one line naming it and DATABASE_URL', async () => {
    const name = `hp_missing_${randomBytes(4).toString('hex')}`;
    const url = urlWith((u) => {
      u.pathname = `/${name}`;
    });
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    const hp = startBin(['serve'], { DATABASE_URL: url, HOOKPORT_SECRET_KEY: secretKey, PORT: '0' });
    expect((await hp.exited).code).toBe(1);
    expect(hp.stderr()).toBe(
      `hookport: PostgreSQL: database "${name}" does not exist (DATABASE_URL=${shown}). Create it (createdb) or fix DATABASE_URL.\n`,
    );
    expect(stackFrames(hp.output())).toEqual([]);
  });

  it('a role that does not exist: one line naming it, the password masked', async () => {
    const role = `hp_nobody_${randomBytes(4).toString('hex')}`;
    const url = urlWith((u) => {
      u.username = role;
      u.password = 'hunter22';
    });
    const hp = startBin(['migrate'], { DATABASE_URL: url });
    expect((await hp.exited).code).toBe(1);
    const stderr = hp.stderr();
    expect(stderr).toMatch(
      new RegExp(`^hookport: PostgreSQL refused the login: .*"${role}".*\\(DATABASE_URL=postgres://${role}:\\*\\*\\*@`),
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toContain('hunter22');
  });
});

describe('a worker whose delivery settings differ from the API’s', () => {
  let t: TestHookport;
  beforeAll(async () => {
    // The API records its settings at start: allowlist 127.0.0.0/8, schedule 1,1,2.
    t = await startHookport({}, 'api');
  });
  afterAll(async () => {
    await killProcesses();
    await t?.close();
  });

  it('is refused, naming each difference', async () => {
    const refused = startWorkerProcess(t, { HOOKPORT_EGRESS_ALLOWLIST: '', HOOKPORT_RETRY_SCHEDULE: '5,300' });
    await expect(refused).rejects.toThrow(/exited early \(\{"code":1/);
    const message = await refused.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message).toContain("hookport: This worker's delivery settings differ from the API's");
    expect(message).toContain('HOOKPORT_EGRESS_ALLOWLIST is (empty) here, 127.0.0.0/8 in the API');
    expect(message).toContain('HOOKPORT_RETRY_SCHEDULE is 5,300 here, 1,1,2 in the API');
  });

  it('runs with the same settings', async () => {
    const worker = await startWorkerProcess(t);
    expect(worker.exit).toBeUndefined();
  });
});
