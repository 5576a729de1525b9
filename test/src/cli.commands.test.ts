/**
 * Each `hookport` API command against the real server (in-process, its fetch)
 * and `hookport listen` as a real receiver on 127.0.0.1: the commands' output,
 * their exit codes, and what they changed on the server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../server/src/cli/io.ts';
import { runCli } from '../../server/src/cli/main.ts';
import { startHookport, type TestHookport } from './support/harness.ts';
import { startReceiver } from './support/receiver.ts';
import { until } from './support/until.ts';

let t: TestHookport;
let dataDir: string;

beforeAll(async () => {
  // The loopback addresses hookport serve --dev allows, so endpoints may point at hookport listen.
  t = await startHookport({ HOOKPORT_EGRESS_ALLOWLIST: '127.0.0.1,::1', HOOKPORT_RETRY_SCHEDULE: '0' });
  dataDir = await mkdtemp(join(tmpdir(), 'hookport-cli-'));
  await writeFile(join(dataDir, 'admin-token'), `${t.adminToken}\n`);
});
afterAll(async () => {
  await t?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** A CLI whose API calls reach the in-process server; `env` as a shell would have it. */
function cli(env: Record<string, string> = {}) {
  return async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      env: { HOOKPORT_URL: 'http://hookport.test', HOOKPORT_DATA_DIR: dataDir, ...env },
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      fetch: (request) => t.hp.app.fetch(request),
    };
    const code = await runCli(argv, io);
    return { code, out: out.join(''), err: err.join('') };
  };
}

/** The one line a quiet command printed. */
function value(r: Run): string {
  expect(r, r.err).toMatchObject({ code: 0, err: '' });
  expect(r.out).toMatch(/^\S+\n$/);
  return r.out.trim();
}

async function tenantWithToken(name: string, ...scopes: string[]) {
  const tenant = value(await cli()('tenant', 'create', name, '-q'));
  const token = value(
    await cli()('token', 'create', '--tenant', tenant, '-q', ...(scopes.length ? ['--scopes', scopes.join(',')] : [])),
  );
  return { tenant, token, as: cli({ HOOKPORT_TOKEN: token }) };
}

describe('hookport tenant create and token create (admin token)', () => {
  it('reads the admin token from <HOOKPORT_DATA_DIR>/admin-token and prints the id with -q', async () => {
    const id = value(await cli()('tenant', 'create', 'Acme', '-q'));
    expect(id).toMatch(/^tnt_/);
    const res = await t.api.get<{ name: string }>(`/v1/tenants/${id}`, { token: t.adminToken });
    expect(res.body.name).toBe('Acme');
  });

  it('prefers HOOKPORT_ADMIN_TOKEN and --token, and says the API refused a wrong one in one line', async () => {
    const wrong = await cli({ HOOKPORT_ADMIN_TOKEN: 'hpa_wrong_wrong_wrong_wrong_wrong' })('tenant', 'create', 'X');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^hookport tenant create: .*\(401 unauthorized\)\n$/);
    const human = await cli()('tenant', 'create', 'Beta', '--token', t.adminToken);
    expect(human).toMatchObject({ code: 0, out: expect.stringMatching(/^Created tenant tnt_\S+ \(Beta\)\n$/) });
  });

  it('creates a token with every scope the quick start uses, printing the token itself with -q', async () => {
    const { tenant, token } = await tenantWithToken('Gamma');
    expect(token).toMatch(/^hp_/);
    const tokens = await t.api.get<{ data: { scopes: string[] }[] }>(`/v1/tenants/${tenant}/tokens`, {
      token: t.adminToken,
    });
    expect(tokens.body.data[0]?.scopes.sort()).toEqual(['deliveries:read', 'endpoints:write', 'events:publish']);
  });

  it('gives a tenant its own quotas and retention, and refuses flags it cannot read', async () => {
    const id = value(
      await cli()(
        'tenant',
        'create',
        'Trial',
        '-q',
        '--max-endpoints',
        '5',
        '--max-events-per-day',
        'unlimited',
        '--retention-days',
        '7',
      ),
    );
    const res = await t.api.get<{ quotas: object; limits: { endpoints: number }; retentionDays: number }>(
      `/v1/tenants/${id}`,
      { token: t.adminToken },
    );
    expect(res.body).toMatchObject({
      quotas: { endpoints: 5, eventsPerDay: 'unlimited' },
      limits: { endpoints: 5 },
      retentionDays: 7,
    });
    const bad = await cli()('tenant', 'create', 'Bad', '--max-tokens', '0');
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('--max-tokens must be a whole number') });
    const refused = await cli()('tenant', 'create', 'Huge', '--max-endpoints', '2000000000');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^hookport tenant create: .*\(422 /);
  });

  it('gives the scopes asked for, and prints the API answer with --json', async () => {
    const tenant = value(await cli()('tenant', 'create', 'Delta', '-q'));
    const r = await cli()('token', 'create', '--tenant', tenant, '--scopes', 'events:publish', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ scopes: ['events:publish'], token: expect.stringMatching(/^hp_/) });
  });
});

