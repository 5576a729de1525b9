import type { CreateEventType } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, jsonOption, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { tenantClient } from './connection.ts';
import { printResult } from './output.ts';

const options = { ...apiOptions, schema: { type: 'string' }, description: { type: 'string' } } as const;

export const eventTypeCreate: Command = {
  name: 'event-type create',
  summary: 'Create an event type, optionally with a JSON Schema for its data',
  help: `Usage: hookport event-type create <name> [options]

Creates an event type (e.g. order.created). Publishing needs the type to exist.

Options:
  --schema <json>        A JSON Schema the events' data must satisfy
  --description <text>   What the event means
${apiOptionsHelp}

Example:
  hookport event-type create order.created --schema '{"type":"object","required":["id"]}'`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, options, { min: 1, max: 1, names: 'the event type name' });
    const schema =
      values.schema === undefined ? undefined : (jsonOption('schema', values.schema) as CreateEventType['schema']);
    const created = await tenantClient(values, io).eventTypes.create({
      name: positionals[0] ?? '',
      ...(schema === undefined ? {} : { schema }),
      ...(values.description === undefined ? {} : { description: values.description }),
    });
    return printResult(io, values, created, created.name, () => [`Created event type ${created.name}`]);
  },
};
