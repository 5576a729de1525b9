import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * For tests: a dump of a fresh, empty PGlite cluster, which an in-memory database loads instead of
 * running initdb (`openPglite`'s `template`). Creating a cluster costs about a second and a half of
 * CPU on a 2-CPU machine, loading the dump a third of that, and the suites open a few hundred
 * databases. The dump is made once per machine and PGlite build, kept in the OS temp directory (each
 * test file runs in a process of its own), and written under a temporary name then renamed, so a
 * reader never sees half of it.
 */
let loaded: Promise<Blob> | undefined;

export function pgliteTemplate(): Promise<Blob> {
  loaded ??= loadOrCreate();
  return loaded;
}

/** The file of this PGlite build's dump: the resolved module's path names the package version. */
function templatePath(): string {
  const build = createHash('sha256')
    .update(import.meta.resolve('@electric-sql/pglite'))
    .digest('hex')
    .slice(0, 16);
  return join(tmpdir(), `hookport-pglite-template-${build}.tar`);
}

async function loadOrCreate(): Promise<Blob> {
  const path = templatePath();
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const db = await PGlite.create('memory://');
    const dump = await db.dumpDataDir('none');
    await db.close();
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, path);
    return dump;
  }
}
