#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
// Runs the compiled CLI (dist/cli.js, built by `pnpm build`; scripts/build.ts) in this same process
// with plain node, so signals (SIGTERM for a graceful stop) reach Hookport itself and no extra node
// process or TypeScript loader runs.
//
// The V8 flags in the line above (npm's and pnpm's bin shims pass them on too) bound the heap by what
// is live rather than by the machine's memory; a busy worker's RSS was mostly V8's head-room:
// - --max-semi-space-size=8: V8 sizes the young generation by the machine's memory (docs/benchmarks.md,
//   bottleneck 7: 195 → 165 MB peak for the worker).
// - --heap-growing-percent=50: the next full GC comes when the old generation is 1.5 × what the last
//   one left, not up to 3 × as V8 picks by itself when its collections are quick: over 60,000
//   deliveries the worker's live heap stayed at about 40 MB while its RSS reached 273 MB; with the
//   flag 169 MB, at the same rate (docs/benchmarks.md, "Worker memory").
// `node server/bin/hookport.js` skips the line: pass the flags on node's command line, as the root
// package.json's start and worker scripts do (cli-flags.test.ts keeps them the same). NODE_OPTIONS
// takes --max-semi-space-size but refuses --heap-growing-percent.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await import(cli.href);
} catch (error) {
  // A checkout where nothing built the server yet: say what to run rather than print a module error.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(fileURLToPath(cli))) throw error;
  process.stderr.write('hookport: the server is not built (dist/cli.js is missing); run `pnpm build` first.\n');
  process.exitCode = 1;
}
