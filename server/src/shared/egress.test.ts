import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import type { Cidr } from '../config.ts';
import { egressRefusal, isAddressAllowed, isPublicAddress, parseAddress, urlRefusal } from './egress.ts';

const NON_PUBLIC = /non-public address/;
const NEEDS_HTTPS = /must use https/;

const cidr = (text: string): Cidr => ipaddr.parseCIDR(text);
const addr = (text: string) => ipaddr.parse(text);

/** An IPv4 address from its 32-bit integer value. */
const v4FromInt = (n: number) => ipaddr.fromByteArray([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

describe('urlRefusal with an empty allowlist: non-public targets', () => {
  const blocked: [string, string][] = [
    ['decimal IPv4 loopback', 'http://2130706433/'],
    ['decimal IPv4 loopback over https', 'https://2130706433/'],
    ['hex IPv4 loopback', 'https://0x7f000001/'],
    ['octal IPv4 loopback', 'https://0177.0.0.1/'],
    ['shortened IPv4 loopback', 'https://127.1/'],
    ['dotted IPv4 loopback', 'https://127.0.0.1/'],
    ['loopback with a port', 'https://127.0.0.1:8443/hook'],
    ['unspecified IPv4', 'https://0.0.0.0/'],
    ['IPv6 loopback', 'https://[::1]/'],
    ['IPv4-mapped loopback, dotted', 'https://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped loopback, hex', 'https://[::ffff:7f00:1]/'],
    ['cloud metadata (link-local)', 'https://169.254.169.254/latest/meta-data/'],
    ['carrier-grade NAT', 'https://100.64.0.1/'],
    ['private 10/8', 'https://10.0.0.1/'],
    ['private 172.16/12', 'https://172.16.0.1/'],
    ['private 192.168/16', 'https://192.168.1.1/'],
    ['IPv6 unique local', 'https://[fc00::1]/'],
    ['IPv6 link-local', 'https://[fe80::1]/'],
    ['IPv6 unspecified', 'https://[::]/'],
    ['IPv4 multicast', 'https://224.0.0.1/'],
    ['IPv6 multicast', 'https://[ff02::1]/'],
    ['IPv4 broadcast', 'https://255.255.255.255/'],
    ['TEST-NET-1', 'https://192.0.2.1/'],
    ['TEST-NET-2', 'https://198.51.100.1/'],
    ['TEST-NET-3', 'https://203.0.113.1/'],
    ['benchmarking 198.18/15', 'https://198.18.0.1/'],
    ['IETF protocol assignments 192.0.0/24', 'https://192.0.0.8/'],
    ['reserved 240/4', 'https://240.0.0.1/'],
    ['6to4 of loopback', 'https://[2002:7f00:1::]/'],
    ['NAT64 of loopback', 'https://[64:ff9b::7f00:1]/'],
    ['local-use NAT64 prefix', 'https://[64:ff9b:1::1]/'],
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/'],
    ['IPv4-translated loopback', 'https://[::ffff:0:7f00:1]/'],
    ['localhost', 'https://localhost/'],
    ['upper-case localhost', 'https://LOCALHOST/'],
    ['a .localhost name', 'https://foo.localhost/'],
    ['IPv6 documentation', 'https://[2001:db8::1]/'],
    ['Teredo', 'https://[2001::1]/'],
    ['IPv6 discard-only', 'https://[100::1]/'],
  ];

  it('lists at least 25 blocked forms', () => {
    expect(blocked.length).toBeGreaterThanOrEqual(25);
  });

  for (const [what, url] of blocked) {
    it(`refuses ${what}: ${url}`, () => {
      expect(urlRefusal(url, [])).toMatch(NON_PUBLIC);
    });
  }

  // `localhost.` is the fully-qualified spelling of `localhost` (RFC 6761); the
  // check for localhost names compares the host text without dropping the root dot.
  it('refuses the fully-qualified localhost names `localhost.` and `foo.localhost.`', () => {
    expect(urlRefusal('https://localhost./', [])).toEqual(expect.stringMatching(NON_PUBLIC));
    expect(urlRefusal('https://foo.localhost./', [])).toEqual(expect.stringMatching(NON_PUBLIC));
  });
});

describe('refusals say what to allowlist', () => {
  it('names the addresses of localhost and the entry that admits them, IPv4 first', () => {
    expect(urlRefusal('http://localhost:9000/', [])).toBe(
      'points to a non-public address: localhost resolves to 127.0.0.1, ::1, none of them public or in HOOKPORT_EGRESS_ALLOWLIST; add 127.0.0.1 (or ::1) to HOOKPORT_EGRESS_ALLOWLIST to allow it',
    );
  });

  it('names a literal, and the IPv4 address an IPv6 form carries', () => {
    expect(urlRefusal('https://10.1.2.3/', [])).toContain(
      '10.1.2.3 is not public and not in HOOKPORT_EGRESS_ALLOWLIST',
    );
    expect(urlRefusal('https://10.1.2.3/', [])).toContain('add 10.1.2.3 to HOOKPORT_EGRESS_ALLOWLIST');
    expect(urlRefusal('https://[::ffff:10.1.2.3]/', [])).toContain('add 10.1.2.3 to HOOKPORT_EGRESS_ALLOWLIST');
  });

  it('names every address a name resolved to, and says so when there was none', () => {
    expect(egressRefusal('db.internal', [addr('10.0.0.5'), addr('fd00::5')])).toBe(
      'db.internal resolves to 10.0.0.5, fd00::5, none of them public or in HOOKPORT_EGRESS_ALLOWLIST; add 10.0.0.5 (or fd00::5) to HOOKPORT_EGRESS_ALLOWLIST to allow it',
    );
    expect(egressRefusal('empty.example', [])).toBe('empty.example resolves to no address');
  });

  it('suggests an entry that the allowlist then admits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean(), (n, mapped) => {
        const v4 = v4FromInt(n);
        const target = mapped ? ipaddr.parse(`::ffff:${v4.toString()}`) : v4;
        if (isAddressAllowed(target, [])) return;
        const entry = /add (\S+) to HOOKPORT_EGRESS_ALLOWLIST/.exec(egressRefusal('h.example', [target]))?.[1] ?? '';
        expect(isAddressAllowed(target, [ipaddr.parseCIDR(`${entry}/32`)])).toBe(true);
      }),
    );
  });
});

