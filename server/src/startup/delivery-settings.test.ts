import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createLogger } from '../logger.ts';
import { deliverySettingsOf, reconcileDeliverySettings } from './delivery-settings.ts';
import { StartupError } from './startup-error.ts';

const api = loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8', HOOKPORT_RETRY_SCHEDULE: '1,1,2' });

/** A logger whose lines the test reads. */
function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('warn', sink) };
}

describe('deliverySettingsOf', () => {
  it('is the same for the same ranges in another order or spelling', () => {
    const a = loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: '10.0.0.0/8,127.0.0.1' });
    const b = loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: ' 127.0.0.1/32 , 10.0.0.0/8' });
    expect(deliverySettingsOf(a)).toEqual(deliverySettingsOf(b));
    expect(deliverySettingsOf(a).HOOKPORT_EGRESS_ALLOWLIST).toBe('10.0.0.0/8,127.0.0.1/32');
  });

  it('leaves out per-process capacity', () => {
    expect(deliverySettingsOf(loadConfig({ HOOKPORT_WORKER_CONCURRENCY: '2' }))).toEqual(
      deliverySettingsOf(loadConfig({})),
    );
  });
});

describe('reconcileDeliverySettings', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase();
    await migrate(t.db);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('lets a worker run with a warning while no API has recorded its settings', async () => {
    const { lines, logger } = capture();
    await reconcileDeliverySettings(t.db, loadConfig({}), 'worker', logger);
    expect(lines.join('')).toContain('no API process has recorded its delivery settings');
  });

  it('lets a worker with the API’s settings run, silently', async () => {
    await reconcileDeliverySettings(t.db, api, 'api', capture().logger);
    const { lines, logger } = capture();
    await reconcileDeliverySettings(
      t.db,
      loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.1/8', HOOKPORT_RETRY_SCHEDULE: '1, 1, 2' }),
      'worker',
      logger,
    );
    expect(lines).toEqual([]);
  });

  it('refuses a worker whose allowlist or schedule differ, naming each difference in one line', async () => {
    await reconcileDeliverySettings(t.db, api, 'api', capture().logger);
    const worker = loadConfig({ HOOKPORT_RETRY_SCHEDULE: '1,1,2', HOOKPORT_DELIVERY_TIMEOUT_MS: '5000' });
    const refusal = reconcileDeliverySettings(t.db, worker, 'worker', capture().logger);
    await expect(refusal).rejects.toBeInstanceOf(StartupError);
    const message = await refusal.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message).toMatch(/^This worker's delivery settings differ from the API's \(recorded by pid \d+ on /);
    expect(message).toContain('HOOKPORT_DELIVERY_TIMEOUT_MS is 5000 here, 15000 in the API');
    expect(message).toContain('HOOKPORT_EGRESS_ALLOWLIST is (empty) here, 127.0.0.0/8 in the API');
    expect(message).not.toContain('HOOKPORT_RETRY_SCHEDULE');
    expect(message).not.toContain('\n');
  });

  it('records the settings of the API that starts last, warning that they changed', async () => {
    await reconcileDeliverySettings(t.db, api, 'api', capture().logger);
    const changed = loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: '10.0.0.0/8' });
    const { lines, logger } = capture();
    await reconcileDeliverySettings(t.db, changed, 'all', logger);
    expect(lines.join('')).toContain('delivery settings changed since the last API start');
    expect(lines.join('')).toContain('HOOKPORT_EGRESS_ALLOWLIST is 10.0.0.0/8 here, 127.0.0.0/8 in the API');
    // A worker is now held to the new record.
    await reconcileDeliverySettings(t.db, changed, 'worker', capture().logger);
    await expect(reconcileDeliverySettings(t.db, api, 'worker', capture().logger)).rejects.toThrow(
      'HOOKPORT_EGRESS_ALLOWLIST is 127.0.0.0/8 here, 10.0.0.0/8 in the API',
    );
  });
});
