import dns, { type LookupAddress } from 'node:dns';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { isIP } from 'node:net';
import tls from 'node:tls';

/**
 * A small network on this machine for egress tests, with no DNS server and
 * nothing installed:
 *
 * - a "public" receiver on 127.0.0.2 (the only range the tests allowlist,
 *   HOOKPORT_EGRESS_ALLOWLIST=127.0.0.2/32), over http and https;
 * - "internal" sentinels on 127.0.0.1 and [::1] **on the same port**, which
 *   count every TCP connection: a URL, redirect or DNS answer that switches
 *   from the receiver's address to an internal one keeps the port, so a
 *   guard that let it through would show up there;
 * - a resolver for names under `.egress.test`: node's own `dns.lookup` (the
 *   one the delivery client's connect-time guard calls) answers them from a
 *   script, a different answer per lookup if asked, and passes every other
 *   name to the real resolver;
 * - a test CA the https receiver's certificate chains to, trusted in this
 *   test process only (tls.setDefaultCACertificates), so deliveries to a
 *   name succeed over real TLS.
 */

/** A test-only CA (valid 2020–2120) and the leaf it signed for *.egress.test and 127.0.0.2. Not a secret. */
const testCa = `-----BEGIN CERTIFICATE-----
MIIBeDCCAR2gAwIBAgIBATAKBggqhkjOPQQDAjAiMSAwHgYDVQQDDBdIb29rcG9y
dCBlZ3Jlc3MgdGVzdCBDQTAgFw0yMDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAw
MFowIjEgMB4GA1UEAwwXSG9va3BvcnQgZWdyZXNzIHRlc3QgQ0EwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAAQlN3d+HkHx3tIbJwWRKZH2yxWp4YsRKX3dOxEn/gkn
AwehOt8o8OHwG4lZiBSbOJkGrb8kk1qvUI6mIuav1U1Go0IwQDAPBgNVHRMBAf8E
BTADAQH/MA4GA1UdDwEB/wQEAwICBDAdBgNVHQ4EFgQUN/ncsJgNPvyaGonDelc2
xk0oF98wCgYIKoZIzj0EAwIDSQAwRgIhAJKBTLsc8Kuuhm7o4MIyFRtbXvV/cQ3J
ouQK+FJO5qRoAiEA4/SqgxV/krld5MvS2941QDqASpf3KWgJpHUaYbgQMOQ=
-----END CERTIFICATE-----
`;

const leafCertificate = `-----BEGIN CERTIFICATE-----
MIIBujCCAWCgAwIBAgIBAjAKBggqhkjOPQQDAjAiMSAwHgYDVQQDDBdIb29rcG9y
dCBlZ3Jlc3MgdGVzdCBDQTAgFw0yMDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAw
MFowFjEUMBIGA1UEAwwLZWdyZXNzLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAAQ5HLMZDorYMXRHHOrgbsohG4fQRXU7qzYBOvrOrJE16gcQMeSuFQAiODZP
px5nNhjGOXMOSzAaQpK8sk857b+7o4GQMIGNMCsGA1UdEQQkMCKCDSouZWdyZXNz
LnRlc3SCC2VncmVzcy50ZXN0hwR/AAACMAkGA1UdEwQCMAAwEwYDVR0lBAwwCgYI
KwYBBQUHAwEwHQYDVR0OBBYEFE5FgC+a7nJ6pw+BOGtV2qxWN2TVMB8GA1UdIwQY
MBaAFDf53LCYDT78mhqJw3pXNsZNKBffMAoGCCqGSM49BAMCA0gAMEUCIQDEb4B3
TEb5nkZJnjI2N4vIcDbzpWJ//VhdL1pJNbp7uQIgQF698Rqx8l3fcSV9fAOUtcNK
Vptw5cpLvdD8ZjPW0BQ=
-----END CERTIFICATE-----
`;

