/**
 * The longest the main event loop went without running a 10 ms interval, beyond those 10 ms: what
 * any other request would have waited. (A ticker of our own rather than perf_hooks'
 * monitorEventLoopDelay, whose histogram stayed empty through the old code's long blocks.)
 */
export function watchLoop(): { stop(): { maxMs: number; ticks: number } } {
  const interval = 10;
  let last = performance.now();
  let maxMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxMs = Math.max(maxMs, now - last - interval);
    last = now;
    ticks++;
  }, interval);
  return {
    stop() {
      clearInterval(timer);
      return { maxMs: Math.max(maxMs, performance.now() - last - interval), ticks };
    },
  };
}
