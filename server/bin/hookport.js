#!/usr/bin/env node
// Loads the TypeScript CLI through tsx in this same process, so signals (SIGTERM
// for a graceful stop) reach Hookport itself and no extra node process runs.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
