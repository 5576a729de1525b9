import type { CreateTenant } from '../../../sdk/src/index.ts';
import { apiOptions, apiOptionsHelp, daysOption, listOption, parseCommandArgs, quotaOption } from './args.ts';
import type { Command } from './command.ts';
import { adminClient } from './connection.ts';
import { printResult } from './output.ts';

const options = {
  ...apiOptions,
  presets: { type: 'string' },
  'max-endpoints': { type: 'string' },
  'max-event-types': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-events-per-day': { type: 'string' },
  'retention-days': { type: 'string' },
} as const;

/** Each quota flag and the API's name for its kind. */
const quotaFlags = [
  ['max-endpoints', 'endpoints'],
  ['max-event-types', 'eventTypes'],
  ['max-tokens', 'tokens'],
  ['max-events-per-day', 'eventsPerDay'],
] as const;

type Quotas = NonNullable<CreateTenant['quotas']>;

/** The quota overrides the flags ask for, or undefined when none does (the server defaults apply). */
function quotasOf(values: Partial<Record<(typeof quotaFlags)[number][0], string>>): Quotas | undefined {
  const quotas: Quotas = {};
  for (const [flag, kind] of quotaFlags) {
    const value = values[flag];
    if (value !== undefined) quotas[kind] = quotaOption(flag, value);
  }
  return Object.keys(quotas).length > 0 ? quotas : undefined;
}

export const tenantCreate: Command = {
  name: 'tenant create',
  summary: 'Create a tenant (admin token)',
  help: `Usage: hookport tenant create <name> [options]

Creates a tenant: an isolated set of event types, endpoints, events and tokens.
Uses the admin token: --token, else HOOKPORT_ADMIN_TOKEN, else the file
<HOOKPORT_DATA_DIR or .hookport>/admin-token that hookport serve writes.

Options:
  --presets <a,b>    Vendor event catalogues to load (spedy, helpdesk, tsanet, rapidly, xpath)
  --max-endpoints <n|unlimited>       Quotas of this tenant, overriding the server's
  --max-event-types <n|unlimited>     HOOKPORT_MAX_* defaults (change them later with
  --max-tokens <n|unlimited>          PATCH /v1/tenants/{id})
  --max-events-per-day <n|unlimited>
  --retention-days <n>               Days its finished events are kept (default:
                                     HOOKPORT_RETENTION_DAYS)
${apiOptionsHelp}

Example:
  TENANT=$(hookport tenant create "Acme" -q)
  hookport tenant create "Trial" --max-endpoints 5 --max-events-per-day 10000 --retention-days 7`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, options, { min: 1, max: 1, names: 'the tenant name' });
    const presets = listOption(values.presets) as CreateTenant['presets'];
    const quotas = quotasOf(values);
    const retention = values['retention-days'];
    const tenant = await adminClient(values, io).tenants.create({
      name: positionals[0] ?? '',
      ...(presets ? { presets } : {}),
      ...(quotas ? { quotas } : {}),
      ...(retention === undefined ? {} : { retentionDays: daysOption('retention-days', retention) }),
    });
    return printResult(io, values, tenant, tenant.id, () => [`Created tenant ${tenant.id} (${tenant.name})`]);
  },
};
