/**
 * The SDK as a user gets it: `pnpm pack`, installed with npm into a fresh
 * project outside the workspace, type-checked there with and without Node's
 * types (edge runtimes have none), then run as a plain Node script against
 * the real server on a loopback port, receiving and verifying one delivery.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type * as NodeServer from '../../server/node_modules/@hono/node-server/dist/index.mjs';
import { startHookport, type TestHookport } from './support/harness.ts';

const execFileAsync = promisify(execFile);

/** Runs a command; a failure shows what the command printed (tsc reports its errors on stdout). */
async function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  try {
    return await execFileAsync(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}
const sdkDir = fileURLToPath(new URL('../../sdk/', import.meta.url));
const rootTypes = fileURLToPath(new URL('../../node_modules/@types/', import.meta.url));
// The server's own HTTP adapter and the SDK's own compiler, loaded from the packages that depend on them.
const { serve } = createRequire(new URL('../../server/package.json', import.meta.url))(
  '@hono/node-server',
) as typeof NodeServer;
const tsc = createRequire(join(sdkDir, 'package.json')).resolve('typescript/bin/tsc');
// The msw the SDK is developed with, so npm finds it in its cache.
const mswVersion = (createRequire(join(sdkDir, 'package.json'))('msw/package.json') as { version: string }).version;

let t: TestHookport;
let server: ReturnType<typeof serve>;
let baseUrl: string;
let project: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'hookport-sdk-consumer-'));
  t = await startHookport();
  server = serve({ fetch: t.hp.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

/** Uses the SDK the way a Node service would: admin setup, an endpoint, a publish, a verified delivery. */
const consumer = `
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Endpoint,
  Hookport,
  HookportError,
  verifyWebhook,
  type WebhookPayload,
} from '@hookport/sdk';

type IsAny<T> = 0 extends 1 & T ? true : false;
const baseUrl = process.env.HOOKPORT_URL ?? '';
const admin = new Hookport({ baseUrl, token: process.env.HOOKPORT_ADMIN_TOKEN ?? '' });

const tenant = await admin.tenants.create({ name: 'packaged' });
const { token } = await admin.tokens.create(tenant.id, { name: 'packaged', scopes: ['*'] });
const hp = new Hookport({ baseUrl, token, maxRetries: 1, timeoutMs: 10_000 });
await hp.eventTypes.create({ name: 'pack.done' });

let secret = '';
const verified = new Promise<WebhookPayload>((resolve, reject) => {
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      verifyWebhook(Buffer.concat(chunks), req.headers, secret).then((payload) => {
        res.writeHead(204).end();
        receiver.close();
        resolve(payload);
      }, reject);
    });
  });
  receiver.listen(0, '127.0.0.1', async () => {
    const { port } = receiver.address() as AddressInfo;
    const ep = await hp.endpoints.create({ url: 'http://127.0.0.1:' + port + '/hook', eventTypes: ['pack.*'] });
    secret = ep.secret;
    await hp.events.publish({ type: 'pack.done', data: { ok: true } });
  });
});

const listed: Endpoint[] = [];
const payload = await verified;
for await (const ep of hp.endpoints.list({ limit: 1 })) listed.push(ep);
const typed: IsAny<typeof listed[number]> = false;

let notFound = '';
try {
  await hp.endpoints.get('ep_01jbz8c1x9f8r5m6w0q2v3t4yz');
} catch (error) {
  if (error instanceof HookportError) notFound = error.code ?? 'no code';
}
console.log(JSON.stringify({ type: payload.type, data: payload.data, listed: listed.length, notFound, typed }));
`;

/** What an edge function (no Node types, DOM lib only) would write. */
const edge = `
import { Hookport, verifyWebhook, verifyHubSignature, type DeliveryWithAttempts } from '@hookport/sdk';

export async function handle(request: Request, secret: string): Promise<Response> {
  const payload = await verifyWebhook(await request.arrayBuffer(), request.headers, secret);
  await verifyHubSignature(await request.text(), request.headers, secret);
  const hp = new Hookport({ baseUrl: 'https://hookport.example.com', token: secret, fetch: (r) => fetch(r) });
  const delivery: DeliveryWithAttempts = await hp.deliveries.get(payload.type);
  return Response.json(delivery.attempts.map((a) => a.httpStatus));
}
`;

function tsconfig(files: string[], compilerOptions: Record<string, unknown>) {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: false,
      outDir: 'out',
      ...compilerOptions,
    },
    files,
  });
}

interface Packed {
  files: string[];
  installed: { dependencies: Record<string, string>; peerDependencies?: Record<string, string> } & Record<
    string,
    unknown
  >;
}

let packing: Promise<Packed> | undefined;

/**
 * Packs the SDK and installs the tarball, with msw for the test kit, into the
 * fresh project: once, for every test of this file.
 */
