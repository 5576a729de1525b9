import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  type Config,
  createLogger,
  type Hookport,
  type HookportOptions,
  loadConfig,
  openHookport,
  openPostgres,
  pgliteTemplate,
  type Role,
} from '@hookport/server';
import { ContractValidator } from './contract.ts';
import type { CreatedToken, Tenant } from './types.ts';

export const nativeContract = ContractValidator.fromFile(
  new URL('../../../spec/openapi.json', import.meta.url),
  'native',
);

/** The database this run uses: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise. */
export const databaseKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | undefined;
  json?: unknown;
  /** A raw body, sent as is (for malformed input). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

type FetchFn = (req: Request) => Response | Promise<Response>;

export class Api {
  readonly #fetch: FetchFn;
  readonly #contract: ContractValidator | null;

  constructor(fetchFn: FetchFn, contract: ContractValidator | null) {
    this.#fetch = fetchFn;
    this.#contract = contract;
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers = new Headers(opts.headers);
    if (opts.token !== undefined) headers.set('authorization', `Bearer ${opts.token}`);
    let body: RequestInit['body'];
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    } else if (opts.body !== undefined) {
      body = opts.body;
    }
    const res = await this.#fetch(new Request(`http://hookport.test${path}`, { method, headers, body }));
    const text = await res.text();
    const contentType = res.headers.get('content-type');
    const parsed = text !== '' && contentType?.includes('json') ? JSON.parse(text) : text === '' ? undefined : text;
    this.#contract?.check(method, path, res.status, contentType, parsed);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, opts);
  }
  post<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('POST', path, opts);
  }
  patch<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('PATCH', path, opts);
  }
  put<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('PUT', path, opts);
  }
  delete<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, opts);
  }
}

export interface TestHookport {
  hp: Hookport;
  config: Config;
  adminToken: string;
  /** Requests checked against spec/openapi.json. */
  api: Api;
  /** Requests with no contract check (unknown routes, raw protocol errors). */
  raw: Api;
  /** Every log line the server wrote. */
  logs: string[];
  /** A stable dump of every table, to prove a request changed nothing. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the real server in-process on a database of its own: a fresh schema
 * on PostgreSQL (dropped at close) or a fresh in-memory PGlite.
 */
export async function startHookport(
  env: Record<string, string> = {},
  role: Role = 'all',
  options: HookportOptions = {},
): Promise<TestHookport> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const adminToken = `hpa_${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    HOOKPORT_DB_SCHEMA: schema,
    HOOKPORT_DATA_DIR: ':memory:',
    HOOKPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    HOOKPORT_ADMIN_TOKEN: adminToken,
    HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.0/8',
    HOOKPORT_RETRY_SCHEDULE: '1,1,2',
    // Off unless a test turns it on (rate-limit*.test.ts): suites send bursts, and their snapshots
    // must not see the counter.
    HOOKPORT_API_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  // A fresh in-memory database loads a dumped empty cluster instead of running initdb (pglite-template.ts).
  const embeddedTemplate = databaseKind === 'pglite' ? await pgliteTemplate() : undefined;
  const hp = await openHookport(config, createLogger(config.logLevel, sink), role, { embeddedTemplate, ...options });
  const fetchFn = (req: Request) => hp.app.fetch(req);
  return {
    hp,
    config,
    adminToken,
    api: new Api(fetchFn, nativeContract),
    raw: new Api(fetchFn, null),
    logs,
    snapshot: () => snapshotTables(hp),
    async close() {
      await hp.close();
      if (config.databaseUrl) {
        const admin = openPostgres({ url: config.databaseUrl, schema: 'public', max: 1 });
        await admin.query(`drop schema if exists "${schema}" cascade`);
        await admin.query(`drop schema if exists "${schema}_boss" cascade`);
        await admin.close();
      }
    },
  };
}

/**
 * Sends a body as a stream with no Content-Length, as a chunked upload would arrive, so the
 * server can only learn its size by counting. No contract check: callers add the one they need.
 */
export async function streamedRequest(
  t: TestHookport,
  method: string,
  path: string,
  bytes: Uint8Array,
  headers: Record<string, string>,
): Promise<ApiResponse> {
  const chunkSize = 64 * 1024;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += chunkSize) controller.enqueue(bytes.slice(at, at + chunkSize));
      controller.close();
    },
  });
  // `duplex` is required by undici for a streamed request body; lib.dom's RequestInit does not know it yet.
  const init: RequestInit & { duplex: 'half' } = { method, headers, body, duplex: 'half' };
  const res = await t.hp.app.fetch(new Request(`http://hookport.test${path}`, init));
  const text = await res.text();
  const contentType = res.headers.get('content-type');
  const parsed: unknown = text !== '' && contentType?.includes('json') ? JSON.parse(text) : text;
  return { status: res.status, headers: res.headers, body: parsed, text };
}

async function snapshotTables(hp: Hookport): Promise<string> {
  const tables = await hp.db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
     where table_schema = $1 and table_type = 'BASE TABLE' order by table_name`,
    [hp.db.schema],
  );
  const dump: Record<string, unknown[]> = {};
  for (const { table_name } of tables) {
    dump[table_name] = await hp.db.query(`select * from "${table_name}" order by 1`);
  }
  return JSON.stringify(dump);
}

export interface TenantFixture {
  id: string;
  token: string;
}

/** A tenant with one token of the given scopes (all by default) and the helpdesk catalogue. */
export async function createTenant(
  t: TestHookport,
  opts: { scopes?: string[]; presets?: string[]; name?: string } = {},
): Promise<TenantFixture> {
  const tenant = await t.api.post<Tenant>('/v1/tenants', {
    token: t.adminToken,
    json: { name: opts.name ?? 'Acme', presets: opts.presets ?? ['helpdesk'] },
  });
  if (tenant.status !== 201) throw new Error(`tenant create failed: ${tenant.text}`);
  const token = await t.api.post<CreatedToken>(`/v1/tenants/${tenant.body.id}/tokens`, {
    token: t.adminToken,
    json: { name: 'test', scopes: opts.scopes ?? ['*'] },
  });
  if (token.status !== 201) throw new Error(`token create failed: ${token.text}`);
  return { id: tenant.body.id, token: token.body.token };
}

/** A token of another scope set for an existing tenant. */
export async function createToken(t: TestHookport, tenantId: string, scopes: string[]): Promise<string> {
  const res = await t.api.post<CreatedToken>(`/v1/tenants/${tenantId}/tokens`, {
    token: t.adminToken,
    json: { name: `scoped ${scopes.join(' ')}`, scopes },
  });
  if (res.status !== 201) throw new Error(`token create failed: ${res.text}`);
  return res.body.token;
}

/**
 * Requests to a vendor surface, every response checked against that vendor's
 * committed OpenAPI document (compat/openapi/<vendor>.json) by Ajv.
 */
export function vendorApi(t: TestHookport, vendor: string): Api {
  const contract = ContractValidator.fromFile(
    new URL(`../../../compat/openapi/${vendor}.json`, import.meta.url),
    vendor,
  );
  return new Api((req) => t.hp.app.fetch(req), contract);
}
