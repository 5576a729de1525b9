import { type buildConnector, Pool, ProxyAgent } from 'undici';
import type { EgressProxy } from '../config.ts';

/**
 * Marks a failure to reach the proxy or to get a tunnel out of it, so the attempt log tells the
 * proxy's trouble (proxy_error, not charged to the endpoint) from the receiver's.
 */
export class ProxyFailure extends Error {
  readonly code = 'HOOKPORT_PROXY_ERROR';
}

/** The proxy's own answer to CONNECT when it is not 200 (undici words it so; see classifyError). */
export const refusedConnect = /^Proxy response \((\d{3})\) !== 200/;

/**
 * The dispatcher of deliveries that go through the egress proxy: CONNECT for every target, http://
 * ones too (`proxyTunnel`), so the proxy sees only host and port and the receiver's TLS is end to end;
 * a smokescreen-style proxy judges the CONNECT. Credentials in the proxy URL become its
 * Proxy-Authorization (undici reads them from the URL). The connections to the proxy itself do not go
 * through the egress guard: the proxy is the operator's, usually at a private address.
 */
export function proxyDispatcher(proxy: EgressProxy, connectTimeoutMs: number): ProxyAgent {
  return new ProxyAgent({
    uri: proxy.url.href,
    proxyTunnel: true,
    keepAliveTimeout: 30_000,
    connections: 32,
    connectTimeout: connectTimeoutMs,
    // The pool to the proxy, with its connector wrapped: whatever fails there (refused, reset, timed
    // out, TLS to an https:// proxy) is the proxy's failure, not the receiver's.
    clientFactory: (origin, options) => {
      // undici hands its connector to the proxy (TLS settings, timeout) in `options`, typed loosely.
      const { connect } = options as { connect: buildConnector.connector };
      return new Pool(origin, {
        ...options,
        connect: (opts, callback) =>
          connect(opts, (err, socket) => {
            if (err) callback(new ProxyFailure(`egress proxy unreachable: ${err.message}`, { cause: err }), null);
            else callback(null, socket);
          }),
      });
    },
  });
}
