import type { DeliveryStats } from '@hookport/sdk';
import { useMemo, useState } from 'preact/hooks';
import { useClient } from '../api.ts';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { Time } from '../components/time.tsx';
import { useAsync } from '../use-async.ts';
import { Chart, type ChartSeries } from './chart.tsx';
import { formatMs, formatRatio, RANGES, type RangeKey, rangeOf, rangeQuery } from './ranges.ts';

/** The endpoint page's statistics: a range picker, then the success ratio and latency charts. */
export function EndpointStats({ endpointId }: { endpointId: string }) {
  const client = useClient();
  const [key, setKey] = useState<RangeKey>('day');
  const range = rangeOf(key);
  const [loaded, reload] = useAsync(
    () => client.endpoints.stats(endpointId, rangeQuery(range, Date.now())),
    [endpointId, key],
  );
  return (
    <section aria-labelledby="stats-heading" data-testid="endpoint-stats">
      <div class="page-head">
        <h2 id="stats-heading">Statistics</h2>
        <button type="button" onClick={reload}>
          Reload statistics
        </button>
      </div>
      <fieldset class="range-picker">
        <legend>Range</legend>
        {RANGES.map((r) => (
          <label key={r.key}>
            <input
              type="radio"
              name="stats-range"
              value={r.key}
              checked={r.key === key}
              onChange={() => setKey(r.key)}
            />{' '}
            {r.label}
          </label>
        ))}
      </fieldset>
      {loaded.state === 'loading' && <Loading what="statistics" />}
      {loaded.state === 'error' && <ErrorState error={loaded.error} retry={reload} />}
      {loaded.state === 'ready' && <StatsFigures stats={loaded.value} rangeLabel={range.label.toLowerCase()} />}
    </section>
  );
}

function StatsFigures({ stats, rangeLabel }: { stats: DeliveryStats; rangeLabel: string }) {
  const { total } = stats;
  const times = useMemo(() => stats.buckets.map((b) => Date.parse(b.start) / 1000), [stats]);
  const ratio = useMemo<ChartSeries[]>(
    () => [
      {
        label: 'Success ratio',
        colorVar: '--ok',
        values: stats.buckets.map((b) => (b.successRatio === null ? null : b.successRatio * 100)),
      },
    ],
    [stats],
  );
  const latency = useMemo<ChartSeries[]>(
    () => [
      { label: 'p50', colorVar: '--accent', values: stats.buckets.map((b) => b.latencyMs.p50) },
      { label: 'p95', colorVar: '--warn', values: stats.buckets.map((b) => b.latencyMs.p95) },
      { label: 'p99', colorVar: '--bad', values: stats.buckets.map((b) => b.latencyMs.p99) },
    ],
    [stats],
  );
  if (total.attempts.total === 0) {
    return (
      <Empty>
        <p>No delivery attempts in the {rangeLabel}.</p>
      </Empty>
    );
  }
  const ended = total.deliveries.succeeded + total.deliveries.failed;
  // Only buckets with traffic go in the tables: a day of minutes is 60 rows, most of them empty.
  const busy = stats.buckets.filter((b) => b.attempts.total > 0);
  return (
    <>
      <p data-testid="stats-summary">
        Success ratio <strong data-testid="stats-success-ratio">{formatRatio(total.successRatio)}</strong> (
        {total.deliveries.succeeded} succeeded, {total.deliveries.failed} failed of {ended} ended;{' '}
        {total.attempts.total} attempts). Latency p50 {formatMs(total.latencyMs.p50)}, p95{' '}
        {formatMs(total.latencyMs.p95)}, p99 {formatMs(total.latencyMs.p99)}.
      </p>
      <figure class="chart-figure" aria-labelledby="ratio-caption">
        <figcaption id="ratio-caption">Success ratio (%), {rangeLabel}</figcaption>
        <Chart times={times} series={ratio} format={(v) => `${v.toFixed(0)} %`} yRange={[0, 100]} height={180} />
        {/* A table is at least as wide as its content whatever its width, so the wrapper hides it. */}
        <div class="visually-hidden" data-testid="ratio-table">
          <table>
            <caption>Success ratio per bucket with deliveries, {rangeLabel}</caption>
            <thead>
              <tr>
                <th scope="col">Bucket start</th>
                <th scope="col">Success ratio</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((b) => (
                <tr key={b.start}>
                  <th scope="row">
                    <Time value={b.start} />
                  </th>
                  <td>{formatRatio(b.successRatio)}</td>
                  <td>{b.deliveries.succeeded}</td>
                  <td>{b.deliveries.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
      <figure class="chart-figure" aria-labelledby="latency-caption">
        <figcaption id="latency-caption">Attempt latency p50, p95 and p99 (ms), {rangeLabel}</figcaption>
        <Chart times={times} series={latency} format={(v) => `${v} ms`} yRange={null} height={180} />
        <div class="visually-hidden" data-testid="latency-table">
          <table>
            <caption>Attempt latency per bucket with attempts, {rangeLabel}</caption>
            <thead>
              <tr>
                <th scope="col">Bucket start</th>
                <th scope="col">Attempts</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
                <th scope="col">p99</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((b) => (
                <tr key={b.start}>
                  <th scope="row">
                    <Time value={b.start} />
                  </th>
                  <td>{b.attempts.total}</td>
                  <td>{formatMs(b.latencyMs.p50)}</td>
                  <td>{formatMs(b.latencyMs.p95)}</td>
                  <td>{formatMs(b.latencyMs.p99)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
      <p class="hint">
        Percentiles are the upper bounds of fixed histogram buckets (exact below 10 ms, within about 31 % above); times
        are bucket starts in your time zone.
      </p>
    </>
  );
}
