import type { QuotaLimit, TenantLimits } from '@hookport/spec';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** One parsed CIDR range of the egress allowlist. */
export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const cidrList = z
  .string()
  .default('')
  .transform((value, ctx): Cidr[] => {
    const out: Cidr[] = [];
    for (const part of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      try {
        out.push(part.includes('/') ? ipaddr.parseCIDR(part) : cidrOfAddress(part));
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not a CIDR range (e.g. 10.0.0.0/8, fd00::/8)` });
      }
    }
    return out;
  });

function cidrOfAddress(text: string): Cidr {
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

const secondsList = z
  .string()
  .optional()
  .transform((value, ctx): number[] | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    const items = value.split(',').map((s) => s.trim());
    const parts = items.map(Number);
    if (items.some((s) => s === '') || parts.some((n) => !Number.isFinite(n) || n < 0 || n > 7 * 24 * 3600)) {
      ctx.addIssue({ code: 'custom', message: 'must be comma-separated seconds, each 0 to 604800 (e.g. 5,300,1800)' });
      return undefined;
    }
    return parts;
  });

/** HOOKPORT_SECRET_KEY: 32 bytes, as 64 hex characters or base64. */
const secretKey = z
  .string()
  .optional()
  .transform((value, ctx): Buffer | undefined => {
    if (value === undefined || value === '') return undefined;
    const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes: 64 hex characters or 44 base64 characters' });
      return undefined;
    }
    return key;
  });

/** A default per-tenant quota: a positive number, or `unlimited` (also written `0`, like HOOKPORT_API_RATE_LIMIT). */
function quotaLimit(fallback: QuotaLimit) {
  return z
    .string()
    .default(String(fallback))
    .transform((value, ctx): QuotaLimit => {
      const text = value.trim().toLowerCase();
      if (text === 'unlimited' || text === '0') return 'unlimited';
      const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(n) || n > 1_000_000_000) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number up to 1000000000, or unlimited (or 0)' });
        return 'unlimited';
      }
      return n;
    });
}

export const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  HOOKPORT_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,50}$/, 'must be a lower-case SQL identifier')
    .default('hookport'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  HOOKPORT_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  HOOKPORT_SECRET_KEY: secretKey,
  HOOKPORT_DATA_DIR: z.string().min(1).default('.hookport'),
  HOOKPORT_EGRESS_ALLOWLIST: cidrList,
  HOOKPORT_RETRY_SCHEDULE: secondsList,
  HOOKPORT_MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  HOOKPORT_MAX_EVENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  HOOKPORT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  HOOKPORT_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  HOOKPORT_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(0).default(100),
  HOOKPORT_DISABLE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 24 * 3600),
  HOOKPORT_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  HOOKPORT_SHUTDOWN_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  HOOKPORT_PUBLIC_URL: z.url().optional(),
  // Requests per window per API token (the admin token counts as one token); 0 turns the limit off.
  HOOKPORT_API_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000_000).default(6000),
  HOOKPORT_API_RATE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(60),
  HOOKPORT_MAX_ENDPOINTS_PER_TENANT: quotaLimit(100),
  HOOKPORT_MAX_EVENT_TYPES_PER_TENANT: quotaLimit(1000),
  HOOKPORT_MAX_TOKENS_PER_TENANT: quotaLimit(50),
  HOOKPORT_MAX_EVENTS_PER_DAY: quotaLimit('unlimited'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  databaseUrl: string | undefined;
  dbSchema: string;
  port: number;
  host: string;
  adminToken: string | undefined;
  secretKey: Buffer | undefined;
  dataDir: string;
  egressAllowlist: Cidr[];
  retrySchedule: number[] | undefined;
  maxRequestBytes: number;
  maxEventBytes: number;
  workerConcurrency: number;
  endpointConcurrency: number;
  disableAfterFailures: number;
  disableAfterSeconds: number;
  shutdownSeconds: number;
  deliveryTimeoutMs: number;
  publicUrl: string | undefined;
  /** Requests per window per API token; 0 means no limit. */
  apiRateLimit: number;
  apiRateWindowSeconds: number;
  /** Each tenant's quotas unless the admin set its own (docs/api.md, "Quotas"). */
  quotas: TenantLimits;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once, at start; a bad value stops the process with every problem listed. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset (PORT= must not mean port 0).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.HOOKPORT_DB_SCHEMA,
    port: e.PORT,
    host: e.HOST,
    adminToken: e.HOOKPORT_ADMIN_TOKEN,
    secretKey: e.HOOKPORT_SECRET_KEY,
    dataDir: e.HOOKPORT_DATA_DIR,
    egressAllowlist: e.HOOKPORT_EGRESS_ALLOWLIST,
    retrySchedule: e.HOOKPORT_RETRY_SCHEDULE,
    maxRequestBytes: e.HOOKPORT_MAX_REQUEST_BYTES,
    maxEventBytes: e.HOOKPORT_MAX_EVENT_BYTES,
    workerConcurrency: e.HOOKPORT_WORKER_CONCURRENCY,
    endpointConcurrency: e.HOOKPORT_ENDPOINT_CONCURRENCY,
    disableAfterFailures: e.HOOKPORT_DISABLE_AFTER_FAILURES,
    disableAfterSeconds: e.HOOKPORT_DISABLE_AFTER_SECONDS,
    shutdownSeconds: e.HOOKPORT_SHUTDOWN_SECONDS,
    deliveryTimeoutMs: e.HOOKPORT_DELIVERY_TIMEOUT_MS,
    publicUrl: e.HOOKPORT_PUBLIC_URL,
    apiRateLimit: e.HOOKPORT_API_RATE_LIMIT,
    apiRateWindowSeconds: e.HOOKPORT_API_RATE_WINDOW_SECONDS,
    quotas: {
      endpoints: e.HOOKPORT_MAX_ENDPOINTS_PER_TENANT,
      eventTypes: e.HOOKPORT_MAX_EVENT_TYPES_PER_TENANT,
      tokens: e.HOOKPORT_MAX_TOKENS_PER_TENANT,
      eventsPerDay: e.HOOKPORT_MAX_EVENTS_PER_DAY,
    },
    logLevel: e.LOG_LEVEL,
  };
}
