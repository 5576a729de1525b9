import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError } from '@hookport/spec';
import { type Context, Hono } from 'hono';
import type { PortalBranding } from '../config.ts';
import { packageFile } from '../package-dir.ts';

export const consolePath = '/console';

/**
 * The console's page may load scripts, styles and data from this origin only, runs no inline script,
 * and may not be framed unless HOOKPORT_PORTAL_FRAME_ANCESTORS names the origins that may (a product
 * embedding the portal; see consoleCspFor). Together
 * with rendering every tenant- or receiver-supplied string as text, a hostile endpoint description or
 * response body cannot run code in an operator's session (docs/console.md).
 */
export const consoleCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The CSP with `frame-ancestors` set to the configured origins, when there are any, and `img-src`
 * widened to the origin of an https logo (HOOKPORT_PORTAL_LOGO_URL): that one origin, not `https:`,
 * so the page still loads no other image from elsewhere. A logo on this host needs nothing more.
 */
export function consoleCspFor(frameAncestors: readonly string[], logoUrl: string | null = null): string {
  let csp = consoleCsp;
  if (frameAncestors.length > 0)
    csp = csp.replace("frame-ancestors 'none'", `frame-ancestors ${frameAncestors.join(' ')}`);
  if (logoUrl?.startsWith('https://')) csp = csp.replace("img-src 'self'", `img-src 'self' ${new URL(logoUrl).origin}`);
  return csp;
}

function securityHeaders({ frameAncestors, logoUrl }: PortalBranding): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': consoleCspFor(frameAncestors, logoUrl),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  // X-Frame-Options has no list of origins: with frame-ancestors set it would only contradict it.
  if (frameAncestors.length === 0) headers['X-Frame-Options'] = 'DENY';
  return headers;
}

export const noBranding: PortalBranding = { name: null, logoUrl: null, accent: null, frameAncestors: [] };

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Set in the compiled server only (scripts/build.ts): the folder, from the package, where the build
 * copied the console (dist/console/). From the TypeScript source it is undefined and the workspace's
 * console/dist is served, which `pnpm install` and the test setups build.
 */
declare const HOOKPORT_CONSOLE_COPY: string | undefined;

function consoleDir(): string {
  if (typeof HOOKPORT_CONSOLE_COPY === 'string') return fileURLToPath(packageFile(HOOKPORT_CONSOLE_COPY));
  return fileURLToPath(packageFile('../console/dist/'));
}

interface ConsoleFiles {
  index: string;
  /** Vite's output under assets/, every name carrying a hash of its content. */
  assets: Map<string, { body: Uint8Array<ArrayBuffer>; type: string }>;
}

/** The built console, read once: a few hundred kilobytes, and its file names change with each build anyway. */
function readConsole(dir: string): ConsoleFiles | null {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return null;
  const assets = new Map<string, { body: Uint8Array<ArrayBuffer>; type: string }>();
  const assetsDir = join(dir, 'assets');
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const type = contentTypes[extname(name)];
    if (type) assets.set(name, { body: new Uint8Array(readFileSync(join(assetsDir, name))), type });
  }
  return { index: readFileSync(indexFile, 'utf8'), assets };
}

/**
 * `GET /console`: the web console's page, and `GET /console/assets/<file>`: its scripts and styles,
 * cached for good since their names change with their content. The page is never cached, so a new
 * server version is picked up on the next load. Any other path under /console is a 404.
 */
export function consoleRouter(branding: PortalBranding = noBranding, dir: string = consoleDir()) {
  const files = readConsole(dir);
  const headers = securityHeaders(branding);
  const app = new Hono();
  // On every answer under /console, the page's and the 404s alike (`/console/*` matches `/console` too).
  app.use(`${consolePath}/*`, async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });

  const page = (c: Context) => {
    if (!files) {
      // From the source without a build: say what to run rather than a bare 404.
      return c.html(
        '<!doctype html><title>Hookport console</title><p>The console is not built. Run <code>pnpm build</code> (or <code>pnpm install</code>) and restart.</p>',
        503,
        { 'Cache-Control': 'no-store' },
      );
    }
    return c.html(files.index, 200, { 'Cache-Control': 'no-cache' });
  };
  app.get(consolePath, (c) => page(c));
  app.get(`${consolePath}/`, (c) => page(c));
  app.get(`${consolePath}/assets/:file`, (c) => {
    const asset = files?.assets.get(c.req.param('file'));
    if (!asset) throw new CoreError('not_found', `No console file ${c.req.path}.`);
    return c.body(asset.body, 200, {
      'Content-Type': asset.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
  // No auth: the console reads it before sign-in, and it holds only the operator's public branding.
  app.get(`${consolePath}/branding.json`, (c) =>
    c.json({ name: branding.name, logoUrl: branding.logoUrl, accent: branding.accent }, 200, {
      'Cache-Control': 'no-cache',
    }),
  );
  app.get(`${consolePath}/*`, (c) => {
    throw new CoreError('not_found', `No console page ${c.req.path}; the console lives at ${consolePath}.`);
  });
  return app;
}
