import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hookport } from '../../../sdk/src/index.ts';
import { CliError, type CliIo } from './io.ts';

// The CLI talks to Hookport through the public API with the workspace's typed SDK. It imports the
// SDK's source (run by tsx like the rest of the server) because the package's entry is its build.

export const defaultUrl = 'http://127.0.0.1:8080';

export interface ConnectionFlags {
  url?: string | undefined;
  token?: string | undefined;
}

export function apiUrl(flags: ConnectionFlags, io: CliIo): string {
  return flags.url ?? (io.env.HOOKPORT_URL || defaultUrl);
}

function client(url: string, token: string, io: CliIo): Hookport {
  return new Hookport({ baseUrl: url, token, maxRetries: 1, ...(io.fetch ? { fetch: io.fetch } : {}) });
}

/** A client with a tenant's API token: --token, else HOOKPORT_TOKEN. */
export function tenantClient(flags: ConnectionFlags, io: CliIo): Hookport {
  const token = flags.token ?? io.env.HOOKPORT_TOKEN;
  if (!token) {
    throw new CliError('No API token: pass --token or set HOOKPORT_TOKEN (hookport token create prints one).');
  }
  return client(apiUrl(flags, io), token, io);
}

/**
 * The admin token, which manages tenants and tokens: --token, else
 * HOOKPORT_ADMIN_TOKEN (the variable the server reads), else the file the
 * embedded server keeps it in, `<HOOKPORT_DATA_DIR or .hookport>/admin-token`.
 * HOOKPORT_TOKEN is not used here: it usually holds a tenant's token.
 */
export function adminToken(flags: ConnectionFlags, io: CliIo): string {
  const given = flags.token ?? io.env.HOOKPORT_ADMIN_TOKEN;
  if (given) return given;
  const file = join(io.env.HOOKPORT_DATA_DIR || '.hookport', 'admin-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  } catch {
    // No file: the message below says where it was looked for.
  }
  throw new CliError(
    `No admin token: pass --token, set HOOKPORT_ADMIN_TOKEN, or run where ${file} exists (hookport serve writes it on the embedded database).`,
  );
}

export function adminClient(flags: ConnectionFlags, io: CliIo): Hookport {
  return client(apiUrl(flags, io), adminToken(flags, io), io);
}
