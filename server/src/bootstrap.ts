import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, ConfigError } from './config.ts';

/** HOOKPORT_DATA_DIR value for a throw-away in-memory database (tests, demos). */
export const inMemory = ':memory:';

export interface Secrets {
  secretKey: Buffer;
  adminToken: string | undefined;
  /** Where the admin token is kept, when Hookport generated it. */
  adminTokenFile: string | undefined;
  /** Set only on the start that generated the admin token, so it is printed exactly once. */
  newAdminToken: string | undefined;
}

async function readOrCreate(file: string, make: () => string): Promise<{ value: string; created: boolean }> {
  try {
    return { value: (await readFile(file, 'utf8')).trim(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const value = make();
    // wx: never overwrite a file another process wrote in between; 0600: secrets are for the owner only.
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  }
}

/**
 * The encryption key and admin token. With PostgreSQL they must come from the
 * environment (several processes must agree on them); in embedded mode they
 * are generated once and kept under the data directory.
 */
export async function resolveSecrets(config: Config): Promise<Secrets> {
  if (config.databaseUrl !== undefined) {
    if (!config.secretKey) {
      throw new ConfigError(
        'HOOKPORT_SECRET_KEY is required with DATABASE_URL: 32 bytes as 64 hex characters (openssl rand -hex 32).',
      );
    }
    return {
      secretKey: config.secretKey,
      adminToken: config.adminToken,
      adminTokenFile: undefined,
      newAdminToken: undefined,
    };
  }
  if (config.dataDir === inMemory) {
    const adminToken = config.adminToken ?? `hpa_${randomBytes(32).toString('base64url')}`;
    return {
      secretKey: config.secretKey ?? randomBytes(32),
      adminToken,
      adminTokenFile: undefined,
      newAdminToken: config.adminToken ? undefined : adminToken,
    };
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const key = config.secretKey
    ? { value: config.secretKey.toString('hex'), created: false }
    : await readOrCreate(join(config.dataDir, 'secret.key'), () => randomBytes(32).toString('hex'));
  if (config.adminToken) {
    return {
      secretKey: Buffer.from(key.value, 'hex'),
      adminToken: config.adminToken,
      adminTokenFile: undefined,
      newAdminToken: undefined,
    };
  }
  const adminTokenFile = join(config.dataDir, 'admin-token');
  const admin = await readOrCreate(adminTokenFile, () => `hpa_${randomBytes(32).toString('base64url')}`);
  return {
    secretKey: Buffer.from(key.value, 'hex'),
    adminToken: admin.value,
    adminTokenFile,
    newAdminToken: admin.created ? admin.value : undefined,
  };
}
