import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCanListen } from './port.ts';
import { StartupError } from './startup-error.ts';

/** Real sockets on 127.0.0.1: the check binds the port for a moment and lets it go. */
let occupant: Server;
let taken = 0;
beforeAll(async () => {
  occupant = createServer();
  await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
  const address = occupant.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  taken = address.port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => occupant.close(() => resolve()));
});

describe('assertCanListen', () => {
  it('fails with one line naming a taken port and PORT', async () => {
    const check = assertCanListen('127.0.0.1', taken);
    await expect(check).rejects.toBeInstanceOf(StartupError);
    await expect(check).rejects.toThrow(
      `Port ${taken} on 127.0.0.1 is already in use by another process: stop it, or set PORT to a free port.`,
    );
  });

  it('names a HOST that is not an address of this machine', async () => {
    await expect(assertCanListen('192.0.2.1', 8080)).rejects.toThrow(
      'HOST=192.0.2.1 is not an address of this machine',
    );
  });

  it('passes a free port and leaves it free, and port 0 always', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assertCanListen('127.0.0.1', address.port);
    // Let go: the port can be listened on again.
    await assertCanListen('127.0.0.1', address.port);
    await assertCanListen('127.0.0.1', 0);
  });
});
