import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.ts';
import { SecretKeyMismatchError } from './core/core.ts';
import { migrate } from './db/migrate.ts';
import { createLogger } from './logger.ts';
import { openDatabase, openHookport } from './runtime.ts';

const usage = `Usage: hookport <command>

Commands:
  serve     Run the API (and, once the delivery engine lands, the worker)
  migrate   Apply database migrations and exit

Configuration comes from the environment; see the README.`;

async function serveCommand() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const hp = await openHookport(config, logger);
  const server = serve({ fetch: hp.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const base =
      config.publicUrl ?? `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    const lines = [
      `Hookport is listening on ${base}`,
      `  API reference: ${base}/docs`,
      `  OpenAPI:       ${base}/openapi.json`,
      `  Database:      ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`}`,
    ];
    if (hp.secrets.newAdminToken) {
      lines.push(
        `  Admin token:   ${hp.secrets.newAdminToken}  (shown once; kept in ${hp.secrets.adminTokenFile ?? 'memory only'})`,
      );
    } else if (hp.secrets.adminTokenFile) {
      lines.push(`  Admin token:   in ${hp.secrets.adminTokenFile}`);
    } else if (!hp.secrets.adminToken) {
      lines.push('  Admin token:   not set (HOOKPORT_ADMIN_TOKEN); tenant management is off');
    } else {
      lines.push('  Admin token:   HOOKPORT_ADMIN_TOKEN');
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      hp.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function migrateCommand() {
  const config = loadConfig();
  const db = await openDatabase(config);
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
      return serveCommand();
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
  if (err instanceof ConfigError || err instanceof SecretKeyMismatchError) {
    process.stderr.write(`hookport: ${err.message}\n`);
  } else {
    process.stderr.write(`hookport: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
