import { expect } from 'vitest';
import type { TestHookport } from './harness.ts';

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// Values are read like Go's ParseFloat, as Prometheus does: NaN and Inf in any case (prom-client writes `Nan`).
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([+-]?(?:[0-9.]+(?:e[+-]?[0-9]+)?|inf|nan))(?: -?\d+)?$/i;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
const metaLine = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;

/**
 * Parses the Prometheus text format (0.0.4) strictly: a line that is neither a HELP/TYPE comment nor a
 * well-formed sample fails the test, so "parseable" is checked by every scrape.
 */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line, 'a comment line').toMatch(metaLine);
      continue;
    }
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    labelPair.lastIndex = 0;
    let at = 0;
    while (at < body.length) {
      const pair = labelPair.exec(body);
      if (!pair?.[1]) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      labels[pair[1]] = (pair[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      at = labelPair.lastIndex;
    }
    samples.push({ name: m[1] ?? '', labels, value: parseValue(m[3] ?? '') });
  }
  return samples;
}

function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** The value of the sample with exactly these labels among those named `name` (0 when absent). */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  const found = samples.find(
    (s) =>
      s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}

/** The sum of every sample named `name` whose labels include these. */
export function sumOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** GET /metrics of an in-process Hookport, parsed; fails unless it answers 200 in the text format. */
export async function scrape(t: TestHookport, token?: string): Promise<Sample[]> {
  const res = await t.raw.get('/metrics', token === undefined ? {} : { token });
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.text);
}

/** GET of a metrics URL (a metrics port), parsed. */
export async function scrapeUrl(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return parseExposition(text);
}
