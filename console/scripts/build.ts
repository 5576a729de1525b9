/**
 * Builds the console into console/dist with Vite (the same as `pnpm --filter @hookport/console build`),
 * as a function: the test setups call it so the server they start serves the console's current source.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const consoleDist = fileURLToPath(new URL('../dist/', import.meta.url));

export async function buildConsole(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), logLevel: 'warn' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
