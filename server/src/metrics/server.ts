import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { metricsAccess, metricsChallenge } from './access.ts';
import { metricsPath } from './http.ts';
import type { Metrics } from './metrics.ts';

export interface MetricsServer {
  port: number;
  address: string;
  close(): Promise<void>;
}

/**
 * The metrics port (HOOKPORT_METRICS_PORT): a bare HTTP server answering GET /metrics alone, with the
 * token rule of the API port's /metrics. A worker-only process serves no API, so this is how it is
 * scraped; any other role may use it too, to keep scrapes off the API's port and listener.
 */
export async function serveMetrics(
  metrics: Metrics,
  options: { host: string; port: number; token: string | undefined; logger: Logger },
): Promise<MetricsServer> {
  const allowed = metricsAccess(options.token);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== metricsPath) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return void res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n');
    }
    if (!allowed(req.headers.authorization)) {
      return void res
        .writeHead(401, { 'WWW-Authenticate': metricsChallenge, 'Content-Type': 'text/plain' })
        .end('Unauthorized: send Authorization: Bearer <HOOKPORT_METRICS_TOKEN>\n');
    }
    metrics.registry.metrics().then(
      (body) =>
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }).end(body),
      (err: unknown) => {
        options.logger.error({ err }, 'collecting metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Collecting metrics failed; see the log\n');
      },
    );
  });
  // A scraper keeps its connection open between scrapes; a stop must not wait for it.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    port,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
