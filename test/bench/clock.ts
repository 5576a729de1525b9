/** The bench's clock and its log, which stamps each line with the seconds since the run began. */

let started = Date.now();

/** Starts the run's clock: run.ts calls it once the server under measurement is loaded. */
export function startClock(): void {
  started = Date.now();
}

export const elapsedS = () => (Date.now() - started) / 1000;

/** Wall clock in ms since the epoch, sub-ms: the receiver stamps receipts on the same scale. */
export const now = () => performance.timeOrigin + performance.now();

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const log = (msg: string) => process.stderr.write(`[bench ${elapsedS().toFixed(1)}s] ${msg}\n`);
