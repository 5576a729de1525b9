/** (c) Hookport end to end on embedded PGlite (in memory), in-process; the figure is the median run. */
import { log } from '../clock.ts';
import { benchEnv, startHookport } from '../hookport.ts';
import type { Ports, ReceiverProcess } from '../receiver-process.ts';
import { fmt, record } from '../results.ts';
import { settings } from '../settings.ts';
import { medianRun, runsNote, type ThroughputOutcome, throughput } from '../throughput.ts';

/** Runs (c) and records it; returns PGlite's version for the Results block. */
export async function pglite(receiver: ReceiverProcess, ports: Ports): Promise<string> {
  let pgliteVersion = 'n/a';
  const runs: ThroughputOutcome[] = [];
  for (let r = 1; r <= settings.repeats; r++) {
    log(`(c) Hookport on PGlite, run ${r} of ${settings.repeats}`);
    const b = await startHookport(benchEnv('pglite', 'hookport'));
    try {
      const [v] = await b.hp.db.query<{ version: string }>('select version()');
      pgliteVersion = v?.version.replace(/ on .*$/, '') ?? 'n/a';
      const secrets = await b.endpoints(ports.ok);
      const o = await throughput(receiver, b, `c-${r}`, settings.endpoints, secrets);
      runs.push(o);
      log(`c run ${r}: ${fmt(o.rate)} deliveries/s`);
    } finally {
      await b.close();
    }
  }
  const median = medianRun(runs);
  if (median) {
    record('c', 'Hookport end to end, PGlite (in memory)', median.rate, 'deliveries/s', runsNote(runs, median));
    record('c.publish', 'publish API rate during (c)', (settings.events / median.publishMs) * 1000, 'events/s');
  }
  return pgliteVersion;
}
