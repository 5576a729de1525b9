import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { urlRefusal } from '../shared/egress.ts';
import { durationOption, jsonOption, listOption, parseCommandArgs, portOption, timeOption } from './args.ts';
import { headersOption, retryScheduleOption } from './endpoint-settings.ts';
import { describeFailure } from './errors.ts';
import type { CliIo } from './io.ts';
import { CliError, UsageError } from './io.ts';
import { generateKeys } from './keygen.ts';
import { findCommand, runCli } from './main.ts';
import { withDevEgress } from './serve.ts';
import { defaultScopes, parseScopes } from './token.ts';

/** Runs the CLI with captured output and no network: only what fails or answers before any request. */
async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { env, out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await runCli(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

describe('parseCommandArgs', () => {
  const options = { tenant: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } as const;

  it('gives typed values and positionals', () => {
    const { values, positionals } = parseCommandArgs(['Acme', '--tenant', 't1', '-q'], options, {
      min: 1,
      max: 1,
      names: 'a name',
    });
    expect(values.tenant).toBe('t1');
    expect(values.quiet).toBe(true);
    expect(positionals).toEqual(['Acme']);
  });

  it('refuses an unknown option with a UsageError naming it', () => {
    expect(() => parseCommandArgs(['--tenat', 'x'], options)).toThrow(UsageError);
    expect(() => parseCommandArgs(['--tenat', 'x'], options)).toThrow(/--tenat/);
  });

  it('refuses a missing value, a missing positional and one too many', () => {
    expect(() => parseCommandArgs(['--tenant'], options)).toThrow(UsageError);
    expect(() => parseCommandArgs([], options, { min: 1, max: 1, names: 'the tenant name' })).toThrow(
      'Missing the tenant name.',
    );
    expect(() => parseCommandArgs(['a', 'b'], options, { min: 1, max: 1, names: 'x' })).toThrow(
      'Unexpected argument: b.',
    );
  });

  it('takes a value that starts with a dash after =', () => {
    expect(parseCommandArgs(['--tenant=-x'], options).values.tenant).toBe('-x');
  });
});

describe('option values', () => {
  it('splits lists on commas and drops blanks', () => {
    expect(listOption('a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(listOption(undefined)).toBeUndefined();
  });

  it('parses JSON or names the option', () => {
    expect(jsonOption('data', '{"id":1}')).toEqual({ id: 1 });
    expect(() => jsonOption('data', '{id:1}')).toThrow(/--data is not valid JSON/);
  });

  it('takes ports 0 to 65535 only', () => {
    expect(portOption('port', '9000')).toBe(9000);
    expect(portOption('port', '0')).toBe(0);
    for (const bad of ['65536', '-1', '90a', '']) expect(() => portOption('port', bad)).toThrow(UsageError);
  });

  it('gives a token every scope the quick start uses unless --scopes says otherwise', () => {
    expect(parseScopes(undefined)).toEqual(defaultScopes);
    expect(defaultScopes).toEqual(expect.arrayContaining(['endpoints:write', 'events:publish', 'deliveries:read']));
    expect(parseScopes('events:publish,*')).toEqual(['events:publish', '*']);
    expect(() => parseScopes('events:publsh')).toThrow(/unknown scope "events:publsh"/);
    expect(() => parseScopes(',')).toThrow(UsageError);
  });
});

describe('time options', () => {
  const now = new Date('2026-12-07T12:00:00.000Z');

  it('reads a duration ago or an ISO 8601 time', () => {
    expect(timeOption('since', '1h', now)).toBe('2026-12-07T11:00:00.000Z');
    expect(timeOption('since', '2d', now)).toBe('2026-12-05T12:00:00.000Z');
    expect(timeOption('since', '2026-12-07T08:00:00+01:00', now)).toBe('2026-12-07T07:00:00.000Z');
    expect(timeOption('since', '2026-12-07', now)).toBe('2026-12-07T00:00:00.000Z');
    expect(durationOption('older-than', '90m')).toBe(5400);
  });

  it('names the option it refuses', () => {
    for (const bad of ['yesterday', '1w', '2026-13-45', '-1h', '', '999999999d']) {
      expect(() => timeOption('since', bad, now), bad).toThrow(/^--since must be an ISO 8601 time/);
    }
    expect(() => durationOption('older-than', '1w')).toThrow(/^--older-than must be a number and a unit/);
  });
});

describe('endpoint delivery settings', () => {
  it('reads a retry schedule as seconds, none as the empty schedule', () => {
    expect(retryScheduleOption('5, 30,300')).toEqual([5, 30, 300]);
    expect(retryScheduleOption('none')).toEqual([]);
    expect(() => retryScheduleOption('5,,30')).toThrow(UsageError);
    expect(() => retryScheduleOption('1.5')).toThrow(UsageError);
  });

  it('reads repeated Name: value headers, keeping colons in the value', () => {
    expect(headersOption(['Authorization: Bearer a:b', 'X-Team:billing'])).toEqual({
      Authorization: 'Bearer a:b',
      'X-Team': 'billing',
    });
    expect(() => headersOption(['X-Team: a', 'x-team: b'])).toThrow('given twice');
    expect(() => headersOption([': v'])).toThrow(UsageError);
  });
});

describe('the dispatcher', () => {
  it('finds two-word commands before one-word ones', () => {
    expect(findCommand(['tenant', 'create', 'Acme'])).toMatchObject({
      command: { name: 'tenant create' },
      rest: ['Acme'],
    });
    expect(findCommand(['send', 'a.b'])).toMatchObject({ command: { name: 'send' }, rest: ['a.b'] });
    expect(findCommand(['tenant', 'delete'])).toBeUndefined();
    // `deliveries <evt_…>` and the two-word `deliveries replay` / `deliveries skip` share their first word.
    expect(findCommand(['deliveries', 'evt_1', '--wait'])).toMatchObject({
      command: { name: 'deliveries' },
      rest: ['evt_1', '--wait'],
    });
    expect(findCommand(['deliveries', 'replay', '--since', '1h'])).toMatchObject({
      command: { name: 'deliveries replay' },
      rest: ['--since', '1h'],
    });
    expect(findCommand(['deliveries', 'skip', 'dlv_1'])).toMatchObject({
      command: { name: 'deliveries skip' },
      rest: ['dlv_1'],
    });
  });

  it('answers --version alone and on every command', async () => {
    for (const argv of [['--version'], ['-V'], ['tenant', 'create', '--version'], ['listen', '--version']]) {
      const r = await run(argv);
      expect(r, argv.join(' ')).toMatchObject({ code: 0, out: expect.stringMatching(/^hookport \d+\.\d+\.\d+\n$/) });
    }
  });

  it('answers --help on every command with its usage', async () => {
    const all = await run(['--help']);
    expect(all.code).toBe(0);
    for (const name of ['serve', 'keygen', 'tenant create', 'token create', 'event-type create', 'endpoint create']) {
      expect(all.out).toContain(name);
      const r = await run([...name.split(' '), '--help']);
      expect(r.code, name).toBe(0);
      expect(r.out, name).toContain(`Usage: hookport ${name}`);
    }
    for (const name of ['send', 'deliveries', 'listen', 'migrate', 'worker']) {
      expect((await run([name, '-h'])).out).toContain(`Usage: hookport ${name}`);
    }
    expect((await run(['endpoint', '--help'])).out).toContain('hookport endpoint create');
  });

  it('exits 2 with a pointer to --help on a usage mistake, before any request', async () => {
    const r = await run(['send', 'order.created', '--data', '{nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^hookport send: --data is not valid JSON.*\nRun "hookport send --help" for usage\.\n$/);
    expect((await run(['token', 'create'])).err).toContain('--tenant is required');
    expect((await run(['send', 'x', '--data', '[1]'])).err).toContain('--data must be a JSON object');
    expect((await run(['nope'])).code).toBe(2);
    expect((await run(['tenant'])).code).toBe(2);
  });

  it('says where it looked for the admin token when there is none', async () => {
    const r = await run(['tenant', 'create', 'Acme'], { HOOKPORT_DATA_DIR: '/nonexistent/hookport' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('/nonexistent/hookport/admin-token');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('asks for a tenant token when HOOKPORT_TOKEN is not set', async () => {
    const r = await run(['send', 'order.created']);
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining('HOOKPORT_TOKEN') });
  });
});

describe('describeFailure', () => {
  it('prints one line for what the user can act on, a stack only for a bug', () => {
    expect(describeFailure(new CliError('No admin token.'), 'tenant create')).toEqual({
      text: 'hookport tenant create: No admin token.',
      code: 1,
    });
    const bug = describeFailure(new TypeError('x is undefined'), 'send');
    expect(bug.code).toBe(1);
    expect(bug.text).toContain('at ');
  });
});

describe('keygen', () => {
  it('prints a 32-byte hex key and an admin token the server accepts', async () => {
    const r = await run(['keygen']);
    expect(r.code).toBe(0);
    const env = Object.fromEntries(
      r.out
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    expect(Object.keys(env)).toEqual(['HOOKPORT_SECRET_KEY', 'HOOKPORT_ADMIN_TOKEN']);
    const config = loadConfig(env);
    expect(config.secretKey?.length).toBe(32);
    expect(config.adminToken).toBe(env.HOOKPORT_ADMIN_TOKEN);
  });

  it('uses fresh randomness each time', () => {
    const fixed = generateKeys((n) => Buffer.alloc(n, 1));
    expect(fixed.HOOKPORT_SECRET_KEY).toBe('01'.repeat(32));
    expect(generateKeys().HOOKPORT_SECRET_KEY).not.toBe(generateKeys().HOOKPORT_SECRET_KEY);
  });
});

describe('serve --dev', () => {
  const config = loadConfig({});

  it('lets endpoints target 127.0.0.1, ::1 and localhost', () => {
    const dev = withDevEgress(config);
    for (const url of ['http://127.0.0.1:9000', 'http://[::1]:9000', 'http://localhost:9000/hooks']) {
      expect(urlRefusal(url, config.egressAllowlist), url).not.toBeNull();
      expect(urlRefusal(url, dev.egressAllowlist), url).toBeNull();
    }
  });

  it('opens nothing else: other private ranges stay refused', () => {
    const dev = withDevEgress(config);
    for (const url of ['http://127.0.0.2:9000', 'http://10.0.0.1/', 'http://192.168.1.1/', 'http://[fe80::1]/']) {
      expect(urlRefusal(url, dev.egressAllowlist), url).not.toBeNull();
    }
  });

  it("keeps the operator's allowlist", () => {
    const withList = loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: '10.0.0.0/8' });
    expect(urlRefusal('http://10.1.2.3/', withDevEgress(withList).egressAllowlist)).toBeNull();
  });
});
