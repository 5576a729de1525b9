import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { defaultLingerBounds, type LingerBounds, lingeringResponse } from './lingering-close.ts';

export interface ServeOptions {
  fetch: Parameters<typeof serve>[0]['fetch'];
  port: number;
  hostname: string;
  /** Defaults to defaultLingerBounds; tests may choose their own. */
  linger?: LingerBounds;
}

/**
 * The app on a Node HTTP server, as `hookport serve` runs it: every way the API is served goes
 * through here, so an answer given before the request body was read always closes lingeringly.
 */
export function serveApp(options: ServeOptions, onListening?: (info: AddressInfo) => void): ServerType {
  const { fetch, port, hostname, linger = defaultLingerBounds } = options;
  return serve({ fetch, port, hostname, serverOptions: { ServerResponse: lingeringResponse(linger) } }, onListening);
}
