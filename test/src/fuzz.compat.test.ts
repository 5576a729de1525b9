import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FuzzReport,
  failureText,
  fuzzSeed,
  fuzzSurface,
  type Surface,
  setupSurface,
  startFuzzTarget,
  summaryLine,
  vendors,
} from './support/fuzz.ts';
import type { TestHookport } from './support/harness.ts';

/**
 * The five vendor surfaces (compat/openapi/<vendor>.json) under generated
 * valid and hostile requests, each with an all-scope token of a tenant on the
 * vendor's preset (and the Helpdesk workspace header). Ids of the other
 * surfaces are among the hostile path parameters. No 5xx, every answer in
 * the vendor's document, nothing stored changes on a 4xx.
 */

const seed = fuzzSeed(20_261_123);
const perVendor = Number(process.env.FUZZ_VENDOR_REQUESTS ?? 650);

let t: TestHookport;
const surfaces = new Map<string, Surface>();
const reports: FuzzReport[] = [];

beforeAll(async () => {
  t = await startFuzzTarget();
  for (const vendor of [...vendors, 'native' as const]) surfaces.set(vendor, await setupSurface(t, vendor, seed));
});
afterAll(async () => {
  if (reports.length > 0) console.info(`fuzz seed=${seed}\n${reports.map(summaryLine).join('\n')}`);
  await t?.close();
});

describe('vendor surface fuzz', () => {
  it.each(vendors)(
    `%s answers ${perVendor} generated requests without a 5xx, in its document, changing nothing on a 4xx`,
    { timeout: 120_000 },
    async (vendor) => {
      const surface = surfaces.get(vendor);
      if (!surface) throw new Error(`${vendor} was not set up`);
      const foreign = [...surfaces.values()].filter((s) => s !== surface).flatMap((s) => s.ids);
      const report = await fuzzSurface(t, surface, foreign, { seed, count: perVendor });
      reports.push(report);
      expect(failureText([report])).toBe('');
      expect(report.requests).toBe(perVendor);
      // Valid requests got through, hostile ones were refused.
      expect(Object.keys(report.byStatus).some((s) => s.startsWith('2'))).toBe(true);
      expect(Object.keys(report.byStatus).some((s) => s.startsWith('4'))).toBe(true);
      expect(report.checked4xx).toBe(report.answered4xx);
      expect(report.snapshotChecked4xx).toBeGreaterThan(0);
      expect(report.writesSeen).toBeGreaterThan(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(t.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
    },
  );
});
