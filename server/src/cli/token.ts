import { scopes } from '@hookport/spec';
import type { Scope } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, listOption, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { adminClient } from './connection.ts';
import { UsageError } from './io.ts';
import { printResult } from './output.ts';

/**
 * What a token gets when --scopes is not given: everything the quick start
 * does with it (event types and endpoints, publishing, reading deliveries),
 * short of the `*` wildcard and of deliveries:write (redeliver).
 */
export const defaultScopes: Scope[] = ['endpoints:write', 'events:publish', 'deliveries:read'];

/** The scopes the API knows, from the contract itself. */
const knownScopes: readonly string[] = scopes;

const options = {
  ...apiOptions,
  tenant: { type: 'string' },
  scopes: { type: 'string' },
  name: { type: 'string' },
} as const;

export function parseScopes(value: string | undefined): Scope[] {
  const given = listOption(value);
  if (given === undefined) return defaultScopes;
  const unknown = given.find((s) => !knownScopes.includes(s));
  if (unknown !== undefined)
    throw new UsageError(`--scopes: unknown scope "${unknown}" (known: ${knownScopes.join(', ')}).`);
  if (given.length === 0) throw new UsageError('--scopes must name at least one scope.');
  return given as Scope[];
}

export const tokenCreate: Command = {
  name: 'token create',
  summary: 'Create an API token for a tenant (admin token); prints the token once',
  help: `Usage: hookport token create --tenant <tnt_…> [options]

Creates an API token for a tenant. The token is shown only in this answer.
Uses the admin token, found as for hookport tenant create.

Options:
  --tenant <id>      The tenant (required)
  --scopes <a,b>     Default: ${defaultScopes.join(',')} (creating event types
                     and endpoints, publishing, reading deliveries). Known:
                     ${knownScopes.join(', ')}
  --name <name>      A name to recognise it by (default: cli)
${apiOptionsHelp}
  With -q the token itself is printed, not its id.

Example:
  export HOOKPORT_TOKEN=$(hookport token create --tenant "$TENANT" -q)`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, options);
    if (!values.tenant) throw new UsageError('--tenant is required.');
    const scopes = parseScopes(values.scopes);
    const created = await adminClient(values, io).tokens.create(values.tenant, { name: values.name ?? 'cli', scopes });
    return printResult(io, values, created, created.token, () => [
      `Created token ${created.id} for ${values.tenant} with scopes ${created.scopes.join(', ')}`,
      `Token (shown only now): ${created.token}`,
    ]);
  },
};
