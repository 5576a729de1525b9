import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console is a static build served by the Hookport server at /console (server/src/http/console.ts).
 * Preact's JSX is compiled by Vite's own transform (Oxc), so no Babel-based preset is needed.
 * The SDK is its TypeScript source, bundled in: the console calls the API exactly as a script would.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: { '@hookport/sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every asset is a file under /console/assets/ with a content hash: nothing inlined as a data: URL
    // (the CSP allows 'self' only) and no inline module-preload polyfill script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
});
