import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
// Imported as a file so Vite bundles it into the console's stylesheet: no <style> tag, which the CSP would refuse.
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS custom property of styles.css (`--ok`), read when drawing so light and dark both apply. */
  colorVar: string;
  values: (number | null)[];
}

export interface ChartProps {
  /** Bucket starts, in seconds since the epoch (uPlot's time scale). */
  times: number[];
  series: ChartSeries[];
  /** Formats a y value for the axis and the legend. */
  format: (value: number) => string;
  /** A fixed y range (e.g. 0–100 %), or null to fit the data. */
  yRange: [number, number] | null;
  height: number;
  /** Sparkline: no axes, legend or cursor. */
  bare?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function options(props: ChartProps, width: number): uPlot.Options {
  const fg = cssVar('--muted');
  const grid = cssVar('--line');
  const axis: uPlot.Axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: props.height,
    legend: { show: !props.bare },
    cursor: { show: !props.bare },
    scales: { x: { time: true }, y: props.yRange ? { range: props.yRange } : { auto: true } },
    axes: props.bare
      ? [{ show: false }, { show: false }]
      : [axis, { ...axis, size: 60, values: (_u, ticks) => ticks.map(props.format) }],
    series: [
      {},
      ...props.series.map((s) => ({
        label: s.label,
        stroke: cssVar(s.colorVar),
        width: props.bare ? 1.5 : 2,
        spanGaps: false,
        // Dots in sparklines too: an hour with traffic between empty ones has no line to draw.
        points: props.bare ? { show: true, size: 3 } : { show: true },
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : props.format(v)),
      })),
    ],
  };
}

/**
 * A uPlot chart that fills its container's width and follows it (ResizeObserver), redrawn when the
 * data or the colour scheme changes. The canvas is decorative for assistive technology: every chart
 * comes with a text alternative next to it (aria-hidden here).
 */
export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    const draw = () => {
      plot?.destroy();
      const data: uPlot.AlignedData = [props.times, ...props.series.map((s) => s.values)];
      plot = new uPlot(options(props, Math.max(el.clientWidth, 80)), data, el);
    };
    draw();
    const resize = new ResizeObserver(() =>
      plot?.setSize({ width: Math.max(el.clientWidth, 80), height: props.height }),
    );
    resize.observe(el);
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', draw);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', draw);
      plot?.destroy();
    };
  }, [props.times, props.series, props.height, props.bare]);
  return <div class={props.bare ? 'chart spark' : 'chart'} ref={box} aria-hidden="true" />;
}
