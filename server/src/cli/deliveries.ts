import { setTimeout as delay } from 'node:timers/promises';
import type { Delivery, DeliveryWithAttempts, Event, Hookport } from '../../../sdk/src/index.ts';
import { HookportError } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { tenantClient } from './connection.ts';
import { CliError, UsageError } from './io.ts';

const options = { ...apiOptions, wait: { type: 'boolean' }, 'wait-seconds': { type: 'string' } } as const;

async function deliveriesOf(client: Hookport, eventId: string): Promise<DeliveryWithAttempts[]> {
  const list: Delivery[] = [];
  for await (const d of client.deliveries.list({ eventId, limit: 100 })) list.push(d);
  return Promise.all(list.map((d) => client.deliveries.get(d.id)));
}

/** Endpoint URLs by id; a token without endpoints:read still sees the deliveries, with ids alone. */
async function endpointUrls(client: Hookport, ids: string[]): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const id of new Set(ids)) {
    try {
      urls.set(id, (await client.endpoints.get(id)).url);
    } catch (err) {
      if (!(err instanceof HookportError && (err.status === 403 || err.status === 404))) throw err;
    }
  }
  return urls;
}

export function describeDeliveries(
  event: Pick<Event, 'id' | 'type'>,
  deliveries: DeliveryWithAttempts[],
  urls: ReadonlyMap<string, string>,
): string[] {
  const eventId = `${event.id} (${event.type})`;
  if (deliveries.length === 0)
    return [`${eventId} has no deliveries: no endpoint subscribed to its type when it was published.`];
  const lines = [`${eventId} went to ${deliveries.length === 1 ? '1 endpoint' : `${deliveries.length} endpoints`}:`];
  for (const d of deliveries) {
    const url = urls.get(d.endpointId);
    const attempts = d.attempts.length === 1 ? '1 attempt' : `${d.attempts.length} attempts`;
    const next = d.status === 'pending' && d.nextAttemptAt ? `, next at ${d.nextAttemptAt}` : '';
    lines.push(`  ${d.id}  ${d.status}  ${d.endpointId}${url ? ` ${url}` : ''}  (${attempts}${next})`);
    for (const a of d.attempts) {
      const outcome = a.httpStatus !== null ? `HTTP ${a.httpStatus}` : (a.errorKind ?? 'error');
      const why = a.errorMessage ? `: ${a.errorMessage}` : '';
      lines.push(`    #${a.number}  ${a.startedAt}  ${outcome}${why}  ${a.durationMs} ms`);
    }
  }
  return lines;
}

export const deliveries: Command = {
  name: 'deliveries',
  summary: 'Where did my event go: its deliveries, their endpoints, status and attempts',
  help: `Usage: hookport deliveries <evt_…> [options]

Lists the deliveries of one event (one per endpoint subscribed to its type),
each with its endpoint, its status and every attempt made so far.
Needs a token with deliveries:read (endpoints:read adds the endpoints' URLs).

Options:
  --wait                  Wait until no delivery is pending (each succeeded, failed, or
                          was skipped or held for a disabled or paused endpoint)
  --wait-seconds <n>      How long --wait waits before it gives up with exit code 1 (default 30)
${apiOptionsHelp.replace('Print only the id', 'Print only the delivery ids')}

Example:
  hookport deliveries "$EVENT" --wait

See also: hookport deliveries replay (send a window's deliveries again),
hookport deliveries skip <dlv_…> (skip a pending or held one).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, options, { min: 1, max: 1, names: 'the event id (evt_…)' });
    const eventId = positionals[0] ?? '';
    if (values.field !== undefined) throw new UsageError('--field is for the create commands; use --json here.');
    const waitSeconds = Number(values['wait-seconds'] ?? '30');
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0)
      throw new UsageError('--wait-seconds must be a number of seconds.');
    const client = tenantClient(values, io);
    // A 404 here says the event does not exist; an empty list would not.
    const event = await client.events.get(eventId);
    const deadline = Date.now() + waitSeconds * 1000;
    let found = await deliveriesOf(client, eventId);
    // Polling is the API's way to learn of progress; a quarter second keeps the wait short and the load light.
    // Held deliveries wait for their paused endpoint, not for time: only pending ones are worth waiting for.
    while (values.wait && found.some((d) => d.status === 'pending')) {
      if (Date.now() > deadline) {
        throw new CliError(
          `${eventId}: deliveries still pending after ${waitSeconds} s (hookport deliveries ${eventId} shows them).`,
        );
      }
      await delay(250, undefined, io.signal ? { signal: io.signal } : {});
      found = await deliveriesOf(client, eventId);
    }
    if (values.json) io.out(`${JSON.stringify(found, null, 2)}\n`);
    else if (values.quiet) io.out(found.map((d) => `${d.id}\n`).join(''));
    else
      io.out(
        `${describeDeliveries(
          event,
          found,
          await endpointUrls(
            client,
            found.map((d) => d.endpointId),
          ),
        ).join('\n')}\n`,
      );
    return 0;
  },
};
