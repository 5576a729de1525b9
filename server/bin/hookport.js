#!/usr/bin/env -S node --max-semi-space-size=8
// Loads the TypeScript CLI through tsx in this same process, so signals (SIGTERM
// for a graceful stop) reach Hookport itself and no extra node process runs.
//
// --max-semi-space-size=8 (in the line above; npm's and pnpm's bin shims pass it on too): V8 sizes the
// young generation by the machine's memory, and on a large machine a busy worker's RSS is mostly that
// head-room, not live data (docs/benchmarks.md, bottleneck 7: 195 → 165 MB peak for the worker).
// `node server/bin/hookport.js` skips the line: pass the flag there, or set it in NODE_OPTIONS.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