// The private key of the test leaf above: it protects nothing but these tests' 127.0.0.2 receiver.
const leafKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7qqOBO/JxfZixPCC
BAqTyrXvVBaVVgJZIohnpIyYqY6hRANCAAQ5HLMZDorYMXRHHOrgbsohG4fQRXU7
qzYBOvrOrJE16gcQMeSuFQAiODZPpx5nNhjGOXMOSzAaQpK8sk857b+7
-----END PRIVATE KEY-----
`;

/** Trusts the test CA in this process, besides the usual roots. */
export function trustTestCa(): void {
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new Error('these tests need tls.setDefaultCACertificates (Node >= 22.19 or >= 24.5; CI installs 24)');
  }
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), testCa]);
}

/** The address of the "public" receiver, and the allowlist that lets exactly it through. */
export const publicAddress = '127.0.0.2';
export const publicAllowlist = '127.0.0.2/32';

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;
type LookupOptions = number | { family?: number | string; all?: boolean } | undefined;

export interface ScriptedResolver {
  /** How often each scripted name was looked up. */
  lookups(name: string): number;
  restore(): void;
}

function answer(addresses: readonly string[], options: LookupOptions, callback: LookupCallback): void {
  const wanted = typeof options === 'number' ? options : Number(options?.family ?? 0) || 0;
  const all = typeof options === 'object' && options.all === true;
  const list = addresses
    .map((address) => ({ address, family: isIP(address) }))
    .filter((a) => wanted === 0 || a.family === wanted);
  const first = list[0];
  if (!first) {
    const err: NodeJS.ErrnoException = new Error('queryA ENOTFOUND');
    err.code = 'ENOTFOUND';
    callback(err);
  } else if (all) callback(null, list);
  else callback(null, first.address, first.family);
}

/**
 * Makes names resolve from a script: `script[name][n]` is the answer to the
 * n-th lookup (the last one repeats). Patches `dns.lookup` and
 * `dns.promises.lookup` and re-syncs the ESM bindings, so every way of
 * importing them sees the script.
 */
export function scriptResolver(script: Record<string, readonly (readonly string[])[]>): ScriptedResolver {
  const counts = new Map<string, number>();
  const original = dns.lookup;
  const originalPromise = dns.promises.lookup;
  const scripted = (hostname: string): readonly string[] | undefined => {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    const answers = script[name];
    if (!answers) return undefined;
    const n = counts.get(name) ?? 0;
    counts.set(name, n + 1);
    return answers[Math.min(n, answers.length - 1)] ?? [];
  };
  const fake = (hostname: string, options: LookupOptions | LookupCallback, callback?: LookupCallback) => {
    const cb = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'function' ? undefined : options;
    if (!cb) throw new TypeError('lookup needs a callback');
    const addresses = scripted(hostname);
    if (!addresses) {
      (original as (h: string, o: object, c: LookupCallback) => void)(
        hostname,
        typeof opts === 'number' ? { family: opts } : (opts ?? {}),
        cb,
      );
      return;
    }
    process.nextTick(() => answer(addresses, opts, cb));
  };
  const fakePromise = (hostname: string, options?: LookupOptions) => {
    const addresses = scripted(hostname);
    if (!addresses) {
      const family = typeof options === 'number' ? options : Number(options?.family ?? 0) || 0;
      return originalPromise(hostname, { family, all: typeof options === 'object' && options.all === true });
    }
    return new Promise((resolve, reject) =>
      answer(addresses, options, (err, address, family) =>
        err ? reject(err) : resolve(Array.isArray(address) ? address : { address, family }),
      ),
    );
  };
  Object.assign(dns, { lookup: fake });
  Object.assign(dns.promises, { lookup: fakePromise });
  syncBuiltinESMExports();
  return {
    lookups: (name) => counts.get(name) ?? 0,
    restore() {
      Object.assign(dns, { lookup: original });
      Object.assign(dns.promises, { lookup: originalPromise });
      syncBuiltinESMExports();
    },
  };
}

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

/** How the public receiver answers a request, by its path. */
export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

export interface EgressNetwork {
  /** The one port everything listens on. */
  port: number;
  /** Requests the public receiver got (http and https alike). */
  received: Seen[];
  /** TCP connections that reached an internal listener (127.0.0.1 or ::1 on `port`). */
  internalConnections(): number;
  /** `http://127.0.0.2:P` — the public receiver over plain http (allowlisted, so http is accepted). */
  httpBase: string;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * Starts the internal sentinels and the public receiver on one port: the
 * receiver speaks http on 127.0.0.2 by default, https when `tls` is set (one
 * receiver per network: a port carries one protocol).
 */
