import type { EventData } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, jsonOption, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { tenantClient } from './connection.ts';
import { UsageError } from './io.ts';
import { printResult } from './output.ts';

const options = { ...apiOptions, data: { type: 'string' }, 'idempotency-key': { type: 'string' } } as const;

export const send: Command = {
  name: 'send',
  summary: 'Publish an event to every endpoint subscribed to its type',
  help: `Usage: hookport send <type> [--data '<json>'] [options]

Publishes an event; Hookport delivers it to every endpoint subscribed to its
type. Prints the event id: hookport deliveries <id> shows where it went.

Options:
  --data <json>             The event's data, a JSON object (default: {})
  --idempotency-key <key>   Repeating the same key and data returns the first event
${apiOptionsHelp}

Example:
  EVENT=$(hookport send order.created --data '{"id":"1001"}' -q)`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, options, { min: 1, max: 1, names: 'the event type' });
    const data = jsonOption('data', values.data ?? '{}');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new UsageError('--data must be a JSON object, e.g. \'{"id":"1001"}\'.');
    }
    const key = values['idempotency-key'];
    const event = await tenantClient(values, io).events.publish(
      { type: positionals[0] ?? '', data: data as EventData },
      key === undefined ? {} : { idempotencyKey: key },
    );
    const endpoints = event.deliveryCount === 1 ? '1 endpoint' : `${event.deliveryCount} endpoints`;
    return printResult(io, values, event, event.id, () => [
      `Published ${event.id} (${event.type}) to ${endpoints}`,
      ...(event.deliveryCount === 0 ? ['No endpoint subscribes to this type: nothing will be delivered.'] : []),
    ]);
  },
};
