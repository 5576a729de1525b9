/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by package (or our source file) and by
 * function, largest first. How the bottlenecks in docs/benchmarks.md were found:
 *
 *   NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" BENCH_ONLY=c BENCH_NO_DOCS=1 pnpm bench
 *   pnpm exec tsx test/bench/tools/cpu-profile.ts "$(ls -S /tmp/prof/*.cpuprofile | head -1)" [top]
 *
 * (The largest profile is the bench process, where the in-process Hookport runs.)
 *
 * The profile spans the whole process (start-up, tsx compiling, the warm-up, the quiet wait). To sum
 * only the measured run, list the busy time per 250 ms with `--timeline`, then pass the run's span
 * in ms since the profile began: `--from 17500 --to 23600`; `--per 3000` adds ms per delivery.
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

/** `--name value` pairs (and the bare flag `--timeline`) after the positional arguments. */
function options(args: string[]): { positional: string[]; named: Map<string, string> } {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--timeline') named.set('timeline', '1');
    else if (a.startsWith('--')) named.set(a.slice(2), args[++i] ?? '');
    else positional.push(a);
  }
  return { positional, named };
}

const { positional, named } = options(process.argv.slice(2));
const [file, count] = positional;
if (!file) {
  process.stderr.write('usage: cpu-profile.ts <file.cpuprofile> [top] [--timeline] [--from ms] [--to ms] [--per N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const n = Number(count ?? 30);
const fromMs = Number(named.get('from') ?? 0);
const toMs = Number(named.get('to') ?? Number.POSITIVE_INFINITY);
const per = Number(named.get('per') ?? 0);
const idleIds = new Set(profile.nodes.filter((x) => x.callFrame.functionName === '(idle)').map((x) => x.id));
// Self time of a node: the time deltas of the samples that landed on it, within [from, to).
const selfMs = new Map<number, number>();
const timeline = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  const delta = (profile.timeDeltas[i] ?? 0) / 1000;
  at += delta;
  if (at < fromMs || at >= toMs) return;
  selfMs.set(id, (selfMs.get(id) ?? 0) + delta);
  if (!idleIds.has(id)) timeline.set(Math.floor(at / 250), (timeline.get(Math.floor(at / 250)) ?? 0) + delta);
});
if (named.has('timeline')) {
  for (const [slot, ms] of [...timeline].sort((a, b) => a[0] - b[0])) {
    process.stdout.write(`${String(slot * 250).padStart(8)} ms  busy ${ms.toFixed(0).padStart(4)} ms\n`);
  }
}
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
// Time in native code and node's internals (socket writes, buffers, crypto) charged to the nearest
// caller that is a package or our source: who asked for the work, e.g. postgres or undici for `writeBuffer`.
const parentOf = new Map<number, ProfileNode>();
const nodeById = new Map<number, ProfileNode>();
for (const node of profile.nodes) {
  nodeById.set(node.id, node);
  for (const child of node.children ?? []) parentOf.set(child, node);
}
const isPlace = (url: string) => url !== '' && !url.startsWith('node:');
const byCaller = new Map<string, number>();
for (const [id, ms] of selfMs) {
  let node = nodeById.get(id);
  const fn = node?.callFrame.functionName ?? '';
  if (fn === '(idle)') continue;
  let place = fn === '(garbage collector)' || fn === '(program)' ? fn : '';
  while (!place && node) {
    if (isPlace(node.callFrame.url)) place = placeOf(node.callFrame.url);
    node = parentOf.get(node.id);
  }
  byCaller.set(place || '(no caller)', (byCaller.get(place || '(no caller)') ?? 0) + ms);
}

const wall = Math.min((profile.endTime - profile.startTime) / 1000, toMs) - fromMs;
process.stdout.write(`wall ${wall.toFixed(0)} ms, busy ${busy.toFixed(0)} ms\n`);
if (per > 0) process.stdout.write(`busy per unit (÷ ${per}): ${(busy / per).toFixed(3)} ms\n`);
process.stdout.write(`--- self time by package or file\n${top(byPlace, n)}\n`);
process.stdout.write(`--- self time by function\n${top(byFunction, n)}\n`);
process.stdout.write(
  `--- self time by nearest package or file on the stack (native and node: internals charged to it)\n${top(byCaller, n)}\n`,
);
