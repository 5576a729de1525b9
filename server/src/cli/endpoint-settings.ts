import type { CreateEndpoint, PayloadFilter } from '../../../sdk/src/index.ts';
import { jsonOption, wholeNumberOption } from './args.ts';
import { UsageError } from './io.ts';

// The per-endpoint delivery settings of `endpoint create` (docs/delivery.md, "Per-endpoint delivery
// settings"). Each flag is checked here for its shape only; the API checks the bounds (a timeout of 500 ms
// is a 422 it words itself), so the CLI never holds a second copy of them that could drift.

/** The flags this file reads, as parseArgs gives them. */
export interface SettingsFlags {
  filter?: string | undefined;
  'retry-schedule'?: string | undefined;
  'timeout-ms'?: string | undefined;
  ordering?: string | undefined;
  'rate-limit'?: string | undefined;
  header?: string[] | undefined;
}

export const settingsOptions = {
  filter: { type: 'string' },
  'retry-schedule': { type: 'string' },
  'timeout-ms': { type: 'string' },
  ordering: { type: 'string' },
  'rate-limit': { type: 'string' },
  header: { type: 'string', multiple: true },
} as const;

type CustomHeaders = NonNullable<CreateEndpoint['headers']>;
type Settings = Pick<CreateEndpoint, 'filter' | 'retrySchedule' | 'timeoutMs' | 'ordering' | 'rateLimit' | 'headers'>;

/** `--filter '<json>'`: a JSON object, the payload filter. */
export function filterOption(value: string): PayloadFilter {
  const filter = jsonOption('filter', value);
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new UsageError('--filter must be a JSON object, e.g. \'{"data.tier":{"$in":["gold"]}}\'.');
  }
  return filter as PayloadFilter;
}

/** `--retry-schedule 5,30,300`: seconds before each retry; `none` is the empty schedule (one attempt). */
export function retryScheduleOption(value: string): number[] {
  if (value.trim() === 'none') return [];
  const steps = value.split(',').map((s) => s.trim());
  if (!steps.every((s) => /^\d+$/.test(s))) {
    throw new UsageError('--retry-schedule must be whole seconds separated by commas (e.g. 5,30,300), or none.');
  }
  return steps.map(Number);
}

/** `--ordering fifo|unordered`. */
export function orderingOption(value: string): NonNullable<CreateEndpoint['ordering']> {
  if (value === 'fifo' || value === 'unordered') return value;
  throw new UsageError(`--ordering must be fifo or unordered: "${value}".`);
}

/** Repeated `--header 'Name: value'` as the map the API takes; a name given twice is a mistake. */
export function headersOption(values: readonly string[]): CustomHeaders {
  const headers: CustomHeaders = {};
  for (const line of values) {
    const match = /^([^:\s]+)\s*:\s?(.*)$/s.exec(line);
    const name = match?.[1];
    if (!match || name === undefined) {
      throw new UsageError(`--header must be "Name: value": "${line}".`);
    }
    if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) {
      throw new UsageError(`--header ${name} is given twice.`);
    }
    headers[name] = match[2] ?? '';
  }
  return headers;
}

/** The settings the flags ask for; the flags left out are left out of the request (the API's defaults). */
export function settingsOf(flags: SettingsFlags): Settings {
  const settings: Settings = {};
  if (flags.filter !== undefined) settings.filter = filterOption(flags.filter);
  if (flags['retry-schedule'] !== undefined) settings.retrySchedule = retryScheduleOption(flags['retry-schedule']);
  if (flags['timeout-ms'] !== undefined) settings.timeoutMs = wholeNumberOption('timeout-ms', flags['timeout-ms']);
  if (flags.ordering !== undefined) settings.ordering = orderingOption(flags.ordering);
  if (flags['rate-limit'] !== undefined) settings.rateLimit = wholeNumberOption('rate-limit', flags['rate-limit']);
  if (flags.header !== undefined && flags.header.length > 0) settings.headers = headersOption(flags.header);
  return settings;
}
