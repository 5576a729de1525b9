import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { killBins, stackFrames, startBin } from './support/bin-process.ts';

/**
 * Start-up failures whose cause is outside Hookport, with the real bin: one line each (no stack
 * trace, no driver frames), a non-zero exit. The ones that need a PostgreSQL server (a database or
 * role that does not exist) are in startup.errors.pg.test.ts.
 */
afterAll(killBins);

function listening(port = 0): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return address.port;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('start-up errors', () => {
  it('a taken port: one line naming it and PORT, before any migration; and a misspelt setting is named', async () => {
    const occupant = await listening();
    try {
      const port = portOf(occupant);
      const hp = startBin(['serve'], {
        HOOKPORT_DATA_DIR: ':memory:',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        HOOKPORT_EGRES_ALLOWLIST: '127.0.0.1',
      });
      expect((await hp.exited).code).toBe(1);
      expect(hp.stderr().trim().split('\n')).toEqual([
        'hookport: warning: HOOKPORT_EGRES_ALLOWLIST is not a Hookport setting; did you mean HOOKPORT_EGRESS_ALLOWLIST?',
        `hookport: Port ${port} on 127.0.0.1 is already in use by another process: stop it, or set PORT to a free port.`,
      ]);
      // Checked before the work: nothing was migrated (LOG_LEVEL=info would have said so).
      expect(hp.output()).not.toContain('migrations applied');
    } finally {
      await close(occupant);
    }
  });

  it('a taken metrics port: one line naming HOOKPORT_METRICS_PORT, before any migration', async () => {
    const occupant = await listening();
    try {
      const port = portOf(occupant);
      const hp = startBin(['serve'], {
        HOOKPORT_DATA_DIR: ':memory:',
        HOST: '127.0.0.1',
        PORT: '0',
        HOOKPORT_METRICS_PORT: String(port),
        LOG_LEVEL: 'info',
      });
      expect((await hp.exited).code).toBe(1);
      expect(hp.stderr().trim().split('\n')).toEqual([
        `hookport: Port ${port} on 127.0.0.1 is already in use by another process: stop it, or set HOOKPORT_METRICS_PORT to a free port.`,
      ]);
      expect(hp.output()).not.toContain('migrations applied');
    } finally {
      await close(occupant);
    }
  });

  it('PostgreSQL unreachable: retried for a few seconds, then one line naming DATABASE_URL without its password', async () => {
    // A port nothing listens on: taken and let go.
    const probe = await listening();
    const closed = portOf(probe);
    await close(probe);
    const url = `postgres://postgres:pa55word@127.0.0.1:${closed}/hookport`;
    const hp = startBin(['serve', '--role', 'worker'], {
      DATABASE_URL: url,
      HOOKPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    });
    expect((await hp.exited).code).toBe(1);
    const output = hp.output();
    expect(output).toContain(`is not answering (ECONNREFUSED); retrying for up to 10 s`);
    const last = hp.stderr().trim().split('\n').at(-1);
    expect(last).toBe(
      `hookport: PostgreSQL is unreachable (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${closed}) at ` +
        `DATABASE_URL=postgres://postgres:***@127.0.0.1:${closed}/hookport; gave up after 10 s. Start PostgreSQL or fix DATABASE_URL.`,
    );
    expect(output).not.toContain('pa55word');
    expect(stackFrames(output)).toEqual([]);
  }, 90_000);
});
