import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  type Body,
  type FuzzRequest,
  type Operation,
  operationsOf,
  requestArb,
  type Segment,
} from './fuzz-requests.ts';
import { type Hints, type Schema, SchemaArbitraries } from './fuzz-schema.ts';
import {
  type Api,
  createTenant,
  databaseKind,
  type RequestOptions,
  startHookport,
  type TestHookport,
  vendorApi,
} from './harness.ts';

/**
 * The OpenAPI-driven fuzzer: one Hookport, one tenant per surface with a few
 * real endpoints, events and deliveries, then generated requests against
 * every operation of every document. Properties: no 5xx, every answer in its
 * document (Ajv, via the contract-checked Api), nothing stored changes on a
 * 4xx, no unhandled-error log line, no prototype pollution.
 */

export const vendors = ['spedy', 'helpdesk', 'tsanet', 'rapidly', 'xpath'] as const;
export type SurfaceName = 'native' | (typeof vendors)[number];

export interface Surface {
  name: SurfaceName;
  api: Api;
  ops: Operation[];
  schemas: SchemaArbitraries;
  tenantId: string;
  token: string;
  adminToken: string;
  /** Ids (and event type names) this surface's routes know: the pool valid path parameters come from. */
  ids: string[];
}

export interface FuzzFailure {
  surface: SurfaceName;
  index: number;
  kind: string;
  request: string;
  status: number | null;
  problem: string;
}

export interface FuzzReport {
  surface: SurfaceName;
  seed: number;
  requests: number;
  byStatus: Record<string, number>;
  answered4xx: number;
  /** 4xx answers with every table's committed-write counter compared before and after (all of them). */
  checked4xx: number;
  /** 4xx answers to writing requests with the full t.snapshot() dump compared as well (a sample). */
  snapshotChecked4xx: number;
  /** 2xx answers after which the write counters moved: proof the instrument sees writes. */
  writesSeen: number;
  failures: FuzzFailure[];
}

