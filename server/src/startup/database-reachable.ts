import type { Queryable } from '../db/database.ts';
import { sleep, type Timers } from '../delivery/timers.ts';
import { StartupError } from './startup-error.ts';

/** DATABASE_URL with its password replaced, fit to print. */
export function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(DATABASE_URL is not a URL)';
  }
}

/**
 * Errors that mean "nothing answered (yet)": worth retrying, since a database started alongside
 * Hookport (docker compose, a restarting server) answers a few seconds later. The driver's codes:
 * Node's socket errors, postgres.js's CONNECT_TIMEOUT, and PostgreSQL's own "starting up" (57P03).
 */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // A host name that does not resolve yet: a database container that has not started.
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P03',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && unreachableCodes.has(code);
}

/**
 * One line for a connection PostgreSQL answered and refused, naming DATABASE_URL (masked). The
 * server's own message already names the database or role ("database "x" does not exist").
 */
export function describeRefusal(err: unknown, url: string): string {
  const where = `DATABASE_URL=${maskedUrl(url)}`;
  const message = messageOf(err);
  switch (codeOf(err)) {
    case '3D000': // invalid_catalog_name
      return `PostgreSQL: ${message} (${where}). Create it (createdb) or fix DATABASE_URL.`;
    case '28000': // invalid_authorization_specification: an unknown role, or no pg_hba.conf entry
    case '28P01': // invalid_password
      return `PostgreSQL refused the login: ${message} (${where}). Fix the user or password in DATABASE_URL.`;
    default:
      return `PostgreSQL refused the connection: ${message} (${where}).`;
  }
}

export interface ReachOptions {
  timers: Timers;
  /** Milliseconds since some fixed point (Date.now, or a test's clock). */
  now(): number;
  /** How long to keep trying while nothing answers. */
  patienceMs: number;
  /** Pause between tries. */
  retryMs: number;
  /** Told once, when the first try found nothing answering. */
  onWaiting?(line: string): void;
}

export const defaultReach: Omit<ReachOptions, 'timers' | 'now' | 'onWaiting'> = { patienceMs: 10_000, retryMs: 500 };

/**
 * Waits until PostgreSQL answers `select 1`, retrying while nothing answers, for at most
 * `patienceMs`. A refusal (no such database or role, a wrong password) is final at once.
 * Throws a StartupError with one line naming DATABASE_URL.
 */
export async function waitForPostgres(db: Pick<Queryable, 'query'>, url: string, options: ReachOptions): Promise<void> {
  const started = options.now();
  let told = false;
  for (;;) {
    try {
      await db.query('select 1');
      return;
    } catch (err) {
      if (!isUnreachable(err)) throw new StartupError(describeRefusal(err, url));
      const waited = options.now() - started;
      if (waited + options.retryMs > options.patienceMs) {
        throw new StartupError(
          `PostgreSQL is unreachable (${codeOf(err)}: ${messageOf(err)}) at DATABASE_URL=${maskedUrl(url)}; ` +
            `gave up after ${Math.round(options.patienceMs / 1000)} s. Start PostgreSQL or fix DATABASE_URL.`,
        );
      }
      if (!told) {
        told = true;
        options.onWaiting?.(
          `PostgreSQL at DATABASE_URL=${maskedUrl(url)} is not answering (${codeOf(err)}); ` +
            `retrying for up to ${Math.round(options.patienceMs / 1000)} s`,
        );
      }
      await sleep(options.timers, options.retryMs);
    }
  }
}
