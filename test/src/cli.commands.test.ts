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

async function tenantWithToken(name: string) {
  const tenant = value(await cli()('tenant', 'create', name, '-q'));
  const token = value(await cli()('token', 'create', '--tenant', tenant, '-q'));
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
