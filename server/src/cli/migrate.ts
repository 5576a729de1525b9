import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../runtime.ts';
import { parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { warnUnknownVariables } from './warnings.ts';

export const migrateCmd: Command = {
  name: 'migrate',
  summary: 'Apply database migrations and exit',
  help: `Usage: hookport migrate

Applies the database migrations that have not run yet, then exits. The
database is DATABASE_URL's, or the embedded one in HOOKPORT_DATA_DIR.`,
  async run(argv, io) {
    parseCommandArgs(argv, {});
    warnUnknownVariables(io);
    const db = await openDatabase(loadConfig(io.env), (line) => io.err(`hookport: ${line}\n`));
    try {
      const applied = await migrate(db);
      io.out(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Nothing to apply.\n');
    } finally {
      await db.close();
    }
    return 0;
  },
};
