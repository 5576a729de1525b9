import { describe, expect, it } from 'vitest';
import {
  type FuzzReport,
  failureText,
  fuzzSeed,
  fuzzSurface,
  type SurfaceName,
  setupSurface,
  startFuzzTarget,
  summaryLine,
  vendors,
} from '../src/support/fuzz.ts';

/**
 * The long fuzz (`pnpm test:soak`): rounds of generated requests against all
 * six surfaces, each round on a fresh Hookport (so tables stay the size of
 * one round) with its own seed. A random base seed unless FUZZ_SEED is set;
 * every failure names the seed that replays it. Set FUZZ_SOAK_ROUNDS and
 * FUZZ_SOAK_REQUESTS (per surface per round) to go longer.
 */

const baseSeed = fuzzSeed('random');
const rounds = Number(process.env.FUZZ_SOAK_ROUNDS ?? 5);
const perSurface = Number(process.env.FUZZ_SOAK_REQUESTS ?? 2000);
const surfaces: SurfaceName[] = ['native', ...vendors];

describe('soak: OpenAPI-driven fuzz of every surface', () => {
  it(`sends ${rounds} rounds of ${perSurface} requests to each of the six surfaces with no 5xx, off-document answer or stored 4xx`, async () => {
    const reports: FuzzReport[] = [];
    for (let round = 0; round < rounds; round++) {
      const seed = baseSeed + round;
      const t = await startFuzzTarget();
      try {
        const set = [];
        for (const name of surfaces) set.push(await setupSurface(t, name, seed));
        for (const surface of set) {
          const foreign = set.filter((s) => s !== surface).flatMap((s) => s.ids);
          const report = await fuzzSurface(t, surface, foreign, { seed, count: perSurface });
          reports.push(report);
          console.info(`round ${round} seed=${seed} ${summaryLine(report)}`);
        }
        expect(t.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
      } finally {
        await t.close();
      }
      expect(failureText(reports.slice(-surfaces.length))).toBe('');
    }
    const total = reports.reduce((n, r) => n + r.requests, 0);
    console.info(`soak fuzz: ${total} requests, base seed ${baseSeed}`);
    expect(total).toBe(rounds * perSurface * surfaces.length);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