describe('urlRefusal with an empty allowlist: public targets', () => {
  for (const url of [
    'https://93.184.216.34/',
    'https://93.184.216.34:8443/path?q=1',
    'https://[2606:4700::1111]/',
    'https://example.com/',
    'https://hooks.example.com/a/b',
    'https://[64:ff9b::5db8:d822]/', // NAT64 of a public address
  ]) {
    it(`accepts ${url}`, () => {
      expect(urlRefusal(url, [])).toBeNull();
    });
  }

  it('refuses plain http to public targets and names', () => {
    expect(urlRefusal('http://93.184.216.34/', [])).toMatch(NEEDS_HTTPS);
    expect(urlRefusal('http://example.com/', [])).toMatch(NEEDS_HTTPS);
    expect(urlRefusal('http://[2606:4700::1111]/', [])).toMatch(NEEDS_HTTPS);
  });

  it('refuses other schemes and non-URLs', () => {
    expect(urlRefusal('ftp://example.com/', [])).toBe('must use https');
    expect(urlRefusal('file:///etc/passwd', [])).toBe('must use https');
    expect(urlRefusal('javascript:alert(1)', [])).toBe('must use https');
    expect(urlRefusal('not a url', [])).toBe('is not a valid URL');
    expect(urlRefusal('', [])).toBe('is not a valid URL');
    expect(urlRefusal('https://[::1/', [])).toBe('is not a valid URL');
  });

  it('refuses URLs carrying credentials', () => {
    expect(urlRefusal('https://user:pass@example.com/', [])).toBe('must not contain credentials');
    expect(urlRefusal('https://user@example.com/', [])).toBe('must not contain credentials');
    expect(urlRefusal('https://:pass@example.com/', [])).toBe('must not contain credentials');
  });
});