function packAndInstall(): Promise<Packed> {
  packing ??= (async () => {
    const { stdout: packed } = await run('pnpm', ['pack', '--pack-destination', project, '--json'], {
      cwd: sdkDir,
      env: { ...process.env, CI: 'true' },
    });
    const report = JSON.parse(packed.slice(packed.indexOf('{'))) as { filename: string; files: { path: string }[] };
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(
      'npm',
      [
        'install',
        report.filename,
        `msw@${mswVersion}`,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
      ],
      { cwd: project },
    );
    const installed = JSON.parse(await readFile(join(project, 'node_modules/@hookport/sdk/package.json'), 'utf8'));
    await mkdir(join(project, 'src'));
    return { files: report.files.map((f) => f.path), installed };
  })();
  return packing;
}

it('packs, installs outside the workspace, type-checks and runs against the server', async () => {
  const { files, installed } = await packAndInstall();
  expect(files).toContain('dist/index.js');
  expect(files).toContain('dist/index.d.ts');
  expect(files).toContain('dist/schema.d.ts');
  expect(files).toContain('dist/testing/index.js');
  expect(files).toContain('dist/testing/index.d.ts');
  expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(expect.arrayContaining(['package.json', 'LICENSE']));
  expect(files.some((f) => f.startsWith('src/') || f.includes('.test.'))).toBe(false);

  // The package carries the repository's licence, word for word.
  expect(await readFile(join(project, 'node_modules/@hookport/sdk/LICENSE'), 'utf8')).toBe(
    await readFile(fileURLToPath(new URL('../../LICENSE', import.meta.url)), 'utf8'),
  );
  expect(Object.keys(installed.dependencies)).toEqual(['openapi-fetch']);
  // msw is needed by the test kit only: a peer dependency, optional for everyone else.
  expect(installed.peerDependencies).toEqual({ msw: expect.any(String) });
  expect(installed.peerDependenciesMeta).toEqual({ msw: { optional: true } });
  // The main entry reaches openapi-fetch and nothing else, so it works where msw is not installed.
  expect((await importGraph(join(project, 'node_modules/@hookport/sdk/dist/index.js'))).bare).toEqual([
    'openapi-fetch',
  ]);

  await writeFile(join(project, 'src/consumer.ts'), consumer);
  await writeFile(join(project, 'src/edge.ts'), edge);
  await writeFile(
    join(project, 'tsconfig.node.json'),
    tsconfig(['src/consumer.ts'], { lib: ['ES2023'], types: ['node'], typeRoots: [rootTypes] }),
  );
  await writeFile(
    join(project, 'tsconfig.edge.json'),
    tsconfig(['src/edge.ts'], { lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: [], noEmit: true }),
  );
  await run(process.execPath, [tsc, '-p', 'tsconfig.edge.json'], { cwd: project });
  await run(process.execPath, [tsc, '-p', 'tsconfig.node.json'], { cwd: project });

  const { stdout } = await run(process.execPath, ['out/consumer.js'], {
    cwd: project,
    env: { ...process.env, HOOKPORT_URL: baseUrl, HOOKPORT_ADMIN_TOKEN: t.adminToken },
    timeout: 30_000,
  });
  expect(JSON.parse(stdout)).toEqual({
    type: 'pack.done',
    data: { ok: true },
    listed: 1,
    notFound: 'not_found',
    typed: false,
  });
}, 120_000);

/** The runnable example of the README's Testing section: its one ts block that imports the test kit. */
function testingExample(readme: string): string {
  const section = readme.slice(readme.indexOf('\n## Testing\n'));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const example = blocks.find((b) => b.includes("from '@hookport/sdk/testing'") && b.includes('setupServer'));
  if (!example) throw new Error('The README has no Testing example importing @hookport/sdk/testing.');
  return example;
}

/** Every module specifier a built file imports, following the package's own relative imports. */
async function importGraph(entry: string): Promise<{ files: string[]; bare: string[] }> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      const specifier = m[1] ?? '';
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier));
      else bare.add(specifier);
    }
  }
  return { files: [...seen], bare: [...bare].sort() };
}

it('runs the README Testing example in the fresh project with msw; the test kit imports nothing from Node', async () => {
  await packAndInstall();
  const example = testingExample(await readFile(join(sdkDir, 'README.md'), 'utf8'));
  await writeFile(join(project, 'src/testing-example.ts'), example);
  await writeFile(
    join(project, 'tsconfig.testing.json'),
    tsconfig(['src/testing-example.ts'], {
      // msw's types need the DOM lib, and its dependencies' declarations do not type-check beside
      // @types/node ('duplex' differs): their libraries are skipped, the example is checked strictly.
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [rootTypes],
      outDir: 'out-testing',
    }),
  );
  await run(process.execPath, [tsc, '-p', 'tsconfig.testing.json'], { cwd: project });
  const { stdout } = await run(process.execPath, ['out-testing/testing-example.js'], { cwd: project, timeout: 30_000 });
  expect(stdout.trim()).toBe('Hookport test kit example passed');

  // What a browser bundler would have to resolve from the testing entry: msw and the package's own files only.
  const graph = await importGraph(join(project, 'node_modules/@hookport/sdk/dist/testing/index.js'));
  expect(graph.bare).toEqual(['msw']);
  expect(graph.files.length).toBeGreaterThan(5);
}, 120_000);
