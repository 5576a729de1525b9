/** Figures derived at the end of the run from the phases' own: the ratios over the baseline, and this process's peak RSS. */
import { procStatus } from '../machine.ts';
import { get, record } from '../results.ts';

/**
 * The ratios divide by the faster of the two baselines: a baseline taken in a slow moment of the
 * machine would flatter them.
 */
export function recordRatios(): void {
  const baselines = [get('a'), get('a2')].filter((x): x is number => x !== null);
  const fastest = baselines.length > 0 ? Math.max(...baselines) : null;
  const ratio = (id: string, what: string, of: string) => {
    const v = get(of);
    if (fastest !== null && v !== null) record(id, what, v / fastest, '', 'over the faster of a and a2');
  };
  ratio('ratio.b/a', 'ratio b/a', 'b');
  ratio('ratio.c/a', 'ratio c/a', 'c');
  ratio('ratio.q/a', 'ratio q/a: the most b/a can be with one pg-boss job per delivery', 'q');
}

export function recordSelfRss(): void {
  const self = procStatus('self');
  record(
    'self.rss',
    'bench process peak RSS (in-process Hookport runs, PGlite included)',
    self.hwm,
    'MB',
    'for reference only; the worker figure is f.rss',
  );
}
