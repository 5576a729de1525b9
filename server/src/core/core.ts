import type { CorePort, TenantLimits } from '@hookport/spec';
import type { Cidr } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import { createAttempts } from './attempts.ts';
import { SecretBox } from './crypto.ts';
import { createDeliveries } from './deliveries.ts';
import { createEndpoints } from './endpoints.ts';
import { createEventTypes } from './event-types.ts';
import { createEvents } from './events.ts';
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
}

/** The server's implementation of the core port, over one database. */
export function createCore({
  db,
  secretKey,
  adminToken,
  egressAllowlist,
  deliveryStore,
  quotas,
}: CoreOptions): CorePort {
  const box = new SecretBox(secretKey);
  const tokens = createTokens(db, adminToken, quotas);
  const deliveries = createDeliveries(db, deliveryStore);
  const endpoints = createEndpoints({ db, box, egressAllowlist, store: deliveryStore, quotas });
  return {
    authenticate: tokens.authenticate,
    tenants: createTenants(db, quotas),
    tokens,
    eventTypes: createEventTypes(db, quotas),
    endpoints: {
      ...endpoints,
      ping: deliveries.ping,
      recover: deliveries.recover,
    },
    events: createEvents(db, deliveryStore, quotas.eventsPerDay),
    deliveries: {
      list: deliveries.list,
      get: deliveries.get,
      redeliver: deliveries.redeliver,
    },
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
