import { apiOptions, listOption, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { tenantClient } from './connection.ts';
import { settingsOf, settingsOptions } from './endpoint-settings.ts';
import { UsageError } from './io.ts';
import { printResult } from './output.ts';

const options = {
  ...apiOptions,
  url: { type: 'string' },
  events: { type: 'string' },
  name: { type: 'string' },
  secret: { type: 'string' },
  'api-url': { type: 'string' },
  ...settingsOptions,
} as const;

export const endpointCreate: Command = {
  name: 'endpoint create',
  summary: 'Create an endpoint; prints its signing secret once',
  help: `Usage: hookport endpoint create --url <url> [options]

Creates an endpoint that receives the events it subscribes to. Its signing
secret is shown only in this answer: keep it for hookport listen --secret.

Options:
  --url <url>        Where to deliver (required). http://localhost:… and other
                     loopback targets need hookport serve --dev
  --events <a,b>     Event types to subscribe to: names, "prefix.*" or "*" (default: *)
  --name <name>      A name to recognise it by
  --secret <whsec_…> Bring your own signing secret (generated when absent)

Delivery settings (docs/delivery.md; the API checks their bounds):
  --filter <json>            Payload filter: only matching events are delivered,
                             e.g. '{"data.tier":{"$in":["gold","platinum"]}}'
  --retry-schedule <s,s,…>   Seconds before each retry (1 to 86400, at most 20),
                             e.g. 5,30,300; none: one attempt, no retry
                             (default: the profile's schedule)
  --timeout-ms <n>           Each attempt's deadline, 1000 to 60000 ms
  --ordering <fifo|unordered>  fifo: one at a time in publish order (default unordered)
  --rate-limit <n>           At most n requests per second to this endpoint
  --header <'Name: value'>   A header sent with every delivery; repeat for more
                             (stored encrypted, masked on read)

Connection and output:
  --api-url <url>    Hookport's address (env HOOKPORT_URL, default http://127.0.0.1:8080)
  --token <token>    The API token (env HOOKPORT_TOKEN)
  --json             Print the API's answer as JSON
  -q, --quiet        Print only the id, for $(…) capture
  --field <name>     Print only this field of the API's answer (e.g. --field secret)

Example:
  SECRET=$(hookport endpoint create --url http://localhost:9000 --events 'order.*' --field secret)
  hookport endpoint create --url https://example.com/hooks --retry-schedule 5,30,300 \\
    --timeout-ms 5000 --ordering fifo --header 'Authorization: Bearer s3cr3t'`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, options);
    if (!values.url) throw new UsageError('--url is required: where the endpoint receives webhooks.');
    const client = tenantClient({ url: values['api-url'], token: values.token }, io);
    const created = await client.endpoints.create({
      url: values.url,
      eventTypes: listOption(values.events) ?? ['*'],
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.secret === undefined ? {} : { secret: values.secret }),
      ...settingsOf(values),
    });
    return printResult(io, values, created, created.id, () => [
      `Created endpoint ${created.id} → ${created.url} (events: ${created.eventTypes.join(', ')})`,
      `Signing secret (shown only now): ${created.secret}`,
    ]);
  },
};
