import type { AddressInfo } from 'node:net';
import { serveApp } from '@hookport/server';
import { startHookport, type TestHookport } from '../../src/support/harness.ts';

export interface ServedHookport {
  t: TestHookport;
  /** `http://127.0.0.1:<port>`, where a browser reaches it. */
  origin: string;
  close(): Promise<void>;
}

/**
 * The real server (test/src/support/harness.ts) listening on 127.0.0.1 on a free port, as
 * `pnpm start` serves it, for a browser to load.
 */
export async function serveHookport(env: Record<string, string> = {}): Promise<ServedHookport> {
  const t = await startHookport(env);
  const server = await new Promise<ReturnType<typeof serveApp>>((resolve) => {
    const listening = serveApp({ fetch: t.hp.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    t,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      // A browser may still hold keep-alive connections; close() alone would wait for them.
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await t.close();
    },
  };
}
