/**
 * Compiles the server to JavaScript that plain `node` runs: ES modules dist/cli.js, from src/cli.ts, and
 * dist/schema-worker.js beside it, from src/core/schema-worker.ts, the file the schema pool's worker
 * threads run (src/core/schema-pool.ts finds it through HOOKPORT_SCHEMA_WORKER, relative to the bundle).
 *
 * - The workspace packages the server imports (@hookport/spec, @hookport/compat) are TypeScript source
 *   and never published: they are inlined, so the packed server needs no other package of this repo.
 * - npm packages the workspace patches (pnpm-workspace.yaml's patchedDependencies: postgres.js) are
 *   inlined too, from the patched copy installed here: `npm install` of the packed server would fetch
 *   the unpatched release. They are devDependencies of the server for that reason.
 * - Every other npm package stays an import, resolved at run time from the server's own dependencies
 *   (PGlite loads its WebAssembly from its installed folder). An import of a package the server does not
 *   list among its dependencies fails the build, as it would fail after `npm install`.
 * - Scalar's standalone script, which /docs serves, is copied to dist/scalar/ (src/http/reference.ts):
 *   `@scalar/api-reference` is a devDependency, as its install (170 MB, mostly the sources of the app
 *   its bundle was built from) would be most of the server's.
 * - The web console (console/, a Vite build of Preact) is copied from console/dist/ to dist/console/,
 *   which /console serves (src/http/console.ts). The console is built first: the root scripts build
 *   `@hookport/server...` (the server and the workspace packages it depends on, the console among them),
 *   and this build fails with that advice when console/dist/ is missing.
 * - The bundle sits one folder below the package, as src/ does, so src/package-dir.ts finds
 *   package.json and migrations/ from both.
 *
 * The file is written beside its place and renamed over it: a test run or a server starting meanwhile
 * reads the old bundle or the new one, never half of one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const serverDir = fileURLToPath(new URL('../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${serverDir}package.json`, 'utf8')) as {
  dependencies: Record<string, string>;
};
const dependencies = new Set(Object.keys(manifest.dependencies));
const builtins = new Set(builtinModules);

/** The packages pnpm-workspace.yaml patches: its `patchedDependencies:` lines, `  postgres@3.4.9: patches/…`. */
function patchedPackages(): Set<string> {
  const workspace = readFileSync(`${serverDir}../pnpm-workspace.yaml`, 'utf8');
  const section = workspace.split(/^patchedDependencies:\n/m)[1] ?? '';
  return new Set([...section.matchAll(/^ {2}(@?[^@\s]+)@[^:]+:/gm)].map((m) => m[1] ?? ''));
}
const patched = patchedPackages();

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Bare imports: the workspace's own packages and patched ones are bundled, other npm packages stay external (and must be listed). */
const externals: Plugin = {
  name: 'hookport-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true };
      const name = packageName(args.path);
      if (name.startsWith('@hookport/') || patched.has(name)) return undefined;
      if (!dependencies.has(name)) {
        return {
          errors: [{ text: `${name} is imported by ${args.importer} but is not a dependency of @hookport/server` }],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

/** The files of Scalar's standalone bundle that /docs serves, copied to dist/scalar/; its version names their URL. */
async function copyScalar(): Promise<string> {
  const dist = dirname(createRequire(`${serverDir}package.json`).resolve('@scalar/api-reference'));
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  await mkdir(`${serverDir}dist/scalar`, { recursive: true });
  for (const file of ['standalone.js', 'standalone.js.map']) {
    const temporary = `${serverDir}dist/scalar/${file}.${process.pid}.tmp`;
    await copyFile(join(dist, 'browser', file), temporary);
    await rename(temporary, `${serverDir}dist/scalar/${file}`);
  }
  return pkg.version;
}

/**
 * console/dist/ copied whole to dist/console/: into a temporary folder first, then swapped in, so a
 * server starting meanwhile reads the old console or the new one.
 */
async function copyConsole(): Promise<void> {
  const source = `${serverDir}../console/dist`;
  if (!existsSync(`${source}/index.html`)) {
    throw new Error(
      'console/dist/index.html is missing: build the console first (pnpm --filter @hookport/console build)',
    );
  }
  const target = `${serverDir}dist/console`;
  const temporary = `${target}.${process.pid}.tmp`;
  const old = `${target}.${process.pid}.old`;
  await rm(temporary, { recursive: true, force: true });
  await cp(source, temporary, { recursive: true });
  if (existsSync(target)) await rename(target, old);
  await rename(temporary, target);
  await rm(old, { recursive: true, force: true });
}

export async function buildServer(): Promise<void> {
  const scalarVersion = await copyScalar();
  await copyConsole();
  const result = await build({
    entryPoints: [`${serverDir}src/cli.ts`, `${serverDir}src/core/schema-worker.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outdir: `${serverDir}dist`,
    entryNames: '[name]',
    write: false,
    plugins: [externals],
    define: {
      HOOKPORT_SCALAR_COPY: JSON.stringify('dist/scalar/'),
      HOOKPORT_SCALAR_VERSION: JSON.stringify(scalarVersion),
      HOOKPORT_CONSOLE_COPY: JSON.stringify('dist/console/'),
      HOOKPORT_SCHEMA_WORKER: JSON.stringify('./schema-worker.js'),
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
