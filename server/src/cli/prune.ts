import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { retentionRun } from '../retention/job.ts';
import { defaultBatchSize } from '../retention/prune.ts';
import { openDatabase } from '../runtime.ts';
import { durationOption, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { UsageError } from './io.ts';
import { warnUnknownVariables } from './warnings.ts';

export const pruneCmd: Command = {
  name: 'prune',
  summary: 'Delete old finished events and old statistics rollups, and exit',
  help: `Usage: hookport prune [--older-than <duration>] [--batch-size <n>]

Deletes the events whose deliveries have all finished (succeeded, failed or
skipped), with their deliveries and attempts, directly in the database (like
migrate), and the statistics rollups of the same window (a row per endpoint,
event type and minute), then prints what it removed. A delivery still pending
or held is never deleted, and neither is its event. The worker does the same
hourly.

Options:
  --older-than <d>   Every tenant's events older than this: 0s, 90m, 12h, 30d.
                     Without it, each tenant's window (its retentionDays, else
                     HOOKPORT_RETENTION_DAYS).
  --batch-size <n>   Events (or rollup rows) deleted per transaction
                     (default ${defaultBatchSize})

Example:
  hookport prune --older-than 90d`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      'older-than': { type: 'string' },
      'batch-size': { type: 'string' },
    });
    const olderThan = values['older-than'];
    const age = olderThan === undefined ? undefined : durationOption('older-than', olderThan);
    const batchText = values['batch-size'];
    const batchSize = batchText === undefined ? defaultBatchSize : Number(batchText);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000 || !/^\d+$/.test(batchText ?? '1')) {
      throw new UsageError('--batch-size must be a whole number, 1 to 100000.');
    }
    warnUnknownVariables(io);
    const config = loadConfig(io.env);
    const db = await openDatabase(config, (line) => io.err(`hookport: ${line}\n`));
    try {
      // The columns it reads (tenants.retention_days) may be newer than the database: as serve does.
      await migrate(db);
      const removed = await retentionRun(
        db,
        age === undefined ? { defaultDays: config.retentionDays } : { olderThanSeconds: age },
        { batchSize, jobs: false },
      );
      io.out(
        `Deleted ${removed.events} events, ${removed.deliveries} deliveries, ${removed.attempts} attempts, ` +
          `${removed.rollups} statistics rollup rows.\n`,
      );
      if (removed.vacuumed.length > 0) {
        io.out(`Vacuumed ${removed.vacuumed.join(', ')}: autovacuum does not run on this database.\n`);
      }
    } finally {
      await db.close();
    }
    return 0;
  },
};
