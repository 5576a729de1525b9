import type { BulkReplay, BulkReplayResult } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, parseCommandArgs, timeOption } from './args.ts';
import type { Command } from './command.ts';
import { tenantClient } from './connection.ts';
import { UsageError } from './io.ts';
import { printResult } from './output.ts';

// The commands that act on deliveries (scope deliveries:write): `deliveries replay` and `deliveries skip`.
// They are two-word commands, which the dispatcher looks up before the one-word `deliveries <evt_…>`, so
// an event id is never taken for them (ids start with evt_).

const replayOptions = {
  ...apiOptions,
  since: { type: 'string' },
  until: { type: 'string' },
  endpoint: { type: 'string' },
  'event-type': { type: 'string' },
  status: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'idempotency-key': { type: 'string' },
} as const;

const replayStatuses = ['failed', 'succeeded', 'skipped'] as const;

function statusOption(value: string): NonNullable<BulkReplay['status']> {
  const status = replayStatuses.find((s) => s === value);
  if (status === undefined) {
    throw new UsageError(
      `--status must be failed, succeeded or skipped (only finished deliveries replay): "${value}".`,
    );
  }
  return status;
}

interface ReplayFlags {
  since?: string | undefined;
  until?: string | undefined;
  endpoint?: string | undefined;
  'event-type'?: string | undefined;
  status?: string | undefined;
  'dry-run'?: boolean | undefined;
}

/** The request body the flags ask for; `--until` defaults to now, the API requiring one. */
export function replayBody(flags: ReplayFlags, now: Date): BulkReplay {
  if (flags.since === undefined) throw new UsageError('--since is required: the start of the window to replay.');
  return {
    since: timeOption('since', flags.since, now),
    until: flags.until === undefined ? now.toISOString() : timeOption('until', flags.until, now),
    ...(flags.endpoint === undefined ? {} : { endpointId: flags.endpoint }),
    ...(flags['event-type'] === undefined ? {} : { eventType: flags['event-type'] }),
    ...(flags.status === undefined ? {} : { status: statusOption(flags.status) }),
    ...(flags['dry-run'] ? { dryRun: true } : {}),
  };
}

export function describeReplay(result: BulkReplayResult): string {
  const counts = `matched ${result.matched}, queued ${result.queued}, skipped ${result.skipped}`;
  if (!result.dryRun) return `Replayed: ${counts}`;
  return `Dry run: ${counts}; a replay would queue ${result.matched - result.skipped}`;
}

export const deliveriesReplay: Command = {
  name: 'deliveries replay',
  summary: 'Send again the finished deliveries of a time window (or count them with --dry-run)',
  help: `Usage: hookport deliveries replay --since <time> [options]

Queues again, as a new attempt with the same webhook-id, every finished delivery
(failed, succeeded or skipped) created in [--since, --until), optionally of one
endpoint, event type or status: after a receiver's outage, or a bug that
acknowledged and dropped events. Prints how many deliveries matched, how many
were queued, and how many could not be (event content expunged, endpoint paused
or disabled). Needs a token with deliveries:write. See docs/delivery.md, "Bulk replay".

Options:
  --since <time>            Start of the window (required): an ISO 8601 time
                            (2026-12-07T08:00:00Z) or a duration ago (90m, 1h, 2d);
                            no earlier than the tenant's retention window
  --until <time>            End of the window, exclusive (default: now)
  --endpoint <ep_…>         Only the deliveries to this endpoint
  --event-type <type>       Only the deliveries of this event type (exact name)
  --status <status>         Only failed, succeeded or skipped ones (default: all three;
                            --status failed resends only what failed)
  --dry-run                 Count only: nothing is queued
  --idempotency-key <key>   Repeating the same key and filters within 24 h answers the
                            first result and queues nothing again
${apiOptionsHelp.replace('Print only the id, for $(…) capture', 'Print only the number queued (dry run: that would be)')}

Example:
  hookport deliveries replay --since 2h --status failed --endpoint "$ENDPOINT" --dry-run
  hookport deliveries replay --since 2h --status failed --endpoint "$ENDPOINT"`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, replayOptions);
    const body = replayBody(values, new Date());
    const key = values['idempotency-key'];
    const result = await tenantClient(values, io).deliveries.replay(
      body,
      key === undefined ? {} : { idempotencyKey: key },
    );
    const queued = result.dryRun ? result.matched - result.skipped : result.queued;
    return printResult(io, values, result, String(queued), () => [describeReplay(result)]);
  },
};

export const deliveriesSkip: Command = {
  name: 'deliveries skip',
  summary: 'Skip a pending or held delivery (unblocks a fifo endpoint)',
  help: `Usage: hookport deliveries skip <dlv_…> [options]

Marks a pending or held delivery skipped: it is not sent (unless redelivered or
recovered later). On a fifo endpoint the next delivery in publish order is then
released, which is how a receiver blocked by one event is unblocked. An attempt
already under way is not cut off. A delivery that is not pending or held is a
409. Needs a token with deliveries:write.

Options:
${apiOptionsHelp}

Example:
  hookport deliveries skip dlv_01jbz8c1x9f8r5m6w0q2v3t4yz`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, apiOptions, {
      min: 1,
      max: 1,
      names: 'the delivery id (dlv_…)',
    });
    const delivery = await tenantClient(values, io).deliveries.skip(positionals[0] ?? '');
    return printResult(io, values, delivery, delivery.id, () => [
      `Skipped ${delivery.id} (to ${delivery.endpointId}): it is not sent unless redelivered`,
    ]);
  },
};
