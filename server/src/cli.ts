import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.ts';
import { SecretKeyMismatchError } from './core/core.ts';
import { migrate } from './db/migrate.ts';
import { createLogger } from './logger.ts';
import { type Hookport, openDatabase, openHookport, type Role } from './runtime.ts';
import { assertCanListen, describeListenError } from './startup/port.ts';
import { StartupError } from './startup/startup-error.ts';
import { unknownVariableWarnings } from './startup/unknown-variables.ts';

const usage = `Usage: hookport <command> [options]

Commands:
  serve [--role all|api|worker]   Run the API and the delivery worker (all, the default), or one of them
  worker                          The same as serve --role worker
  migrate                         Apply database migrations and exit

Configuration comes from the environment; see the README.`;

function parseRole(args: string[]): Role {
  const i = args.indexOf('--role');
  const value = i >= 0 ? args[i + 1] : 'all';
  if (value === 'all' || value === 'api' || value === 'worker') return value;
  throw new ConfigError(`--role must be all, api or worker (got ${value ?? 'nothing'})`);
}

function banner(hp: Hookport, address: string, port: number): string {
  const { config, secrets } = hp;
  const base = config.publicUrl ?? `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const lines = [
    `Hookport is listening on ${base}`,
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

/** A misspelt HOOKPORT_* variable is otherwise silently ignored: one warning line each, before anything else. */
function warnUnknownVariables() {
  for (const line of unknownVariableWarnings(process.env)) process.stderr.write(`hookport: warning: ${line}\n`);
}

async function serveCommand(role: Role) {
  warnUnknownVariables();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // A taken port stops the start before migrations and the queue, not after.
  if (role !== 'worker') await assertCanListen(config.host, config.port);
  const hp = await openHookport(config, logger, role);
  const server =
    role === 'worker'
      ? null
      : serve({ fetch: hp.app.fetch, port: config.port, hostname: config.host }, (info) => {
          process.stdout.write(banner(hp, info.address, info.port));
        });
  // The port taken between the check and here: the same one line, not an unhandled 'error' event.
  server?.once('error', (err) => {
    process.stderr.write(`hookport: ${describeListenError(err, config.host, config.port) ?? err.message}\n`);
    void hp.close().finally(() => process.exit(1));
  });
  if (role === 'worker') process.stdout.write('Hookport worker is running\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests or jobs, finishing what is in flight');
    server?.close();
    try {
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

async function migrateCommand() {
  warnUnknownVariables();
  const config = loadConfig();
  const db = await openDatabase(config, (line) => process.stderr.write(`hookport: ${line}\n`));
  try {
    const applied = await migrate(db);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Nothing to apply.\n');
  } finally {
    await db.close();
  }
}

async function main(argv: string[]) {
  const [command] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(parseRole(argv.slice(1)));
    case 'worker':
      return serveCommand('worker');
    case 'migrate':
      return migrateCommand();
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${usage}\n`);
      return;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${usage}\n`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof SecretKeyMismatchError || err instanceof StartupError) {
    process.stderr.write(`hookport: ${err.message}\n`);
  } else {
    process.stderr.write(`hookport: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