function documentOf(name: SurfaceName): Schema {
  const url =
    name === 'native'
      ? new URL('../../../spec/openapi.json', import.meta.url)
      : new URL(`../../../compat/openapi/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Schema;
}

/**
 * The seed of this run: FUZZ_SEED when set (to replay a failure), else the fixed default, else a random
 * one in soak. The default differs by database: CI fuzzes once on each, with half the requests each
 * time (the counts in the fuzz files), so its two runs send as many different requests as one run of
 * twice the count, in half the time the same requests twice took.
 */
export function fuzzSeed(fallback: number | 'random'): number {
  const fromEnv = process.env.FUZZ_SEED;
  if (fromEnv && fromEnv !== 'random') return Number(fromEnv);
  if (fromEnv === 'random' || fallback === 'random') return Math.floor(Math.random() * 2 ** 31);
  return databaseKind === 'postgres' ? fallback + 1000 : fallback;
}

/** A Hookport for fuzzing: API role only (no worker changes rows between snapshots), no API rate limit. */
export function startFuzzTarget(): Promise<TestHookport> {
  return startHookport({ HOOKPORT_API_RATE_LIMIT: '0' }, 'api');
}

// ---------------------------------------------------------------------------
// Seeding

/** A value the schema accepts, from its examples where it has them (the way the documents show a request). */
function exampleOf(schemas: SchemaArbitraries, input: Schema, seed: number): unknown {
  const schema = schemas.resolve(input);
  if ('example' in schema) return schema.example;
  if (Array.isArray(schema.allOf)) return exampleOf(schemas, schemas.mergeAll(schema.allOf as Schema[]), seed);
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(union) && union[union.length - 1])
    return exampleOf(schemas, union[union.length - 1] as Schema, seed);
  if (schema.type === 'object' && schema.properties) {
    const out: Record<string, unknown> = {};
    for (const key of (schema.required as string[] | undefined) ?? []) {
      const property = ((schema.properties as Record<string, Schema>)[key] ?? {}) as Schema;
      out[key] = schemas.hasHint(key)
        ? fc.sample(schemas.valueOf(property, 0, key), { seed, numRuns: 1 })[0]
        : exampleOf(schemas, property, seed);
    }
    return out;
  }
  return fc.sample(schemas.valueOf(schema), { seed, numRuns: 1 })[0];
}

const idKey = /^(id|.*Id|.*_id)$/;

/** Every id-like string in a response body (and event type names on the native event-type routes). */
function harvest(body: unknown, into: string[], withNames: boolean): void {
  const walk = (value: unknown, key: string, depth: number): void => {
    if (depth > 6 || value === null || value === undefined) return;
    if (typeof value === 'string') {
      if (
        (idKey.test(key) || (withNames && key === 'name')) &&
        value.length > 0 &&
        value.length < 200 &&
        !into.includes(value)
      ) {
        into.push(value);
      }
      return;
    }
    if (Array.isArray(value)) for (const v of value.slice(0, 20)) walk(v, key, depth + 1);
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1);
  };
  walk(body, '', 0);
  if (into.length > 300) into.splice(0, into.length - 300);
}

async function eventNamesOf(t: TestHookport, token: string): Promise<string[]> {
  const res = await t.api.get<{ data: { name: string }[] }>('/v1/event-types?limit=100', { token });
  return res.body.data.map((e) => e.name);
}

/** Hints: event-name fields get the tenant's real event names, so valid requests get past the catalogue check. */
function hintsFor(names: string[]): Hints {
  const pool = names.length > 0 ? names : ['x.y'];
  const list = fc.subarray(pool, { minLength: 1, maxLength: Math.min(3, pool.length) });
  const one = fc.constantFrom(...pool);
  return {
    events: list,
    eventTypes: list,
    event_types: list,
    enabled_events: list,
    type: one,
    event_type: one,
    eventType: one,
  };
}

function headersFor(surface: Pick<Surface, 'name' | 'tenantId'>): Record<string, string> {
  return surface.name === 'helpdesk' ? { 'x-workspace-id': surface.tenantId } : {};
}

/** One tenant for the surface, a few endpoints made through it, an event with deliveries, and the ids they produced. */
export async function setupSurface(t: TestHookport, name: SurfaceName, seed: number): Promise<Surface> {
  const tenant = await createTenant(t, { presets: name === 'native' ? ['helpdesk'] : [name], name: `fuzz ${name}` });
  const doc = documentOf(name);
  const names = await eventNamesOf(t, tenant.token);
  const schemas = new SchemaArbitraries(doc, hintsFor(names));
  const surface: Surface = {
    name,
    api: name === 'native' ? t.api : vendorApi(t, name),
    ops: operationsOf(doc),
    schemas,
    tenantId: tenant.id,
    token: tenant.token,
    adminToken: t.adminToken,
    ids: [tenant.id, ...names],
  };
  if (name === 'native') {
    const et = await t.api.post('/v1/event-types', {
      token: tenant.token,
      json: { name: 'fuzz.seed', schema: { type: 'object' } },
    });
    harvest(et.body, surface.ids, true);
  }
  // Natively the endpoints are what the seeding makes (the document has other bodied POSTs: portal sessions, test-filter).
  const create = surface.ops.find(
    (op) =>
      op.method === 'POST' &&
      (name !== 'native' || op.template === '/v1/endpoints') &&
      !op.template.includes('{') &&
      op.body !== null &&
      !op.template.includes('tenants') &&
      !op.template.includes('event'),
  );
  if (!create?.body) throw new Error(`${name}: no create operation in the document`);
  for (let i = 0; i < 3; i++) {
    const json =
      name === 'native'
        ? { url: `https://hooks.example.com/seed${i}`, eventTypes: ['*'] }
        : exampleOf(schemas, create.body, seed + i);
    const res = await surface.api.request('POST', create.template, {
      token: tenant.token,
      json,
      headers: headersFor(surface),
    });
    if (res.status >= 300)
      throw new Error(
        `${name}: seeding ${create.template} with ${JSON.stringify(json)} gave ${res.status} ${res.text}`,
      );
    harvest(res.body, surface.ids, false);
  }
  for (const type of [names[0], names[1], 'fuzz.seed']) {
    if (type === undefined) continue;
    const res = await t.api.post('/v1/events', { token: tenant.token, json: { type, data: { seeded: true } } });
    harvest(res.body, surface.ids, false);
  }
  // Read every GET operation once with the ids known so far, to learn delivery and attempt ids.
  for (const op of surface.ops.filter((o) => o.method === 'GET')) {
    const path = op.template.replace(/\{[^}]+\}/g, () => encodeURIComponent(surface.ids[2] ?? 'x'));
    const res = await surface.api.request('GET', path, authOf(surface, op));
    if (res.status < 300) harvest(res.body, surface.ids, op.template.startsWith('/v1/event-types'));
  }
  // A spare token for the token routes to find and revoke: the fuzzing token's own id is never in the pool.
  const spare = await t.api.post(`/v1/tenants/${tenant.id}/tokens`, {
    token: t.adminToken,
    json: { name: 'spare', scopes: ['endpoints:read'] },
  });
  harvest(spare.body, surface.ids, false);
  const tokens = await t.api.get<{ data: { id: string; name: string }[] }>(`/v1/tenants/${tenant.id}/tokens`, {
    token: t.adminToken,
  });
  const own = new Set(tokens.body.data.filter((tk) => tk.name === 'test').map((tk) => tk.id));
  surface.ids = surface.ids.filter((id) => !own.has(id));
  return surface;
}

