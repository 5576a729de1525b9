import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../config.ts';

/** Every setting the server reads is in .env.example and in the per-role table, and nothing else is. */
const root = new URL('../../../', import.meta.url);
const settings = Object.keys(envSchema.shape).sort();

describe('the configuration documents', () => {
  it('.env.example has every setting, commented out, once', async () => {
    const text = await readFile(new URL('.env.example', root), 'utf8');
    const listed = [...text.matchAll(/^# ([A-Z_]+)=/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual(settings);
    // Nothing is set by copying the file as it is.
    expect(text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'))).toEqual([]);
  });

  it("docs/configuration.md's table has a row for every setting", async () => {
    const text = await readFile(new URL('docs/configuration.md', root), 'utf8');
    const rows = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual(settings);
  });
});
