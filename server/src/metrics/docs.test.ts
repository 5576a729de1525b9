import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databaseGaugeNames } from './gauges.ts';
import { createMetrics } from './metrics.ts';

/**
 * docs/operations.md and docs/grafana-dashboard.json stay true to what /metrics serves: the dashboard
 * is valid JSON, and every hookport_ name either of them uses is one this process registers.
 */

const read = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');
const metrics = createMetrics();
const registered = new Set([
  ...metrics.registry.getMetricsAsArray().map((m) => m.name),
  ...Object.values(databaseGaugeNames),
]);
/** Hookport's own metrics, without prom-client's process ones. */
const own = [...registered].filter((n) => !/^hookport_(process|nodejs)_/.test(n));

/** The metric names a text uses; a histogram's series name its family. */
function namesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/hookport_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))];
}

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(read('grafana-dashboard.json')) as { title: string; panels: Panel[] };

  it('is a dashboard whose every panel queries only metrics Hookport serves', () => {
    expect(dashboard.title).toBe('Hookport');
    expect(dashboard.panels.length).toBeGreaterThan(5);
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(dashboard.panels.length);
    const used = namesIn(exprs.join('\n'));
    expect(used.filter((n) => !registered.has(n))).toEqual([]);
    // Every one of Hookport's own metrics has a panel.
    expect(own.filter((n) => !used.includes(n))).toEqual([]);
  });
});

describe('docs/operations.md', () => {
  const page = read('operations.md');

  it('describes every metric and its alerts name only metrics that exist', () => {
    for (const name of own) expect(page).toContain(`\`${name}\``);
    const unknown = namesIn(page).filter((n) => !registered.has(n) && !/^hookport_(process|nodejs)_$/.test(n));
    expect(unknown).toEqual([]);
  });
});
