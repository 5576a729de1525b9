import ipaddr from 'ipaddr.js';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { serveApp } from '../http/node-server.ts';
import { createLogger } from '../logger.ts';
import { type MetricsServer, serveMetrics } from '../metrics/server.ts';
import { type Hookport, openHookport, type Role } from '../runtime.ts';
import { assertCanListen, describeListenError } from '../startup/port.ts';
import { StartupError } from '../startup/startup-error.ts';
import { parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import type { CliIo } from './io.ts';
import { warnUnknownVariables } from './warnings.ts';

function parseRole(value: string | undefined): Role {
  const role = value ?? 'all';
  if (role === 'all' || role === 'api' || role === 'worker') return role;
  throw new ConfigError(`--role must be all, api or worker (got ${role})`);
}

/** The loopback addresses `serve --dev` lets endpoints target; `localhost` stands for both. */
export const devLoopback = ['127.0.0.1', '::1'] as const;

/**
 * `--dev`: endpoints may target this machine's loopback addresses (127.0.0.1,
 * ::1, and localhost, which stands for both), for this process only, so a
 * receiver such as `hookport listen` gets the webhooks. The allowlist is
 * otherwise the operator's, and nothing else opens loopback.
 */
export function withDevEgress(config: Config): Config {
  const loopback = devLoopback.map((a): [ipaddr.IPv4 | ipaddr.IPv6, number] => {
    const addr = ipaddr.parse(a);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  });
  return { ...config, egressAllowlist: [...config.egressAllowlist, ...loopback] };
}

export const devWarning =
  'Development mode (--dev): endpoints may target 127.0.0.1, ::1 and localhost on this machine. Never use it in production.';

function banner(hp: Hookport, address: string, port: number): string {
  const { config, secrets } = hp;
  const base = config.publicUrl ?? `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const lines = [
    `Hookport is listening on ${base}`,
    `  Console:       ${base}/console`,
    `  API reference: ${base}/docs`,
    `  OpenAPI:       ${base}/openapi.json`,
    `  Database:      ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`}`,
  ];
  if (secrets.newAdminToken) {
    lines.push(
      `  Admin token:   ${secrets.newAdminToken}  (shown once; kept in ${secrets.adminTokenFile ?? 'memory only'})`,
    );
  } else if (secrets.adminTokenFile) {
    lines.push(`  Admin token:   in ${secrets.adminTokenFile}`);
  } else if (!secrets.adminToken) {
    lines.push('  Admin token:   not set (HOOKPORT_ADMIN_TOKEN); tenant management is off');
  } else {
    lines.push('  Admin token:   HOOKPORT_ADMIN_TOKEN');
  }
  return `${lines.join('\n')}\n`;
}

/** Runs until SIGINT or SIGTERM, then stops gracefully and exits the process. */
export async function serveCommand(role: Role, options: { dev: boolean }, io: CliIo) {
  warnUnknownVariables(io);
  const loaded = loadConfig(io.env);
  const config = options.dev ? withDevEgress(loaded) : loaded;
  const logger = createLogger(config.logLevel);
  if (options.dev) {
    io.err(`${devWarning}\n`);
    logger.warn({ allowed: devLoopback }, 'development mode: loopback targets allowed');
  }
  // A taken port stops the start before migrations and the queue, not after.
  if (role !== 'worker') await assertCanListen(config.host, config.port);
  if (config.metricsPort !== undefined) await assertCanListen(config.host, config.metricsPort, 'HOOKPORT_METRICS_PORT');
  const hp = await openHookport(config, logger, role);
  let metricsServer: MetricsServer | null = null;
  if (config.metricsPort !== undefined) {
    try {
      metricsServer = await serveMetrics(hp.metrics, {
        host: config.host,
        port: config.metricsPort,
        token: config.metricsToken,
        logger,
      });
    } catch (err) {
      // Taken between the check and here: the same one line as the check's.
      await hp.close();
      const line = describeListenError(err, config.host, config.metricsPort, 'HOOKPORT_METRICS_PORT');
      throw line ? new StartupError(line) : err;
    }
    const { address, port } = metricsServer;
    io.out(`Metrics are served on http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics\n`);
  }
  const server =
    role === 'worker'
      ? null
      : serveApp({ fetch: hp.app.fetch, port: config.port, hostname: config.host }, (info) => {
          io.out(banner(hp, info.address, info.port));
        });
  // The port taken between the check and here: the same one line, not an unhandled 'error' event.
  server?.once('error', (err) => {
    io.err(`hookport: ${describeListenError(err, config.host, config.port) ?? err.message}\n`);
    void hp.close().finally(() => process.exit(1));
  });
  if (role === 'worker') io.out('Hookport worker is running\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests or jobs, finishing what is in flight');
    server?.close();
    try {
      await metricsServer?.close();
      // Bounded by HOOKPORT_SHUTDOWN_SECONDS; attempts still running then are handed back to the queue.
      await hp.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

const serveOptions = { role: { type: 'string' }, dev: { type: 'boolean' } } as const;

export const serveCmd: Command = {
  name: 'serve',
  summary: 'Run the API and the delivery worker (or one of them)',
  help: `Usage: hookport serve [--role all|api|worker] [--dev]

Runs Hookport: the API and the delivery worker in one process (all, the
default), or one of them. Configuration comes from the environment (see the
README); without DATABASE_URL the database is embedded in HOOKPORT_DATA_DIR.

Options:
  --role <role>   all (default), api or worker
  --dev           Let endpoints target 127.0.0.1, ::1 and localhost (a local
                  receiver such as hookport listen), for this process only.
                  Prints a warning at start; never use it in production`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, serveOptions);
    await serveCommand(parseRole(values.role), { dev: values.dev === true }, io);
    return 0;
  },
};

export const workerCmd: Command = {
  name: 'worker',
  summary: 'The same as serve --role worker',
  help: `Usage: hookport worker [--dev]

Runs the delivery worker alone: the same as hookport serve --role worker.

Options:
  --dev   Let endpoints target 127.0.0.1, ::1 and localhost (see hookport serve --help)`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { dev: { type: 'boolean' } });
    await serveCommand('worker', { dev: values.dev === true }, io);
    return 0;
  },
};