function authOf(surface: Surface, op: Operation): RequestOptions {
  const token = surface.name === 'native' && op.template.startsWith('/v1/tenants') ? surface.adminToken : surface.token;
  return { token, headers: headersFor(surface) };
}

// ---------------------------------------------------------------------------
// Stored state

/**
 * Counts committed row writes per table: a row-level trigger on every table
 * of the schema t.snapshot() dumps adds one to the table's counter in the
 * writing transaction, so a rolled-back write leaves it as it was and a
 * committed insert, update or delete (or truncate) does not. Reading the
 * counters is one small query however large the tables grow (a full
 * t.snapshot() takes hundreds of milliseconds once the fuzzer has made
 * thousands of deliveries); `fuzzSurface` still compares the full dump around
 * a sample of 4xx answers, to check this instrument against it.
 */
export async function fingerprinter(t: TestHookport): Promise<() => Promise<Record<string, string>>> {
  const schema = `"${t.hp.db.schema.replaceAll('"', '""')}"`;
  const tables = await t.hp.db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
     where table_schema = $1 and table_type = 'BASE TABLE' and table_name <> 'fuzz_writes' order by table_name`,
    [t.hp.db.schema],
  );
  await t.hp.db.query(`create table if not exists ${schema}.fuzz_writes (tbl text primary key, n bigint not null)`);
  await t.hp.db.query(
    `create or replace function ${schema}.fuzz_count_write() returns trigger language plpgsql as $$
     begin
       insert into ${schema}.fuzz_writes as w (tbl, n) values (tg_table_name, 1)
       on conflict (tbl) do update set n = w.n + 1;
       return null;
     end $$`,
  );
  for (const { table_name } of tables) {
    const table = `${schema}."${table_name.replaceAll('"', '""')}"`;
    await t.hp.db.query(`drop trigger if exists fuzz_write on ${table}`);
    await t.hp.db.query(
      `create trigger fuzz_write after insert or update or delete on ${table} for each row execute function ${schema}.fuzz_count_write()`,
    );
    await t.hp.db.query(`drop trigger if exists fuzz_truncate on ${table}`);
    await t.hp.db.query(
      `create trigger fuzz_truncate after truncate on ${table} for each statement execute function ${schema}.fuzz_count_write()`,
    );
  }
  return async () => {
    const rows = await t.hp.db.query<{ tbl: string; n: string | number }>(`select tbl, n from ${schema}.fuzz_writes`);
    return Object.fromEntries(rows.map((r) => [r.tbl, String(r.n)]));
  };
}

function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
}

// ---------------------------------------------------------------------------
// Running

function segmentText(segment: Segment | undefined, own: string[], foreign: string[]): string {
  if (!segment) return 'x';
  if ('raw' in segment) return segment.raw;
  const pool = 'own' in segment ? own : foreign;
  const n = 'own' in segment ? segment.own : segment.foreign;
  return encodeURIComponent(pool[n % Math.max(pool.length, 1)] ?? 'none');
}

function bodyOf(body: Body): string | Uint8Array | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return JSON.stringify(body.value) ?? 'null';
    case 'text':
      return body.text;
    case 'bytes':
      return Uint8Array.from(body.bytes);
    case 'spliced':
      return splice(body.value, body.member, body.raw);
  }
}

/** The JSON text of an object with one member's value (or a new member `x`) replaced by raw text. */
function splice(value: unknown, member: number, raw: string): string {
  const entries = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
  const at = entries.length > 0 ? member % entries.length : -1;
  const members = entries.map(([k, v], i) => `${JSON.stringify(k)}:${i === at ? raw : JSON.stringify(v)}`);
  if (at < 0) members.push(`"x":${raw}`);
  return `{${members.join(',')}}`;
}

interface Resolved {
  method: string;
  path: string;
  opts: RequestOptions;
}