describe('the tenant commands', () => {
  it('creates an event type with a schema that publishing then enforces', async () => {
    const { as } = await tenantWithToken('Schema');
    const schema = '{"type":"object","required":["id"]}';
    expect(await as('event-type', 'create', 'order.created', '--schema', schema)).toMatchObject({
      code: 0,
      out: 'Created event type order.created\n',
    });
    const refused = await as('send', 'order.created', '--data', '{"total":1}');
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect(refused.err).toContain('(422 validation_failed)');
  });

  it('says in one line why the API refused an endpoint', async () => {
    const { as } = await tenantWithToken('Refused');
    const r = await as('endpoint', 'create', '--url', 'http://example.com/hooks');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^hookport endpoint create: url must use https.*\(422 validation_failed\)\n$/);
  });

  it('creates an endpoint with its delivery settings, read back through the API', async () => {
    const { as, token } = await tenantWithToken('Settings');
    const filter = '{"data.tier":{"$in":["gold","platinum"]}}';
    const id = value(
      await as(
        'endpoint',
        'create',
        '--url',
        'http://127.0.0.1:9/hooks',
        '-q',
        '--filter',
        filter,
        '--retry-schedule',
        '5, 30,300',
        '--timeout-ms',
        '5000',
        '--ordering',
        'fifo',
        '--rate-limit',
        '7',
        '--header',
        'Authorization: Bearer s3cr3t',
        '--header',
        'X-Team:billing',
      ),
    );
    const res = await t.api.get<Record<string, unknown>>(`/v1/endpoints/${id}`, { token });
    expect(res.body).toMatchObject({
      filter: JSON.parse(filter),
      retrySchedule: [5, 30, 300],
      timeoutMs: 5000,
      ordering: 'fifo',
      rateLimit: 7,
      headers: { Authorization: expect.any(String), 'X-Team': expect.any(String) },
    });
    const single = value(
      await as('endpoint', 'create', '--url', 'http://127.0.0.1:9/once', '-q', '--retry-schedule', 'none'),
    );
    const once = await t.api.get<{ retrySchedule: number[] | null }>(`/v1/endpoints/${single}`, { token });
    expect(once.body.retrySchedule).toEqual([]);
  });

  it('refuses a malformed delivery setting before any request, and prints the API refusing one in one line', async () => {
    const { as, token } = await tenantWithToken('BadSettings');
    const url = 'http://127.0.0.1:9/hooks';
    for (const [flag, bad, says] of [
      ['--retry-schedule', '5,soon', '--retry-schedule must be whole seconds'],
      ['--timeout-ms', '5s', '--timeout-ms must be a whole number'],
      ['--ordering', 'lifo', '--ordering must be fifo or unordered'],
      ['--filter', '[1]', '--filter must be a JSON object'],
      ['--filter', '{tier', '--filter is not valid JSON'],
      ['--header', 'Authorization', '--header must be "Name: value"'],
      ['--rate-limit', '0', '--rate-limit must be a whole number'],
    ] as const) {
      const r = await as('endpoint', 'create', '--url', url, flag, bad);
      expect(r, `${flag} ${bad}`).toMatchObject({ code: 2, out: '', err: expect.stringContaining(says) });
    }
    const refused = await as('endpoint', 'create', '--url', url, '--timeout-ms', '500');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^hookport endpoint create: .*timeoutMs.*\(422 validation_failed\)\n$/);
    const reserved = await as('endpoint', 'create', '--url', url, '--header', 'Webhook-Signature: x');
    expect(reserved.code).toBe(1);
    expect(reserved.err).toMatch(/^hookport endpoint create: .*reserved.*\(422 validation_failed\)\n$/);
    const list = await t.api.get<{ data: unknown[] }>('/v1/endpoints', { token });
    expect(list.body.data).toEqual([]);
  });

  it('names the event that does not exist', async () => {
    const { as } = await tenantWithToken('Missing');
    const r = await as('deliveries', 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz');
    expect(r).toMatchObject({ code: 1, err: 'hookport deliveries: No such event. (404 not_found)\n' });
  });

  it('from endpoint to verified delivery: endpoint create, listen, send, deliveries', async () => {
    const { as } = await tenantWithToken('Flow');
    value(await as('event-type', 'create', 'order.created', '-q'));

    // listen on a free port first; the endpoint then brings the secret listen verifies with.
    const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const listenOut: string[] = [];
    const listenErr: string[] = [];
    const received = runCli(['listen', '--port', '0', '--secret', secret, '--once'], {
      env: {},
      out: (s) => listenOut.push(s),
      err: (s) => listenErr.push(s),
    });
    const url = await until(
      'listen to say where it listens',
      async () => /Listening for webhooks on (http:\/\/localhost:\d+)\n/.exec(listenErr.join(''))?.[1],
    );
    const created = await as(
      'endpoint',
      'create',
      '--url',
      url,
      '--events',
      'order.*',
      '--secret',
      secret,
      '--field',
      'secret',
    );
    expect(value(created)).toBe(secret);

    const sent = await as('send', 'order.created', '--data', '{"id":"1001"}');
    expect(sent.out).toMatch(/^Published (evt_\S+) \(order\.created\) to 1 endpoint\n$/);
    const eventId = /evt_\S+/.exec(sent.out)?.[0] ?? '';

    expect(await received).toBe(0);
    const printed = listenOut.join('');
    expect(printed).toContain(`webhook-id ${eventId}`);
    expect(printed).toContain('signature verified ✔');
    expect(printed).toContain('"id": "1001"');

    const where = await as('deliveries', eventId, '--wait');
    expect(where.code).toBe(0);
    expect(where.out).toContain(`${eventId} (order.created) went to 1 endpoint:`);
    expect(where.out).toMatch(/dlv_\S+ {2}succeeded {2}ep_\S+ http:\/\/localhost:\d+ {2}\(1 attempt\)/);
    expect(where.out).toMatch(/#1 {2}\S+ {2}HTTP 204 {2}\d+ ms/);
    const ids = await as('deliveries', eventId, '-q');
    expect(ids.out).toMatch(/^dlv_\S+\n$/);
  });

  it('listen says in one line that its port is taken', async () => {
    const err: string[] = [];
    const first = runCli(['listen', '--port', '0', '--once'], { env: {}, out: () => {}, err: (s) => err.push(s) });
    const url = await until('listen to start', async () => /on (http:\/\/localhost:\d+)/.exec(err.join(''))?.[1]);
    const port = new URL(url).port;
    const second: string[] = [];
    const code = await runCli(['listen', '--port', port], { env: {}, out: () => {}, err: (s) => second.push(s) });
    expect(code).toBe(1);
    expect(second.join('')).toBe(`hookport listen: Port ${port} is taken on 127.0.0.1: pick another with --port.\n`);
    await fetch(url, { method: 'POST', body: '{}' }); // ends the first listener (--once)
    expect(await first).toBe(0);
  });

  it('listen answers 400 and exits 1 when the signature does not verify', async () => {
    const { as } = await tenantWithToken('Forged');
    value(await as('event-type', 'create', 'order.created', '-q'));
    const out: string[] = [];
    const err: string[] = [];
    const wrongSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const received = runCli(['listen', '--port', '0', '--secret', wrongSecret, '--once'], {
      env: {},
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    const url = await until('listen to start', async () => /on (http:\/\/localhost:\d+)/.exec(err.join(''))?.[1]);
    value(await as('endpoint', 'create', '--url', url, '--events', 'order.created', '-q'));
    const eventId = value(await as('send', 'order.created', '-q'));
    expect(await received).toBe(1);
    expect(out.join('')).toContain('signature NOT verified ✘ (no_matching_signature');
    const attempt = await until('the attempt to be recorded', async () => {
      const r = await as('deliveries', eventId, '--json');
      const [d] = JSON.parse(r.out) as { attempts: { httpStatus: number | null }[] }[];
      return d?.attempts[0];
    });
    expect(attempt.httpStatus).toBe(400);
  });
});

describe('hookport deliveries replay and skip', () => {
  const writer = ['endpoints:write', 'events:publish', 'deliveries:read', 'deliveries:write'];

  it('counts with --dry-run, then sends the failed deliveries again to the receiver', async () => {
    const { as } = await tenantWithToken('Replay', ...writer);
    value(await as('event-type', 'create', 'order.created', '-q'));
    const receiver = await startReceiver((_req, _n, res) => res.writeHead(500).end());
    try {
      const endpoint = value(await as('endpoint', 'create', '--url', receiver.url, '--retry-schedule', 'none', '-q'));
      const eventId = value(await as('send', 'order.created', '--data', '{"id":"7"}', '-q'));
      const failed = await as('deliveries', eventId, '--wait');
      expect(failed.out).toMatch(/dlv_\S+ {2}failed /);

      const dry = await as('deliveries', 'replay', '--since', '1h', '--status', 'failed', '--dry-run');
      expect(dry).toMatchObject({
        code: 0,
        err: '',
        out: 'Dry run: matched 1, queued 0, skipped 0; a replay would queue 1\n',
      });
      expect(receiver.received).toHaveLength(1);

      receiver.respond((_req, _n, res) => res.writeHead(204).end());
      const replay = await as('deliveries', 'replay', '--since', '1h', '--endpoint', endpoint, '--status', 'failed');
      expect(replay).toMatchObject({ code: 0, err: '', out: 'Replayed: matched 1, queued 1, skipped 0\n' });
      const [first, again] = await receiver.waitFor(2);
      expect(again?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
      const done = await as('deliveries', eventId, '--wait');
      expect(done.out).toMatch(/dlv_\S+ {2}succeeded .*\(2 attempts\)/);

      const json = await as('deliveries', 'replay', '--since', '1h', '--status', 'failed', '--json');
      expect(JSON.parse(json.out)).toEqual({ dryRun: false, matched: 0, queued: 0, skipped: 0 });
    } finally {
      await receiver.close();
    }
  });

  it('refuses a bad window before any request, and prints the API refusing one in one line', async () => {
    const { as } = await tenantWithToken('ReplayBad', ...writer);
    for (const [args, says] of [
      [['--since', 'yesterday'], '--since must be an ISO 8601 time'],
      [['--since', '2026-13-45'], '--since must be an ISO 8601 time'],
      [['--since', '1h', '--until', '5 min'], '--until must be an ISO 8601 time'],
      [['--since', '1h', '--status', 'pending'], '--status must be failed, succeeded or skipped'],
      [[], '--since is required'],
    ] as const) {
      const r = await as('deliveries', 'replay', ...args);
      expect(r, args.join(' ')).toMatchObject({ code: 2, out: '', err: expect.stringContaining(says) });
    }
    const backwards = await as('deliveries', 'replay', '--since', '1h', '--until', '2h');
    expect(backwards.code).toBe(1);
    expect(backwards.err).toMatch(/^hookport deliveries replay: .*\(422 validation_failed\)\n$/);
  });

  it('skips a held delivery, and says in one line that a finished one cannot be', async () => {
    const { as, token } = await tenantWithToken('Skip', ...writer);
    value(await as('event-type', 'create', 'order.created', '-q'));
    const endpoint = value(await as('endpoint', 'create', '--url', 'http://127.0.0.1:9/hooks', '-q'));
    const paused = await t.api.patch(`/v1/endpoints/${endpoint}`, { token, json: { status: 'paused' } });
    expect(paused.status).toBe(200);
    const eventId = value(await as('send', 'order.created', '-q'));
    const held = await until('the delivery to be held', async () => {
      const r = await as('deliveries', eventId, '--json');
      const [d] = JSON.parse(r.out) as { id: string; status: string }[];
      return d?.status === 'held' ? d.id : undefined;
    });
    const skipped = await as('deliveries', 'skip', held);
    expect(skipped).toMatchObject({
      code: 0,
      err: '',
      out: `Skipped ${held} (to ${endpoint}): it is not sent unless redelivered\n`,
    });
    expect(JSON.parse((await as('deliveries', eventId, '--json')).out)).toMatchObject([{ status: 'skipped' }]);
    const again = await as('deliveries', 'skip', held);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^hookport deliveries skip: .*\(409 conflict\)\n$/);
  });
});
