import type { CorePort, DeliveryProfile, ProfileName, TenantLimits } from '@hookport/spec';
import type { Cidr } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import { createAttemptRequests } from './attempt-request.ts';
import { createAttempts } from './attempts.ts';
import { SecretBox } from './crypto.ts';
import { createDeliveries } from './deliveries.ts';
import { createEndpoints } from './endpoints.ts';
import { createDataGate } from './event-data.ts';
import { createEventTypes } from './event-types.ts';
import { createEvents } from './events.ts';
import { createPortalSessions } from './portal-sessions.ts';
import { createReplays } from './replay.ts';
import type { SchemaChecks } from './schema-checks.ts';
import { createStats } from './stats.ts';
import { createTenants } from './tenants.ts';
import { createTokens } from './tokens.ts';

export interface CoreOptions {
  db: Database;
  secretKey: Buffer;
  adminToken: string | undefined;
  egressAllowlist: readonly Cidr[];
  /** The delivery engine's store: events, their deliveries and jobs are written through it. */
  deliveryStore: DeliveryStore;
  /** The quotas of a tenant the admin gave none of its own (HOOKPORT_MAX_*). */
  quotas: TenantLimits;
  /** Days events are kept once their deliveries finished, for a tenant without its own (HOOKPORT_RETENTION_DAYS). */
  retentionDays: number;
  /** Tenants' schemas and events' data against them, checked off the main thread (schema-pool.ts). */
  schemaChecks: SchemaChecks;
  /** The delivery profiles (delivery/profiles.ts): a delivery read renders its attempts' requests with them. */
  profileOf: (name: ProfileName) => DeliveryProfile;
  /**
   * Told how many new events each committed publish stored (one, or a batch's; replays are not new):
   * the process's metrics. Here rather than around the port, so every way into publish counts.
   */
  onPublished?: (count: number) => void;
}

/** The server's implementation of the core port, over one database. */
export function createCore({
  db,
  secretKey,
  adminToken,
  egressAllowlist,
  deliveryStore,
  quotas,
  retentionDays,
  schemaChecks,
  profileOf,
  onPublished = () => {},
}: CoreOptions): CorePort {
  const box = new SecretBox(secretKey);
  const tokens = createTokens(db, adminToken, quotas);
  const portalSessions = createPortalSessions(db);
  const deliveries = createDeliveries(db, deliveryStore, createAttemptRequests(box, profileOf));
  const endpoints = createEndpoints({ db, box, egressAllowlist, store: deliveryStore, quotas });
  return {
    // The admin token, then API tokens (hp_), then portal tokens (hpp_): the prefix picks the table.
    authenticate: async (token) =>
      (await tokens.authenticate(token)) ?? (token.startsWith('hpp_') ? portalSessions.authenticate(token) : null),
    tenants: createTenants(db, quotas, retentionDays),
    tokens,
    portalSessions: { create: portalSessions.create, revoke: portalSessions.revoke, get: portalSessions.get },
    eventTypes: createEventTypes(db, quotas, schemaChecks),
    endpoints: {
      ...endpoints,
      ping: deliveries.ping,
      sendExample: deliveries.sendExample,
      recover: deliveries.recover,
    },
    events: createEvents(db, deliveryStore, quotas.eventsPerDay, createDataGate(schemaChecks), onPublished),
    deliveries: {
      list: deliveries.list,
      get: deliveries.get,
      redeliver: deliveries.redeliver,
      replay: createReplays(db, deliveryStore, retentionDays).replay,
      skip: deliveries.skip,
    },
    stats: createStats(db),
    attempts: createAttempts(db),
  };
}

const keyCheckPlain = 'hookport-secret-key-check';

export class SecretKeyMismatchError extends Error {
  constructor() {
    super(
      'HOOKPORT_SECRET_KEY is not the key this database was encrypted with: refusing to start rather than sign with garbage.',
    );
    this.name = 'SecretKeyMismatchError';
  }
}

/**
 * Proves at start that the configured key opens what is stored: the first
 * start seals a known value, every later start must open it.
 */
export async function verifySecretKey(db: Database, secretKey: Buffer): Promise<void> {
  const box = new SecretBox(secretKey);
  await db.query(`insert into settings (key, value) values ('secret_key_check', $1) on conflict do nothing`, [
    box.seal(keyCheckPlain),
  ]);
  const [row] = await db.query<{ value: string }>(`select value from settings where key = 'secret_key_check'`);
  try {
    if (!row || box.open(row.value) !== keyCheckPlain) throw new SecretKeyMismatchError();
  } catch {
    throw new SecretKeyMismatchError();
  }
}
