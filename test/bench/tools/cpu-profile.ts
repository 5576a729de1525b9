/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by package (or our source file) and by
 * function, largest first. How the bottlenecks in docs/benchmarks.md were found:
 *
 *   NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" BENCH_ONLY=c BENCH_NO_DOCS=1 pnpm bench
 *   pnpm exec tsx test/bench/tools/cpu-profile.ts "$(ls -S /tmp/prof/*.cpuprofile | head -1)" [top]
 *
 * (The largest profile is the bench process, where the in-process Hookport runs.)
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A package name from a pnpm store path, our file relative to the workspace, or the URL's tail. */
function placeOf(url: string): string {
  if (!url) return '(native)';
  const pkg = url.match(/node_modules\/\.pnpm\/([^/]+)\//);
  if (pkg?.[1]) return pkg[1].replace(/^(@?[^@]+)@.*$/, '$1');
  if (url.startsWith('node:')) return url;
  const ours = url.match(/\/((?:server|compat|spec|sdk|test)\/(?:src|bench)\/.+)$/);
  return ours?.[1] ?? url.slice(-60);
}

function top(totals: Map<string, number>, n: number): string {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${name}`)
    .join('\n');
}

const [file, count] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpu-profile.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const n = Number(count ?? 30);
// Self time of a node: the time deltas of the samples that landed on it.
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const byPlace = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  busy += ms;
  const place = placeOf(url);
  byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  const fn = `${functionName || '(anonymous)'}  ${place}:${lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
}
const wall = (profile.endTime - profile.startTime) / 1000;
process.stdout.write(`wall ${wall.toFixed(0)} ms, busy ${busy.toFixed(0)} ms\n`);
process.stdout.write(`--- self time by package or file\n${top(byPlace, n)}\n`);
process.stdout.write(`--- self time by function\n${top(byFunction, n)}\n`);
