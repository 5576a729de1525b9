/**
 * A file of the @hookport/server package (its package.json, its migrations), by path from the package's
 * folder. This module sits one folder below it (src/), as the bundle does (dist/cli.js, which inlines
 * this module, so import.meta.url is then the bundle's): the same `../` finds the package from both.
 * scripts/build.ts keeps the bundle at that depth.
 */
export function packageFile(path: string): URL {
  return new URL(`../${path}`, import.meta.url);
}