function resolve(surface: Surface, req: FuzzRequest, foreign: string[]): Resolved {
  const op = surface.ops[req.op] as Operation;
  const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    segmentText(req.segments[name], surface.ids, foreign),
  );
  const query = req.query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
  const auth = authOf(surface, op);
  const headers: Record<string, string> = { ...auth.headers };
  for (const [k, v] of req.headers) headers[k] = v;
  const body = bodyOf(req.body);
  if (body !== undefined && req.contentType !== null) headers['content-type'] = req.contentType;
  return { method: op.method, path: query ? `${path}?${query}` : path, opts: { token: auth.token, headers, body } };
}

function describe(r: Resolved): string {
  const body = r.opts.body;
  const shown = typeof body === 'string' ? body.slice(0, 300) : body ? `<${body.length} bytes>` : '';
  return `${r.method} ${r.path.slice(0, 300)} ${JSON.stringify(r.opts.headers ?? {}).slice(0, 200)} ${shown}`;
}

/** How many full t.snapshot() comparisons a run makes at most (the write counters are checked always). */
const fullSnapshots = 12;

/**
 * Sends `count` generated requests to one surface. The write counters are
 * read after every request, so each 4xx is checked to have written no row;
 * around a sample of writing requests the full t.snapshot() dump is compared
 * too. Failures are collected, not thrown, so one run reports them all.
 */
export async function fuzzSurface(
  t: TestHookport,
  surface: Surface,
  foreign: string[],
  options: { seed: number; count: number },
): Promise<FuzzReport> {
  const requests = fc.sample(requestArb(surface.ops, surface.schemas), { seed: options.seed, numRuns: options.count });
  const report: FuzzReport = {
    surface: surface.name,
    seed: options.seed,
    requests: 0,
    byStatus: {},
    answered4xx: 0,
    checked4xx: 0,
    snapshotChecked4xx: 0,
    writesSeen: 0,
    failures: [],
  };
  const fingerprint = await fingerprinter(t);
  let before = await fingerprint();
  let writes = 0;
  const fullEvery = Math.max(25, Math.floor(options.count / fullSnapshots / 2));
  for (const [index, req] of requests.entries()) {
    const r = resolve(surface, req, foreign);
    const fail = (status: number | null, problem: string) =>
      report.failures.push({ surface: surface.name, index, kind: req.kind, request: describe(r), status, problem });
    const full = r.method !== 'GET' && writes++ % fullEvery === 0 ? await t.snapshot() : null;
    report.requests++;
    let status: number | null = null;
    try {
      const res = await surface.api.request(r.method, r.path, r.opts);
      status = res.status;
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      if (status >= 500) fail(status, res.text.slice(0, 300));
      else if (status >= 400) report.answered4xx++;
      else if (r.method !== 'GET')
        harvest(res.body, surface.ids, surface.name === 'native' && r.path.startsWith('/v1/event-types'));
    } catch (err) {
      fail(status, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
    const after = await fingerprint();
    if (status === null || status < 400 || status >= 500) {
      // The instrument works: successful writes do move the counters.
      if (status !== null && status < 300 && changedTables(before, after).length > 0) report.writesSeen++;
      before = after;
      continue;
    }
    report.checked4xx++;
    const changed = changedTables(before, after);
    if (changed.length > 0) fail(status, `a ${status} changed stored rows in ${changed.join(', ')}`);
    if (full !== null) {
      report.snapshotChecked4xx++;
      if ((await t.snapshot()) !== full) fail(status, `a ${status} changed the t.snapshot() dump`);
    }
    before = after;
  }
  return report;
}

/** A readable summary of failures for an assertion message, with the seed to replay them. */
export function failureText(reports: FuzzReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    for (const f of r.failures.slice(0, 8)) {
      lines.push(
        `[${r.surface} seed=${r.seed} #${f.index} ${f.kind}] ${f.status ?? '-'} ${f.problem}\n    ${f.request}`,
      );
    }
    if (r.failures.length > 8) lines.push(`[${r.surface}] … ${r.failures.length - 8} more`);
  }
  return lines.length ? `Replay with FUZZ_SEED=${reports[0]?.seed}:\n${lines.join('\n')}` : '';
}

/** One line per surface for the log and docs/reliability/hostile-input.md. */
export function summaryLine(r: FuzzReport): string {
  const statuses = Object.entries(r.byStatus)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `${r.surface}: ${r.requests} requests (${statuses}); ${r.answered4xx} 4xx, ${r.checked4xx} of them with every table's write counter compared before and after, ${r.snapshotChecked4xx} with the full snapshot too; ${r.writesSeen} 2xx seen writing; failures ${r.failures.length}`;
}
