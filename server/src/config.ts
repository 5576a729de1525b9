import type { QuotaLimit, TenantLimits } from '@hookport/spec';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { type NoProxyRules, parseNoProxy } from './shared/no-proxy.ts';
import { type TracingSettings, tracingSettings } from './tracing/settings.ts';

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

/**
 * The egress proxy's URL. Its value is never echoed in a problem: it may carry credentials.
 */
const proxyUrl = z
  .string()
  .optional()
  .transform((value, ctx): URL | undefined => {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a URL (e.g. http://smokescreen.internal:4750)' });
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL of a CONNECT proxy' });
    } else if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      ctx.addIssue({ code: 'custom', message: 'must be the proxy origin only, without a path or a query' });
    }
    return url;
  });

const noProxyList = z
  .string()
  .default('')
  .transform((value, ctx): NoProxyRules => {
    const { rules, problems } = parseNoProxy(value);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return rules;
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
  HOOKPORT_EGRESS_PROXY: proxyUrl,
  HOOKPORT_EGRESS_NO_PROXY: noProxyList,
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
  // Threads that compile tenants' schemas and check events' data (core/schema-pool.ts), and the time
  // one such job may take before its thread is replaced and the request refused (422 schema_too_costly).
  HOOKPORT_SCHEMA_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  HOOKPORT_SCHEMA_BUDGET_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  // The console's branding for portal sessions (docs/console.md, "Portal"), served at /console/branding.json.
  HOOKPORT_PORTAL_NAME: z.string().trim().min(1).max(100).optional(),
  HOOKPORT_PORTAL_LOGO_URL: z
    .string()
    .refine(
      (v) => /^https:\/\/[^\s"'<>]+$/.test(v) || /^\/(?!\/)[^\s"'<>]*$/.test(v),
      'must be an https:// URL or a path on this host (/…)',
    )
    .optional(),
  HOOKPORT_PORTAL_ACCENT: z
    .string()
    .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a CSS hex colour such as #0a7cff')
    .optional(),
  // Space-separated origins allowed to frame the console (CSP frame-ancestors); unset: none may.
  HOOKPORT_PORTAL_FRAME_ANCESTORS: z
    .string()
    .trim()
    .transform((v) => v.split(/\s+/).filter((o) => o.length > 0))
    .pipe(
      z.array(z.string().regex(/^https?:\/\/[a-zA-Z0-9.*:[\]-]+$/, 'each origin must look like https://host[:port]')),
    )
    .optional(),
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
  // GET /metrics answers only `Authorization: Bearer <token>` when set; open otherwise.
  HOOKPORT_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // A port of its own serving GET /metrics alone (worker processes serve no API); unset: none.
  HOOKPORT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // Days an event is kept once all its deliveries have finished, unless the admin set the tenant's own.
  HOOKPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface PortalBranding {
  name: string | null;
  logoUrl: string | null;
  accent: string | null;
  /** Origins allowed to frame the console; empty: none (frame-ancestors 'none'). */
  frameAncestors: readonly string[];
}

/** HOOKPORT_EGRESS_PROXY with HOOKPORT_EGRESS_NO_PROXY (docs/delivery.md, "Egress proxy"). */
export interface EgressProxy {
  /** May carry credentials: never logged. */
  url: URL;
  noProxy: NoProxyRules;
}

export interface Config {
  databaseUrl: string | undefined;
  dbSchema: string;
  port: number;
  host: string;
  adminToken: string | undefined;
  secretKey: Buffer | undefined;
  dataDir: string;
  egressAllowlist: Cidr[];
  /** The CONNECT proxy every delivery goes through (but those noProxy sends direct); undefined: none. */
  egressProxy: EgressProxy | undefined;
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
  /** Schema pool threads (HOOKPORT_SCHEMA_THREADS). */
  schemaThreads: number;
  /** Longest one schema compile or data check may run (HOOKPORT_SCHEMA_BUDGET_MS). */
  schemaBudgetMs: number;
  /** The console's branding and framing for portal sessions. */
  portal: PortalBranding;
  /** Requests per window per API token; 0 means no limit. */
  apiRateLimit: number;
  apiRateWindowSeconds: number;
  /** Each tenant's quotas unless the admin set its own (docs/api.md, "Quotas"). */
  quotas: TenantLimits;
  /** The bearer token GET /metrics needs; undefined: open. */
  metricsToken: string | undefined;
  /** The metrics port (any role); undefined: /metrics on the API port only. */
  metricsPort: number | undefined;
  /** Days an event is kept once its deliveries finished, for tenants without their own (docs/retention.md). */
  retentionDays: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** OpenTelemetry tracing from the standard OTEL_* variables; null when off (docs/tracing.md). */
  tracing: TracingSettings | null;
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
  // The OTEL_* variables follow OpenTelemetry's own names and rules, so they are read apart from the schema.
  const tracing = tracingSettings(present);
  if (!parsed.success || tracing.problems.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues;
    const lines = issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${[...lines, ...tracing.problems].join('\n')}`);
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
    egressProxy: e.HOOKPORT_EGRESS_PROXY && { url: e.HOOKPORT_EGRESS_PROXY, noProxy: e.HOOKPORT_EGRESS_NO_PROXY },
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
    schemaThreads: e.HOOKPORT_SCHEMA_THREADS,
    schemaBudgetMs: e.HOOKPORT_SCHEMA_BUDGET_MS,
    portal: {
      name: e.HOOKPORT_PORTAL_NAME ?? null,
      logoUrl: e.HOOKPORT_PORTAL_LOGO_URL ?? null,
      accent: e.HOOKPORT_PORTAL_ACCENT ?? null,
      frameAncestors: e.HOOKPORT_PORTAL_FRAME_ANCESTORS ?? [],
    },
    apiRateLimit: e.HOOKPORT_API_RATE_LIMIT,
    apiRateWindowSeconds: e.HOOKPORT_API_RATE_WINDOW_SECONDS,
    quotas: {
      endpoints: e.HOOKPORT_MAX_ENDPOINTS_PER_TENANT,
      eventTypes: e.HOOKPORT_MAX_EVENT_TYPES_PER_TENANT,
      tokens: e.HOOKPORT_MAX_TOKENS_PER_TENANT,
      eventsPerDay: e.HOOKPORT_MAX_EVENTS_PER_DAY,
    },
    metricsToken: e.HOOKPORT_METRICS_TOKEN,
    metricsPort: e.HOOKPORT_METRICS_PORT,
    retentionDays: e.HOOKPORT_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    tracing: tracing.settings,
  };
}
