import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  failureText,
  fuzzSeed,
  fuzzSurface,
  type Surface,
  setupSurface,
  startFuzzTarget,
  summaryLine,
} from './support/fuzz.ts';
import type { TestHookport } from './support/harness.ts';

/**
 * The native API (spec/openapi.json) under generated valid and hostile
 * requests: every operation, authenticated with an all-scope tenant token
 * (the admin token on tenant routes) so requests reach validation and the
 * handlers. No 5xx, every answer in the document, nothing stored changes on
 * a 4xx. FUZZ_SEED replays a run; the seed is in every failure message.
 */

const seed = fuzzSeed(20_261_122);
const count = Number(process.env.FUZZ_NATIVE_REQUESTS ?? 2100);

let t: TestHookport;
let native: Surface;
let foreign: string[] = [];

beforeAll(async () => {
  t = await startFuzzTarget();
  native = await setupSurface(t, 'native', seed);
  // Ids of the shapes every vendor surface shows, from a tenant of each.
  for (const vendor of ['xpath', 'rapidly', 'spedy'] as const)
    foreign.push(...(await setupSurface(t, vendor, seed)).ids);
  foreign = foreign.filter((id) => !native.ids.includes(id));
});
afterAll(async () => {
  await t?.close();
});

describe('native API fuzz', () => {
  it(`answers ${count} generated requests without a 5xx, in the document, changing nothing on a 4xx`, {
    timeout: 180_000,
  }, async () => {
    const report = await fuzzSurface(t, native, foreign, { seed, count });
    console.info(`fuzz seed=${seed} ${summaryLine(report)}`);
    expect(failureText([report])).toBe('');
    expect(report.requests).toBe(count);
    // The mix reached validation, the handlers and success alike.
    expect(Object.keys(report.byStatus)).toEqual(expect.arrayContaining(['200', '201', '202', '404', '422']));
    expect(report.checked4xx).toBe(report.answered4xx);
    expect(report.snapshotChecked4xx).toBeGreaterThan(0);
    expect(report.writesSeen).toBeGreaterThan(0);
    // No request body polluted a prototype, and nothing reached the unhandled-error path.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(t.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});
