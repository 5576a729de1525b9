/** The run's figures, in the order they were measured, and how a figure is shown. */
import { log } from './clock.ts';

export interface Result {
  id: string;
  what: string;
  value: number | null;
  unit: string;
  note: string;
  /** Shown before the value: '≥' when the run ended before every delivery arrived. */
  bound?: '≥' | '≤';
}

export const results: Result[] = [];

export function record(id: string, what: string, value: number | null, unit: string, note = '', bound?: '≥' | '≤') {
  results.push({ id, what, value, unit, note, ...(bound ? { bound } : {}) });
  log(`${id}  ${what}: ${bound ?? ''}${fmt(value)} ${unit}${note ? `  (${note})` : ''}`);
}

export const get = (id: string) => results.find((r) => r.id === id)?.value ?? null;
export const boundOf = (id: string) => results.find((r) => r.id === id)?.bound;
export const shown = (r: Result) => `${r.bound ? `${r.bound} ` : ''}${fmt(r.value)}${r.unit ? ` ${r.unit}` : ''}`;

export function fmt(v: number | null, digits?: number): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  const d = digits ?? (a >= 100 ? 0 : a >= 10 ? 1 : a >= 0.1 || a === 0 ? 2 : 4);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** The p-th percentile of `count` values of which `sorted` are known and the rest are larger than all of them. */
export function percentile(sorted: number[], count: number, p: number): { value: number | null; known: boolean } {
  if (count === 0) return { value: null, known: false };
  const i = Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1));
  if (i < sorted.length) return { value: sorted[i] ?? null, known: true };
  return { value: sorted.at(-1) ?? null, known: false };
}

/** The median (the lower middle one for an even count). */
export function medianOf(values: number[]): number | null {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}
