import { type ProblemCode, problemCodes, problemTitles, problemTypeBase } from '@hookport/spec';
import { expect } from 'vitest';
import { type ApiResponse, nativeContract, streamedRequest, type TestHookport } from './harness.ts';
import type { Problem } from './types.ts';

/**
 * Asserts an RFC 9457 answer: the status of its code, served as
 * application/problem+json, with every member a client relies on. Never a 5xx.
 */
export function expectProblem(res: ApiResponse, code: ProblemCode): Problem {
  const status = problemCodes[code];
  expect(res.status, `expected ${status} ${code}, got ${res.status}: ${res.text}`).toBeLessThan(500);
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json(;|$)/);
  const body = res.body as Problem;
  expect(body).toMatchObject({ type: `${problemTypeBase}${code}`, title: problemTitles[code], status, code });
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

/** The `errors[].path` of a 422, to check that each bad field is named. */
export function errorPaths(res: ApiResponse): string[] {
  return ((res.body as Problem).errors ?? []).map((e) => e.path);
}

/** A 422 naming at least the given field paths. */
export function expectInvalid(res: ApiResponse, ...paths: string[]): Problem {
  const problem = expectProblem(res, 'validation_failed');
  expect(problem.errors?.length ?? 0).toBeGreaterThan(0);
  expect(errorPaths(res)).toEqual(expect.arrayContaining(paths));
  return problem;
}

/** Runs a request and proves that nothing stored changed because of it. */
export async function expectUnchanged<T>(t: TestHookport, act: () => Promise<T>): Promise<T> {
  const before = await t.snapshot();
  const result = await act();
  expect(await t.snapshot()).toBe(before);
  return result;
}

/** streamedRequest, its answer checked against the contract like any `t.api` answer. */
export async function sendStreamed(...args: Parameters<typeof streamedRequest>): Promise<ApiResponse> {
  const [, method, path] = args;
  const res = await streamedRequest(...args);
  nativeContract.check(method, path, res.status, res.headers.get('content-type'), res.body);
  return res;
}

/** Reads the stored rows of one table, through the same dump `t.snapshot()` compares. */
export async function storedRows(t: TestHookport, table: string): Promise<Record<string, unknown>[]> {
  const dump = JSON.parse(await t.snapshot()) as Record<string, Record<string, unknown>[]>;
  return dump[table] ?? [];
}
