import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

/** The ConfigError loadConfig throws for env; fails the test when it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      dbSchema: 'hookport',
      port: 8080,
      host: '127.0.0.1',
      adminToken: undefined,
      secretKey: undefined,
      dataDir: '.hookport',
      egressAllowlist: [],
      retrySchedule: undefined,
      maxRequestBytes: 1024 * 1024,
      maxEventBytes: 256 * 1024,
      workerConcurrency: 32,
      endpointConcurrency: 4,
      disableAfterFailures: 100,
      disableAfterSeconds: 5 * 24 * 3600,
      shutdownSeconds: 20,
      deliveryTimeoutMs: 15_000,
      publicUrl: undefined,
      schemaThreads: 2,
      schemaBudgetMs: 1000,
      portal: { name: null, logoUrl: null, accent: null, frameAncestors: [] },
      apiRateLimit: 6000,
      apiRateWindowSeconds: 60,
      quotas: { endpoints: 100, eventTypes: 1000, tokens: 50, eventsPerDay: 'unlimited' },
      retentionDays: 30,
      logLevel: 'info',
      tracing: null,
    });
  });

  it('reads HOOKPORT_RETENTION_DAYS, 1 to 3650 whole days', () => {
    expect(loadConfig({ HOOKPORT_RETENTION_DAYS: '7' }).retentionDays).toBe(7);
    for (const bad of ['0', '3651', '1.5', 'a week']) {
      expect(() => loadConfig({ HOOKPORT_RETENTION_DAYS: bad })).toThrow(/HOOKPORT_RETENTION_DAYS/);
    }
  });

  it('reads the quotas: a number, or unlimited written as the word or 0', () => {
    const config = loadConfig({
      HOOKPORT_MAX_ENDPOINTS_PER_TENANT: '3',
      HOOKPORT_MAX_EVENT_TYPES_PER_TENANT: 'Unlimited',
      HOOKPORT_MAX_TOKENS_PER_TENANT: '0',
      HOOKPORT_MAX_EVENTS_PER_DAY: '250000',
    });
    expect(config.quotas).toEqual({ endpoints: 3, eventTypes: 'unlimited', tokens: 'unlimited', eventsPerDay: 250000 });
  });

  it.each(['-1', '1.5', 'lots', '1e3', '2000000000'])('refuses the quota %s, naming the variable', (value) => {
    expect(() => loadConfig({ HOOKPORT_MAX_EVENTS_PER_DAY: value })).toThrow(
      /HOOKPORT_MAX_EVENTS_PER_DAY: must be a whole number up to 1000000000, or unlimited \(or 0\)/,
    );
  });

  it('ignores unrelated variables', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'test' }).port).toBe(8080);
  });

  it('reads every variable', () => {
    const key = randomBytes(32);
    const c = loadConfig({
      DATABASE_URL: 'postgresql://u@db:5432/x',
      HOOKPORT_DB_SCHEMA: 'hp_test',
      PORT: '9000',
      HOST: '0.0.0.0',
      HOOKPORT_ADMIN_TOKEN: 'a'.repeat(24),
      HOOKPORT_SECRET_KEY: key.toString('hex'),
      HOOKPORT_DATA_DIR: '/var/lib/hookport',
      HOOKPORT_EGRESS_ALLOWLIST: '10.0.0.0/8',
      HOOKPORT_RETRY_SCHEDULE: '1,2',
      HOOKPORT_MAX_REQUEST_BYTES: '2048',
      HOOKPORT_PUBLIC_URL: 'https://hooks.example.com',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgresql://u@db:5432/x',
      dbSchema: 'hp_test',
      port: 9000,
      host: '0.0.0.0',
      adminToken: 'a'.repeat(24),
      dataDir: '/var/lib/hookport',
      retrySchedule: [1, 2],
      maxRequestBytes: 2048,
      publicUrl: 'https://hooks.example.com',
      logLevel: 'debug',
    });
    expect(c.secretKey?.equals(key)).toBe(true);
    expect(c.egressAllowlist).toHaveLength(1);
  });
});

describe('loadConfig: PORT', () => {
  it('accepts 0 to 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  for (const port of ['abc', '70000', '-1', '80.5', '8080abc']) {
    it(`refuses PORT=${port} with a ConfigError naming PORT`, () => {
      const err = configError({ PORT: port });
      expect(err.name).toBe('ConfigError');
      expect(err.message).toMatch(/^Invalid configuration:/);
      expect(err.message).toMatch(/^ {2}PORT: /m);
    });
  }
});

describe('loadConfig: HOOKPORT_SECRET_KEY', () => {
  it('accepts 64 hex characters', () => {
    const key = randomBytes(32);
    expect(loadConfig({ HOOKPORT_SECRET_KEY: key.toString('hex') }).secretKey?.equals(key)).toBe(true);
    expect(loadConfig({ HOOKPORT_SECRET_KEY: key.toString('hex').toUpperCase() }).secretKey?.equals(key)).toBe(true);
  });

  it('accepts 44 base64 characters', () => {
    const key = randomBytes(32);
    expect(loadConfig({ HOOKPORT_SECRET_KEY: key.toString('base64') }).secretKey?.equals(key)).toBe(true);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ HOOKPORT_SECRET_KEY: '' }).secretKey).toBeUndefined();
  });

  for (const [what, value] of [
    ['16 bytes of hex', randomBytes(16).toString('hex')],
    ['62 hex characters', randomBytes(31).toString('hex')],
    ['31 bytes of base64', randomBytes(31).toString('base64')],
    ['33 bytes of base64', randomBytes(33).toString('base64')],
    ['a short word', 'secret'],
  ] as const) {
    it(`refuses ${what}, naming the variable`, () => {
      const err = configError({ HOOKPORT_SECRET_KEY: value });
      expect(err.message).toContain('HOOKPORT_SECRET_KEY: must be 32 bytes');
    });
  }
});

describe('loadConfig: several problems', () => {
  it('lists every bad value in one error, one per line', () => {
    const err = configError({
      PORT: 'abc',
      HOOKPORT_SECRET_KEY: 'short',
      LOG_LEVEL: 'loud',
      HOOKPORT_DB_SCHEMA: 'Bad-Name',
      DATABASE_URL: 'mysql://db/x',
      HOOKPORT_ADMIN_TOKEN: 'too-short',
      HOOKPORT_EGRESS_ALLOWLIST: 'not-a-range',
      HOOKPORT_RETRY_SCHEDULE: 'soon',
      HOOKPORT_MAX_REQUEST_BYTES: '10',
      HOOKPORT_PUBLIC_URL: 'not a url',
    });
    const lines = err.message.split('\n').slice(1);
    const named = lines.map((l) => l.trim().split(':')[0]).sort();
    expect(named).toEqual(
      [
        'DATABASE_URL',
        'HOOKPORT_ADMIN_TOKEN',
        'HOOKPORT_DB_SCHEMA',
        'HOOKPORT_EGRESS_ALLOWLIST',
        'HOOKPORT_MAX_REQUEST_BYTES',
        'HOOKPORT_PUBLIC_URL',
        'HOOKPORT_RETRY_SCHEDULE',
        'HOOKPORT_SECRET_KEY',
        'LOG_LEVEL',
        'PORT',
      ].sort(),
    );
  });

  it('does not echo a bad secret key back', () => {
    const value = randomBytes(20).toString('hex');
    expect(configError({ HOOKPORT_SECRET_KEY: value }).message).not.toContain(value);
  });
});

describe('loadConfig: DATABASE_URL and schema', () => {
  it('accepts postgres:// and postgresql://, and treats empty as unset', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe('postgresql://u@h/db');
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('refuses other URLs', () => {
    expect(configError({ DATABASE_URL: 'mysql://u@h/db' }).message).toContain('DATABASE_URL');
  });

  it('needs a lower-case SQL identifier for the schema', () => {
    expect(loadConfig({ HOOKPORT_DB_SCHEMA: 't_abc123' }).dbSchema).toBe('t_abc123');
    for (const bad of ['Upper', '1abc', 'a-b', 'a"b', 'a'.repeat(52)]) {
      expect(configError({ HOOKPORT_DB_SCHEMA: bad }).message, bad).toContain('HOOKPORT_DB_SCHEMA');
    }
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HOOKPORT_DB_SCHEMA: '' }).dbSchema).toBe('hookport');
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });
});

describe('loadConfig: HOOKPORT_EGRESS_ALLOWLIST', () => {
  it('parses CIDR ranges and bare addresses, trimming spaces and empty items', () => {
    const list = loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: ' 10.0.0.0/8, fd00::/8 ,192.168.1.5,::1,, ' }).egressAllowlist;
    expect(list.map(([addr, bits]) => [addr.kind(), addr.toString(), bits])).toEqual([
      ['ipv4', '10.0.0.0', 8],
      ['ipv6', 'fd00::', 8],
      ['ipv4', '192.168.1.5', 32],
      ['ipv6', '::1', 128],
    ]);
  });

  it('is empty when unset or blank', () => {
    expect(loadConfig({}).egressAllowlist).toEqual([]);
    expect(loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: '' }).egressAllowlist).toEqual([]);
    expect(loadConfig({ HOOKPORT_EGRESS_ALLOWLIST: ' , ' }).egressAllowlist).toEqual([]);
  });

  it('names each bad item', () => {
    const err = configError({ HOOKPORT_EGRESS_ALLOWLIST: '10.0.0.0/8,bogus,10.0.0.0/33,fd00::/200' });
    expect(err.message).toContain('HOOKPORT_EGRESS_ALLOWLIST: "bogus" is not a CIDR range');
    expect(err.message).toContain('"10.0.0.0/33"');
    expect(err.message).toContain('"fd00::/200"');
    expect(err.message).not.toContain('"10.0.0.0/8"');
  });
});

describe('loadConfig: HOOKPORT_RETRY_SCHEDULE', () => {
  it('parses comma-separated seconds', () => {
    expect(loadConfig({ HOOKPORT_RETRY_SCHEDULE: '5,300,1800' }).retrySchedule).toEqual([5, 300, 1800]);
    expect(loadConfig({ HOOKPORT_RETRY_SCHEDULE: ' 5 , 300 ' }).retrySchedule).toEqual([5, 300]);
    expect(loadConfig({ HOOKPORT_RETRY_SCHEDULE: '0' }).retrySchedule).toEqual([0]);
    expect(loadConfig({ HOOKPORT_RETRY_SCHEDULE: '604800' }).retrySchedule).toEqual([604800]);
  });

  it('is undefined (the built-in schedule) when unset or blank', () => {
    expect(loadConfig({}).retrySchedule).toBeUndefined();
    expect(loadConfig({ HOOKPORT_RETRY_SCHEDULE: '' }).retrySchedule).toBeUndefined();
    expect(loadConfig({ HOOKPORT_RETRY_SCHEDULE: '   ' }).retrySchedule).toBeUndefined();
  });

  for (const bad of ['soon', '5,later', '-1', '604801', '5,Infinity', 'NaN']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(configError({ HOOKPORT_RETRY_SCHEDULE: bad }).message).toContain(
        'HOOKPORT_RETRY_SCHEDULE: must be comma-separated seconds',
      );
    });
  }

  // An empty item (a trailing or doubled comma) is Number('') = 0 today, which
  // silently adds an immediate retry. It should be refused or dropped, the way
  // empty items of HOOKPORT_EGRESS_ALLOWLIST are dropped.
  for (const value of ['5,300,', '5,,300']) {
    it(`does not read an empty item of ${JSON.stringify(value)} as a 0-second retry`, () => {
      let schedule: number[] | undefined;
      try {
        schedule = loadConfig({ HOOKPORT_RETRY_SCHEDULE: value }).retrySchedule;
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return;
      }
      expect(schedule).toEqual([5, 300]);
    });
  }
});

describe('loadConfig: other values', () => {
  it('bounds HOOKPORT_MAX_REQUEST_BYTES to 1 KiB .. 64 MiB', () => {
    expect(loadConfig({ HOOKPORT_MAX_REQUEST_BYTES: '1024' }).maxRequestBytes).toBe(1024);
    expect(loadConfig({ HOOKPORT_MAX_REQUEST_BYTES: String(64 * 1024 * 1024) }).maxRequestBytes).toBe(64 * 1024 * 1024);
    expect(configError({ HOOKPORT_MAX_REQUEST_BYTES: '1023' }).message).toContain('HOOKPORT_MAX_REQUEST_BYTES');
    expect(configError({ HOOKPORT_MAX_REQUEST_BYTES: String(64 * 1024 * 1024 + 1) }).message).toContain(
      'HOOKPORT_MAX_REQUEST_BYTES',
    );
  });

  it('needs an admin token of at least 24 characters', () => {
    expect(loadConfig({ HOOKPORT_ADMIN_TOKEN: 'x'.repeat(24) }).adminToken).toBe('x'.repeat(24));
    expect(configError({ HOOKPORT_ADMIN_TOKEN: 'x'.repeat(23) }).message).toContain(
      'HOOKPORT_ADMIN_TOKEN: must be at least 24 characters',
    );
  });

  it('accepts only the known log levels', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    }
    expect(configError({ LOG_LEVEL: 'INFO' }).message).toContain('LOG_LEVEL');
  });
});

describe('HOOKPORT_EGRESS_PROXY', () => {
  it('reads the proxy URL and its NO_PROXY rules', () => {
    const config = loadConfig({
      HOOKPORT_EGRESS_PROXY: 'http://user:pass@proxy.internal:4750',
      HOOKPORT_EGRESS_NO_PROXY: '.corp.example, 10.0.0.0/8',
    });
    expect(config.egressProxy?.url.host).toBe('proxy.internal:4750');
    expect(config.egressProxy?.noProxy).toMatchObject({ all: false, suffixes: ['corp.example'] });
    expect(loadConfig({}).egressProxy).toBeUndefined();
  });

  it.each(['socks5://proxy:1080', 'not a url', 'http://proxy:4750/path'])(
    'stops the start for %s without echoing the value',
    (value) => {
      const err = configError({ HOOKPORT_EGRESS_PROXY: value.replace('proxy', 'u:secretpw@proxy') });
      expect(err.message).toContain('HOOKPORT_EGRESS_PROXY');
      expect(err.message).not.toContain('secretpw');
    },
  );

  it('stops the start for a NO_PROXY entry that is not a rule', () => {
    expect(configError({ HOOKPORT_EGRESS_NO_PROXY: 'example.com:443' }).message).toContain(
      'HOOKPORT_EGRESS_NO_PROXY: "example.com:443" is not a host name',
    );
  });
});
