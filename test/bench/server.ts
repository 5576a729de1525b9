/**
 * The server under measurement: the workspace's @hookport/server, or the copy BENCH_SERVER names
 * (settings.ts). Every phase reaches the server through this module, so one knob switches them all.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serverEntry } from './settings.ts';

export const { createLogger, loadConfig, openHookport, openPostgres } = (await import(
  serverEntry ?? '@hookport/server'
)) as typeof import('@hookport/server');

/** The CLI phase f starts as a `hookport worker` process: the one next to the measured server. */
export const cliPath = serverEntry
  ? fileURLToPath(new URL('./cli.ts', pathToFileURL(serverEntry)))
  : 'server/src/cli.ts';
