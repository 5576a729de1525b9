import type { CreateTenant } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, listOption, parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { adminClient } from './connection.ts';
import { printResult } from './output.ts';

const options = { ...apiOptions, presets: { type: 'string' } } as const;

export const tenantCreate: Command = {
  name: 'tenant create',
  summary: 'Create a tenant (admin token)',
  help: `Usage: hookport tenant create <name> [options]

Creates a tenant: an isolated set of event types, endpoints, events and tokens.
Uses the admin token: --token, else HOOKPORT_ADMIN_TOKEN, else the file
<HOOKPORT_DATA_DIR or .hookport>/admin-token that hookport serve writes.

Options:
  --presets <a,b>    Vendor event catalogues to load (spedy, helpdesk, tsanet, rapidly, xpath)
${apiOptionsHelp}

Example:
  TENANT=$(hookport tenant create "Acme" -q)`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, options, { min: 1, max: 1, names: 'the tenant name' });
    const presets = listOption(values.presets) as CreateTenant['presets'];
    const tenant = await adminClient(values, io).tenants.create({
      name: positionals[0] ?? '',
      ...(presets ? { presets } : {}),
    });
    return printResult(io, values, tenant, tenant.id, () => [`Created tenant ${tenant.id} (${tenant.name})`]);
  },
};
