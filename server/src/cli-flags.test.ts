import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The `hookport` bin's V8 flags (its `#!/usr/bin/env -S node …` line) bound a busy worker's heap by what
 * is live (docs/benchmarks.md, "Worker memory"). The root package.json starts the same file with `node`,
 * which skips that line, so its scripts repeat the flags: they must stay the same.
 */
const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

function binFlags(): string[] {
  const first = read('../bin/hookport.js').split('\n')[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+=\d+)+)$/.exec(first);
  if (!m?.[1]) throw new Error(`unexpected first line: ${first}`);
  return m[1].trim().split(' ');
}

describe('the node flags of the hookport bin', () => {
  it('are the ones the start and worker scripts pass', () => {
    const flags = binFlags();
    expect(flags).toContain('--heap-growing-percent=50');
    const scripts = (JSON.parse(read('../../package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'worker']) {
      const script = scripts[name] ?? '';
      expect(script, name).toMatch(/^node (.+) server\/bin\/hookport\.js /);
      const passed = /^node (.+) server\/bin\/hookport\.js /.exec(script)?.[1]?.split(' ');
      expect(passed, name).toEqual(flags);
    }
  });
});