describe('urlRefusal with an allowlist', () => {
  const allowlist: Cidr[] = [cidr('127.0.0.0/8'), cidr('10.0.0.0/8'), cidr('fd00::/8'), cidr('::1/128')];

  it('accepts allowlisted literals over https and http', () => {
    for (const url of [
      'https://127.0.0.1/',
      'http://127.0.0.1:3000/hook',
      'http://2130706433/',
      'http://127.1/',
      'https://10.1.2.3/',
      'http://10.1.2.3/',
      'https://[fd12::5]/',
      'http://[fd12::5]/',
      'http://[::1]/',
    ]) {
      expect(urlRefusal(url, allowlist), url).toBeNull();
    }
  });

  it('accepts localhost over http once both loopbacks are allowlisted', () => {
    expect(urlRefusal('http://localhost:8080/', allowlist)).toBeNull();
    expect(urlRefusal('http://foo.localhost/', allowlist)).toBeNull();
  });

  // Deliveries connect to the admitted loopback address only (sender.ts guardedLookup).
  it('accepts localhost, over http too, once either of its loopback addresses is allowlisted', () => {
    for (const only of ['127.0.0.1/32', '::1/128']) {
      expect(urlRefusal('https://localhost/', [cidr(only)]), only).toBeNull();
      expect(urlRefusal('http://localhost:9000/hook', [cidr(only)]), only).toBeNull();
    }
  });

  it('still refuses non-public addresses outside the allowlist', () => {
    expect(urlRefusal('https://192.168.1.1/', allowlist)).toMatch(NON_PUBLIC);
    expect(urlRefusal('https://169.254.169.254/', allowlist)).toMatch(NON_PUBLIC);
    expect(urlRefusal('https://[fc00::1]/', allowlist)).toMatch(NON_PUBLIC);
  });

  it('accepts the IPv4-mapped IPv6 form of an allowlisted IPv4 over https', () => {
    expect(urlRefusal('https://[::ffff:10.0.0.5]/', [cidr('10.0.0.0/8')])).toBeNull();
    expect(urlRefusal('https://[::ffff:7f00:1]/', [cidr('127.0.0.0/8')])).toBeNull();
  });

  // isAddressAllowed treats ::ffff:10.0.0.5 as inside 10.0.0.0/8, but the http
  // check in urlRefusal compares the IPv6 form with the IPv4 ranges directly.
  it('accepts the IPv4-mapped IPv6 form of an allowlisted IPv4 over http too', () => {
    expect(urlRefusal('http://[::ffff:10.0.0.5]/', [cidr('10.0.0.0/8')])).toBeNull();
  });

  it('refuses http to public targets even with an allowlist', () => {
    expect(urlRefusal('http://93.184.216.34/', allowlist)).toMatch(NEEDS_HTTPS);
    expect(urlRefusal('http://example.com/', allowlist)).toMatch(NEEDS_HTTPS);
  });

  it('refuses credentials even for allowlisted targets', () => {
    expect(urlRefusal('http://u:p@10.0.0.5/', allowlist)).toBe('must not contain credentials');
  });

  it('accepts a single-address allowlist entry and nothing next to it', () => {
    const one: Cidr[] = [cidr('192.168.1.5/32')];
    expect(urlRefusal('http://192.168.1.5/', one)).toBeNull();
    expect(urlRefusal('https://192.168.1.6/', one)).toMatch(NON_PUBLIC);
  });
});