export async function startEgressNetwork(answer: Answer, opts: { tls?: boolean } = {}): Promise<EgressNetwork> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const network = await tryStart(answer, opts.tls === true).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') return undefined;
      throw err;
    });
    if (network) return network;
  }
  throw new Error('no free port on 127.0.0.1, ::1 and 127.0.0.2 at once');
}

async function tryStart(answer: Answer, secure: boolean): Promise<EgressNetwork> {
  let connections = 0;
  const internal = () => {
    const server = createHttpServer((_req, res) => res.writeHead(204).end());
    server.on('connection', () => {
      connections++;
    });
    return server;
  };
  const received: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, at: Date.now() });
    req.resume();
    req.on('end', () => answer(req, res));
  };
  const publicServer = secure
    ? createHttpsServer({ cert: leafCertificate, key: leafKey }, handler)
    : createHttpServer(handler);
  const v4 = internal();
  const v6 = internal();
  const started: Server[] = [];
  try {
    const port = await listen(v4, '127.0.0.1', 0);
    started.push(v4);
    await listen(publicServer, publicAddress, port);
    started.push(publicServer);
    await listen(v6, '::1', port).then(
      () => started.push(v6),
      // A machine without IPv6 loopback cannot be reached over it either.
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRNOTAVAIL' && err.code !== 'EAFNOSUPPORT') throw err;
      },
    );
    return {
      port,
      received,
      internalConnections: () => connections,
      httpBase: `http://${publicAddress}:${port}`,
      close: async () => {
        await Promise.all(started.map(close));
      },
    };
  } catch (err) {
    await Promise.all(started.map(close));
    throw err;
  }
}

/**
 * Non-public target forms, as URL literals, that the guard refuses at creation
 * and at delivery; `P` is replaced by a listener's port. Shared by the
 * delivery-time matrix (egress.e2e) and the creation-time one (egress.hostile).
 */
