import { hostname } from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Logger } from 'pino';
import type { Cidr, Config } from '../config.ts';
import type { Queryable } from '../db/database.ts';
import { StartupError } from './startup-error.ts';

/**
 * The settings whose disagreement between processes silently changes delivery, by the variable that
 * sets them, as text. An API validates endpoint URLs against its allowlist while the worker sends
 * through its own; the schedule, timeout and disable thresholds are the workers'; the per-endpoint cap
 * is enforced across every worker at once (a worker with a higher one lets an endpoint past the
 * lower). What each process may size for itself (worker concurrency, shutdown time) is not here.
 */
export type DeliverySettings = Record<string, string>;

/** Shown for a variable left unset, whose default applies. */
const unset = '(default)';

/** A range as its network address and length: 127.0.0.1/8 is 127.0.0.0/8. */
function rangeText([addr, bits]: Cidr): string {
  const text = `${addr.toString()}/${bits}`;
  const network =
    addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return `${network.toString()}/${bits}`;
}

export function deliverySettingsOf(config: Config): DeliverySettings {
  return {
    // Sorted and normalised, so the same ranges in another order or spelling are the same setting.
    // `serve --dev` (loopback targets) is part of this: it widens the allowlist the Sender uses.
    HOOKPORT_EGRESS_ALLOWLIST: [...new Set(config.egressAllowlist.map(rangeText))].sort().join(','),
    HOOKPORT_RETRY_SCHEDULE: config.retrySchedule?.join(',') ?? unset,
    HOOKPORT_DELIVERY_TIMEOUT_MS: String(config.deliveryTimeoutMs),
    HOOKPORT_ENDPOINT_CONCURRENCY: String(config.endpointConcurrency),
    HOOKPORT_DISABLE_AFTER_FAILURES: String(config.disableAfterFailures),
    HOOKPORT_DISABLE_AFTER_SECONDS: String(config.disableAfterSeconds),
  };
}

/**
 * The environment that gives another process the same delivery settings as `config`: each variable that
 * is set (an unset one keeps its default there too). What a test or a launcher passes to a worker it starts.
 */
export function deliveryEnvOf(config: Config): Record<string, string> {
  return Object.fromEntries(Object.entries(deliverySettingsOf(config)).filter(([, value]) => value !== unset));
}

/** One phrase per setting that differs: "HOOKPORT_X is a here, b in the API". */
export function settingDifferences(mine: DeliverySettings, recorded: DeliverySettings): string[] {
  const names = [...new Set([...Object.keys(mine), ...Object.keys(recorded)])].sort();
  const shown = (value: string | undefined) =>
    value === undefined ? '(not recorded)' : value === '' ? '(empty)' : value;
  return names
    .filter((name) => mine[name] !== recorded[name])
    .map((name) => `${name} is ${shown(mine[name])} here, ${shown(recorded[name])} in the API`);
}

interface Recorded {
  settings: DeliverySettings;
  recorded_by: string;
  recorded_at: Date | string;
}

async function readRecord(db: Queryable): Promise<Recorded | undefined> {
  const [row] = await db.query<Recorded>('select settings, recorded_by, recorded_at from delivery_settings');
  return row;
}

const whoAmI = () => `pid ${process.pid} on ${hostname()}`;

/**
 * At start, after migrations. An API (role api or all) records its settings, warning when they
 * replace different ones: workers started earlier keep the old ones until they restart. A worker
 * compares its own with the record and refuses to start when they differ (a StartupError naming each
 * difference); with no record yet (no API has started on this database) it warns and runs.
 */
export async function reconcileDeliverySettings(
  db: Queryable,
  config: Config,
  role: 'all' | 'api' | 'worker',
  logger: Logger,
): Promise<void> {
  const mine = deliverySettingsOf(config);
  const record = await readRecord(db);
  if (role === 'worker') {
    if (!record) {
      logger.warn('no API process has recorded its delivery settings in this database yet: start the API first');
      return;
    }
    const differences = settingDifferences(mine, record.settings);
    if (differences.length > 0) {
      throw new StartupError(
        `This worker's delivery settings differ from the API's (recorded by ${record.recorded_by} at ${new Date(record.recorded_at).toISOString()}): ` +
          `${differences.join('; ')}. Give every process the same values (docs/configuration.md), or restart the API with these.`,
      );
    }
    return;
  }
  const differences = record ? settingDifferences(mine, record.settings) : [];
  if (record && differences.length > 0) {
    logger.warn(
      { differences, previous: record.recorded_by },
      'delivery settings changed since the last API start: restart every worker with the same values (docs/configuration.md)',
    );
  }
  await db.query(
    `insert into delivery_settings (id, settings, recorded_by) values (true, $1::text::jsonb, $2)
     on conflict (id) do update set settings = excluded.settings, recorded_by = excluded.recorded_by, recorded_at = now()`,
    [JSON.stringify(mine), whoAmI()],
  );
}