describe('isPublicAddress', () => {
  it('is true for global unicast', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700::1111', '2a00:1450:4001::200e']) {
      expect(isPublicAddress(addr(a)), a).toBe(true);
    }
  });

  it('is false for special-purpose ranges', () => {
    for (const a of [
      '127.0.0.1',
      '0.0.0.0',
      '0.1.2.3',
      '10.0.0.1',
      '100.127.255.255',
      '169.254.0.1',
      '172.31.255.255',
      '192.0.0.1',
      '192.0.2.255',
      '192.168.0.1',
      '198.19.255.255',
      '198.51.100.7',
      '203.0.113.7',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      'fd00::1',
      'ff02::1',
      '2001:db8::1',
      '64:ff9b:1::1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:a00:1::',
    ]) {
      expect(isPublicAddress(addr(a)), a).toBe(false);
    }
  });

  it('judges the edges of blocked ranges', () => {
    expect(isPublicAddress(addr('100.63.255.255'))).toBe(true);
    expect(isPublicAddress(addr('100.128.0.0'))).toBe(true);
    expect(isPublicAddress(addr('172.15.255.255'))).toBe(true);
    expect(isPublicAddress(addr('172.32.0.0'))).toBe(true);
    expect(isPublicAddress(addr('198.17.255.255'))).toBe(true);
    expect(isPublicAddress(addr('198.20.0.0'))).toBe(true);
    expect(isPublicAddress(addr('223.255.255.255'))).toBe(true);
  });

  it('gives an IPv4 address and its IPv6 mapped, NAT64 and 6to4 forms the same verdict (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const v4 = v4FromInt(n);
        const b = v4.toByteArray();
        const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
        const verdict = isPublicAddress(v4);
        const mapped = addr(`::ffff:${v4.toString()}`);
        const nat64 = addr(`64:ff9b::${v4.toString()}`);
        const sixToFour = addr(`2002:${hex(b[0] ?? 0, b[1] ?? 0)}:${hex(b[2] ?? 0, b[3] ?? 0)}::1`);
        expect(isPublicAddress(mapped)).toBe(verdict);
        expect(isPublicAddress(nat64)).toBe(verdict);
        expect(isPublicAddress(sixToFour)).toBe(verdict);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isAddressAllowed', () => {
  it('allows public addresses with an empty allowlist', () => {
    expect(isAddressAllowed(addr('93.184.216.34'), [])).toBe(true);
    expect(isAddressAllowed(addr('2606:4700::1111'), [])).toBe(true);
  });

  it('refuses non-public addresses outside the allowlist', () => {
    expect(isAddressAllowed(addr('10.0.0.1'), [])).toBe(false);
    expect(isAddressAllowed(addr('10.0.0.1'), [cidr('192.168.0.0/16')])).toBe(false);
  });

  it('allows non-public addresses inside the allowlist', () => {
    expect(isAddressAllowed(addr('10.9.8.7'), [cidr('10.0.0.0/8')])).toBe(true);
    expect(isAddressAllowed(addr('fd00::1'), [cidr('fd00::/8')])).toBe(true);
  });

  it('allows the IPv6 forms that carry an allowlisted IPv4', () => {
    const list: Cidr[] = [cidr('10.0.0.0/8')];
    expect(isAddressAllowed(addr('::ffff:10.0.0.5'), list)).toBe(true);
    expect(isAddressAllowed(addr('64:ff9b::10.0.0.5'), list)).toBe(true);
    expect(isAddressAllowed(addr('::ffff:11.0.0.5'), list)).toBe(true); // public anyway
    expect(isAddressAllowed(addr('::ffff:192.168.0.5'), list)).toBe(false);
  });

  it('never mixes address families: an IPv6 range does not admit IPv4 and vice versa', () => {
    expect(isAddressAllowed(addr('127.0.0.1'), [cidr('::/0')])).toBe(false);
    expect(isAddressAllowed(addr('fd00::1'), [cidr('0.0.0.0/0')])).toBe(false);
  });

  it('allows every address of an allowlisted private range, in any spelling (property)', () => {
    const list: Cidr[] = [cidr('10.0.0.0/8')];
    fc.assert(
      fc.property(fc.integer({ min: 0x0a000000, max: 0x0affffff }), (n) => {
        const v4 = v4FromInt(n);
        expect(isAddressAllowed(v4, list)).toBe(true);
        expect(isAddressAllowed(addr(`::ffff:${v4.toString()}`), list)).toBe(true);
        expect(urlRefusal(`http://${n}/`, list)).toBeNull();
        expect(urlRefusal(`https://0x${n.toString(16)}/`, list)).toBeNull();
        expect(urlRefusal(`https://${n}/`, [])).toMatch(NON_PUBLIC);
      }),
      { numRuns: 200 },
    );
  });
});

describe('urlRefusal agrees with isPublicAddress on every IPv4 literal (property)', () => {
  it('refuses exactly the non-public ones, in dotted, decimal and hex spelling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const expected = isPublicAddress(v4FromInt(n)) ? null : expect.stringMatching(NON_PUBLIC);
        expect(urlRefusal(`https://${v4FromInt(n).toString()}/`, [])).toEqual(expected);
        expect(urlRefusal(`https://${n}/`, [])).toEqual(expected);
        expect(urlRefusal(`https://0x${n.toString(16)}/`, [])).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every loopback address however it is spelt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x7f000000, max: 0x7fffffff }), (n) => {
        expect(urlRefusal(`https://${n}/`, [])).toMatch(NON_PUBLIC);
        expect(urlRefusal(`https://[::ffff:${v4FromInt(n).toString()}]/`, [])).toMatch(NON_PUBLIC);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseAddress', () => {
  it('parses bare and bracketed literals and rejects names', () => {
    expect(parseAddress('10.0.0.1')?.toString()).toBe('10.0.0.1');
    expect(parseAddress('[::1]')?.toString()).toBe('::1');
    expect(parseAddress('::1')?.toString()).toBe('::1');
    expect(parseAddress('example.com')).toBeNull();
    expect(parseAddress('localhost')).toBeNull();
  });
});
