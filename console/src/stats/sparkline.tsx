import { useMemo } from 'preact/hooks';
import { useClient } from '../api.ts';
import { useAsync } from '../use-async.ts';
import { Chart, type ChartSeries } from './chart.tsx';
import { formatRatio, LAST_DAY, rangeQuery } from './ranges.ts';

/**
 * An endpoint's health in the endpoints list: its success ratio over the last 24 hours by hour. One
 * stats call per row (a page holds at most 50; GET /v1/stats sums the whole tenant and cannot group by
 * endpoint). The figure is given as text too, for assistive technology and for a glance.
 */
export function HealthSparkline({ endpointId }: { endpointId: string }) {
  const client = useClient();
  const [loaded] = useAsync(() => client.endpoints.stats(endpointId, rangeQuery(LAST_DAY, Date.now())), [endpointId]);
  const stats = loaded.state === 'ready' ? loaded.value : null;
  const times = useMemo(() => stats?.buckets.map((b) => Date.parse(b.start) / 1000) ?? [], [stats]);
  const series = useMemo<ChartSeries[]>(
    () => [
      {
        label: 'Success ratio',
        colorVar: '--ok',
        values: stats?.buckets.map((b) => (b.successRatio === null ? null : b.successRatio * 100)) ?? [],
      },
    ],
    [stats],
  );
  if (loaded.state === 'loading') return <span class="hint">…</span>;
  if (loaded.state === 'error') return <span class="hint">unavailable</span>;
  const ended = loaded.value.total.deliveries.succeeded + loaded.value.total.deliveries.failed;
  if (ended === 0) return <span class="hint">no deliveries</span>;
  return (
    <div class="health" data-testid="health">
      <Chart times={times} series={series} format={(v) => `${v.toFixed(0)} %`} yRange={[0, 100]} height={28} bare />
      <span data-testid="health-ratio">{formatRatio(loaded.value.total.successRatio)}</span>
      <span class="visually-hidden"> of {ended} deliveries succeeded in the last 24 hours</span>
    </div>
  );
}
