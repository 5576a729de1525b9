import { deliveryEnvOf } from '@hookport/server';
import { afterAll, describe, expect, it } from 'vitest';
import { type BinProcess, killBins, startBin } from './support/bin-process.ts';
import { DeliveryKit } from './support/delivery.ts';
import { sampleValue, scrape, scrapeUrl, sumOf } from './support/metrics.ts';
import { until } from './support/until.ts';
import { apiForWorkerProcesses } from './support/worker-process.ts';

/*
 * Counters are per process and add up: two `hookport worker` processes (the real bin) on one
 * PostgreSQL database, each serving its metrics on HOOKPORT_METRICS_PORT, and the API in this process.
 * N events to one receiver: the workers' succeeded attempts sum to N, and the API counted N publishes.
 */

const events = 40;
const metricsToken = 'worker-metrics-token-0123456789';

const { t, tenant, closeAtEnd } = await apiForWorkerProcesses();
const kit = new DeliveryKit(t, tenant);
closeAtEnd(kit);
afterAll(killBins);

/** Starts the bin as a worker on the API's database with a metrics port of its own; returns its URL. */
async function startWorker(): Promise<{ proc: BinProcess; url: string }> {
  const { databaseUrl, dbSchema } = t.config;
  if (!databaseUrl) throw new Error('needs DATABASE_URL');
  const proc = startBin(['worker'], {
    DATABASE_URL: databaseUrl,
    HOOKPORT_DB_SCHEMA: dbSchema,
    HOOKPORT_SECRET_KEY: t.hp.secrets.secretKey.toString('hex'),
    ...deliveryEnvOf(t.config),
    HOST: '127.0.0.1',
    HOOKPORT_METRICS_PORT: '0',
    HOOKPORT_METRICS_TOKEN: metricsToken,
  });
  await proc.waitFor('Hookport worker is running');
  const url = /Metrics are served on (http:\/\/\S+)/.exec(proc.output())?.[1];
  if (!url) throw new Error(`no metrics URL in:\n${proc.output()}`);
  return { proc, url };
}

describe('two worker processes and an API on one database', () => {
  it('count every delivery once between them, and the API every publish', async () => {
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    // The metrics port keeps the token rule of the API port.
    const refused = await fetch(a.url);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await fetch(a.url.replace('/metrics', '/other'))).status).toBe(404);

    const receiver = await kit.receiver();
    await kit.endpoint(receiver.url, { eventTypes: ['ticket.created'] });
    const before = await scrape(t);
    for (let i = 0; i < events; i++) await kit.accepted('ticket.created', { i });
    await receiver.waitFor(events, 60_000);
    await kit.quiescent(60_000);

    const succeeded = { outcome: 'succeeded', status_class: '2xx' };
    const [fromA, fromB] = await until('both workers to have counted every recorded attempt', async () => {
      const scraped = await Promise.all([scrapeUrl(a.url, metricsToken), scrapeUrl(b.url, metricsToken)]);
      const total = scraped.reduce((sum, s) => sum + sampleValue(s, 'hookport_attempts_total', succeeded), 0);
      return total >= events ? scraped : undefined;
    });
    const perWorker = [
      sampleValue(fromA, 'hookport_attempts_total', succeeded),
      sampleValue(fromB, 'hookport_attempts_total', succeeded),
    ] as const;
    expect(perWorker[0] + perWorker[1]).toBe(events);
    expect(sumOf(fromA, 'hookport_attempts_total') + sumOf(fromB, 'hookport_attempts_total')).toBe(events);
    expect(
      sampleValue(fromA, 'hookport_delivery_latency_seconds_count') +
        sampleValue(fromB, 'hookport_delivery_latency_seconds_count'),
    ).toBe(events);
    // The workers publish nothing; the API delivers nothing.
    for (const s of [fromA, fromB]) expect(sumOf(s, 'hookport_events_published_total')).toBe(0);
    const api = await scrape(t);
    expect(
      sampleValue(api, 'hookport_events_published_total', { surface: 'native' }) -
        sampleValue(before, 'hookport_events_published_total', { surface: 'native' }),
    ).toBe(events);
    expect(sumOf(api, 'hookport_attempts_total')).toBe(0);
    // Every process also reads the shared gauges: the queue is drained, the endpoint active.
    for (const s of [fromA, fromB, api]) {
      expect(sampleValue(s, 'hookport_queue_depth', { lane: 'main' })).toBe(0);
      expect(sampleValue(s, 'hookport_endpoints', { status: 'active' })).toBe(1);
    }
    console.info(`metrics: ${events} deliveries counted as ${perWorker.join(' + ')} by the two workers`);
  });
});
