import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import { packageFile } from '../package-dir.ts';

/** One OpenAPI document the reference lists: a surface's title and where its JSON is served. */
export interface ReferenceSource {
  title: string;
  url: string;
}

export const referencePath = '/docs';

/**
 * The files of Scalar's standalone bundle that Hookport serves, by name. The page loads only the
 * script; the source map is there so the browser's developer tools do not reach out either.
 */
const bundleFiles: Record<string, string> = {
  'standalone.js': 'text/javascript; charset=utf-8',
  'standalone.js.map': 'application/json; charset=utf-8',
};

interface Bundle {
  dir: string;
  version: string;
}

/**
 * Set in the compiled server only (scripts/build.ts, esbuild's `define`): the folder, from the package,
 * where the build copied Scalar's standalone bundle, and its version. The published server does not
 * depend on `@scalar/api-reference`, whose install is mostly sources of the app the bundle was built
 * from; running from the TypeScript source, they are undefined and the installed package is read.
 */
declare const HOOKPORT_SCALAR_COPY: string | undefined;
declare const HOOKPORT_SCALAR_VERSION: string | undefined;

/** The bundle's folder and version: the compiled server's copy, or the installed package's. */
function locateBundle(): Bundle {
  const bundle = typeof HOOKPORT_SCALAR_COPY === 'string' ? copiedBundle() : installedBundle();
  // Fail when the app is built, not on a browser's first request, if the install lacks the bundle.
  for (const file of Object.keys(bundleFiles)) statSync(join(bundle.dir, file));
  return bundle;
}

function copiedBundle(): Bundle {
  return {
    dir: fileURLToPath(packageFile(String(HOOKPORT_SCALAR_COPY))),
    version: String(HOOKPORT_SCALAR_VERSION),
  };
}

/**
 * From source, the standalone bundle ships inside the `@scalar/api-reference` package installed by
 * pnpm: no copy is committed, and a `pnpm update` moves the page and its script together (the build
 * copies it from there too). Its package exports only `dist/index.js`, so the folder is found from there.
 */
function installedBundle(): Bundle {
  const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
  const dist = dirname(entry);
  const pkg: unknown = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  return { dir: join(dist, 'browser'), version };
}

/** Plain links to every document, shown when scripts are off (the reference itself needs them). */
function fallback(sources: readonly ReferenceSource[]): string {
  const items = sources.map((s) => `<li><a href="${escapeHtml(s.url)}">${escapeHtml(s.title)}</a></li>`).join('');
  return `<noscript><h1>Hookport API reference</h1><p>The interactive reference needs JavaScript. The OpenAPI documents:</p><ul>${items}</ul></noscript>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Scalar renders no slot for extra markup, so the fallback goes right after `<body>`. Should an
 * upgrade change that markup, this throws and the reference tests fail, rather than silently
 * dropping the fallback.
 */
function withFallback(page: string, noscript: string): string {
  const at = page.indexOf('<body>');
  if (at < 0) throw new Error('The Scalar page has no <body> tag to put the fallback links in.');
  const end = at + '<body>'.length;
  return `${page.slice(0, end)}\n    ${noscript}${page.slice(end)}`;
}

/**
 * `GET /docs`: Scalar's interactive reference over every surface's document, with every asset
 * served by Hookport itself (an offline machine gets the whole page; nothing loads from a CDN),
 * and `GET /docs/assets/<version>/<file>`: the bundle, cached for good since its URL names its version.
 */
export function referenceRouter(sources: readonly ReferenceSource[]) {
  const bundle = locateBundle();
  const assetsPath = `${referencePath}/assets/${bundle.version}`;
  const render = Scalar({
    pageTitle: 'Hookport API reference',
    sources: sources.map((s) => ({ url: s.url, title: s.title })),
    // `cdn` makes Scalar load its single-file bundle (no lazily imported chunks) from this URL.
    cdn: `${assetsPath}/standalone.js`,
    // The defaults fetch fonts from fonts.scalar.com and report usage; a local reference does neither.
    withDefaultFonts: false,
    telemetry: false,
    // The "Ask AI" agent and MCP integrations talk to Scalar's services.
    agent: { disabled: true },
    mcp: { disabled: true },
    // On localhost Scalar shows a toolbar of its hosted services (share, SDK generation, deploy).
    showDeveloperTools: 'never',
  });
  const noscript = fallback(sources);

  return new Hono()
    .get(referencePath, async (c, next) => {
      // Typed as a middleware, Scalar's handler always answers with the page.
      const page = await render(c, next);
      if (!(page instanceof Response)) throw new Error('Scalar rendered no reference page.');
      return c.html(withFallback(await page.text(), noscript));
    })
    .get(`${assetsPath}/:file`, (c) => {
      const file = c.req.param('file');
      const type = bundleFiles[file];
      if (type === undefined) return c.notFound();
      const body = Readable.toWeb(createReadStream(join(bundle.dir, file)));
      return c.body(body as ReadableStream<Uint8Array>, 200, {
        'Content-Type': type,
        'Cache-Control': 'public, max-age=31536000, immutable',
      });
    });
}
