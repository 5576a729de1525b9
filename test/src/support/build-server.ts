import { buildServer } from '../../../server/scripts/build.ts';

/**
 * Vitest's global setup of the end-to-end projects: the `hookport` bin runs the compiled server
 * (server/dist/cli.js), and the tests that start it (bin-process.ts, the quick start) must run the
 * source as it is now, not a bundle an earlier `pnpm build` left. esbuild takes well under a second.
 */
export async function setup(): Promise<void> {
  await buildServer();
}