export const blockedTargets: Record<string, string> = {
  'decimal IPv4': 'http://2130706433:P/hook',
  'hex IPv4': 'http://0x7f000001:P/hook',
  'octal IPv4': 'http://0177.0.0.1:P/hook',
  'full octal IPv4': 'http://017700000001:P/hook',
  'short IPv4 127.1': 'http://127.1:P/hook',
  'mixed hex short IPv4': 'http://0x7f.1:P/hook',
  'loopback 127.0.0.1': 'http://127.0.0.1:P/hook',
  'loopback with a trailing dot': 'http://127.0.0.1.:P/hook',
  'loopback 127.255.255.254': 'http://127.255.255.254:P/hook',
  'credentials before a loopback host': 'http://hooks.example.com@127.0.0.1:P/hook',
  'unspecified 0.0.0.0': 'http://0.0.0.0:P/hook',
  'unspecified as 0': 'http://0:P/hook',
  'IPv6 loopback': 'http://[::1]:P/hook',
  'IPv6 unspecified': 'http://[::]:P/hook',
  'IPv4-mapped dotted': 'http://[::ffff:127.0.0.1]:P/hook',
  'IPv4-mapped hex': 'http://[::ffff:7f00:1]:P/hook',
  'IPv4-compatible': 'http://[::127.0.0.1]:P/hook',
  'IPv4-translated (RFC 6145)': 'http://[::ffff:0:7f00:1]:P/hook',
  '6to4 of 127.0.0.1': 'http://[2002:7f00:1::]:P/hook',
  'NAT64 of 127.0.0.1': 'http://[64:ff9b::7f00:1]:P/hook',
  'local-use NAT64 of 127.0.0.1': 'http://[64:ff9b:1::7f00:1]:P/hook',
  'cloud metadata 169.254.169.254': 'http://169.254.169.254:P/latest/meta-data/',
  'cloud metadata, IPv4-mapped': 'http://[::ffff:a9fe:a9fe]:P/latest/meta-data/',
  'CGNAT 100.64.0.1': 'http://100.64.0.1:P/hook',
  'private 10.0.0.1': 'http://10.0.0.1:P/hook',
  'private 192.168.0.1': 'http://192.168.0.1:P/hook',
  'private 172.16.0.1': 'http://172.16.0.1:P/hook',
  'ULA fc00::1': 'http://[fc00::1]:P/hook',
  'ULA fd00::1': 'http://[fd00::1]:P/hook',
  'link-local fe80::1': 'http://[fe80::1]:P/hook',
  'multicast 224.0.0.1': 'http://224.0.0.1:P/hook',
  'multicast ff02::1': 'http://[ff02::1]:P/hook',
  'broadcast 255.255.255.255': 'http://255.255.255.255:P/hook',
  'reserved 240.0.0.1': 'http://240.0.0.1:P/hook',
  'documentation 192.0.2.1': 'http://192.0.2.1:P/hook',
  'benchmarking 198.18.0.1': 'http://198.18.0.1:P/hook',
  'documentation 2001:db8::1': 'http://[2001:db8::1]:P/hook',
  localhost: 'http://localhost:P/hook',
  'localhost, https': 'https://localhost:P/hook',
  'localhost with a trailing dot': 'http://localhost.:P/hook',
  'a name under .localhost': 'http://api.localhost:P/hook',
  // More IPv6 spellings and ranges (issue #6): expanded, upper case, embedded private and metadata addresses.
  'IPv6 loopback, fully expanded': 'http://[0:0:0:0:0:0:0:1]:P/hook',
  'IPv6 loopback, leading zeros': 'http://[0000:0000::0001]:P/hook',
  'IPv4-mapped, fully expanded': 'http://[0:0:0:0:0:ffff:7f00:1]:P/hook',
  'IPv4-mapped, upper case': 'http://[::FFFF:7F00:1]:P/hook',
  'IPv4-mapped 10.0.0.1': 'http://[::ffff:a00:1]:P/hook',
  'IPv4-mapped CGNAT': 'http://[::ffff:100.64.0.1]:P/hook',
  'IPv4-mapped 0.0.0.0': 'http://[::ffff:0.0.0.0]:P/hook',
  'IPv4-compatible metadata': 'http://[::a9fe:a9fe]:P/latest/meta-data/',
  'IPv4-translated metadata': 'http://[::ffff:0:a9fe:a9fe]:P/latest/meta-data/',
  'NAT64 of metadata': 'http://[64:ff9b::a9fe:a9fe]:P/latest/meta-data/',
  'NAT64 of 10.0.0.1': 'http://[64:ff9b::a00:1]:P/hook',
  '6to4 of metadata': 'http://[2002:a9fe:a9fe::]:P/latest/meta-data/',
  'AWS IPv6 metadata fd00:ec2::254': 'http://[fd00:ec2::254]:P/latest/meta-data/',
  'deprecated site-local fec0::1': 'http://[fec0::1]:P/hook',
  'link-local upper bound febf::1': 'http://[febf::1]:P/hook',
  'discard-only 100::1': 'http://[100::1]:P/hook',
  'Teredo 2001::1': 'http://[2001::1]:P/hook',
  'ORCHIDv2 2001:20::1': 'http://[2001:20::1]:P/hook',
  'multicast ff05::1': 'http://[ff05::1]:P/hook',
  'link-local IPv4 169.254.0.1': 'http://169.254.0.1:P/hook',
  '6to4 relay anycast 192.88.99.1': 'http://192.88.99.1:P/hook',
};
