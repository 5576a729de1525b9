import { buildConsole } from '../../../console/scripts/build.ts';
import { buildServer } from '../../../server/scripts/build.ts';

/**
 * Vitest's global setup of the end-to-end and browser projects: the `hookport` bin runs the compiled
 * server (server/dist/cli.js), and the tests that start it (bin-process.ts, the quick start) must run the
 * source as it is now, not a bundle an earlier `pnpm build` left. The console is built first, as the
 * server's build copies it (dist/console/) and the in-process server serves console/dist/. esbuild and
 * Vite take a second or two.
 */
export async function setup(): Promise<void> {
  await buildConsole();
  await buildServer();
}
