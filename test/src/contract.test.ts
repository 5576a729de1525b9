import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildNativeDocument } from '@hookport/spec';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookport, type TestHookport } from './support/harness.ts';

/**
 * The contract itself: the committed spec/openapi.json is exactly what the
 * Zod routes build, the server serves that very document, and the document
 * is a well-formed OpenAPI 3.1 description whose every route documents its
 * errors as problem details.
 */

const committedFile = fileURLToPath(new URL('../../spec/openapi.json', import.meta.url));
const committedText = readFileSync(committedFile, 'utf8');

interface MediaType {
  schema?: unknown;
}
interface Response {
  description?: string;
  content?: Record<string, MediaType>;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: unknown;
}
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
}
interface Document {
  openapi: string;
  info: { title?: string; version?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

const document = JSON.parse(committedText) as Document;
// ajv-formats is CommonJS: under ESM its plugin is the `default` property of the module object.
const addFormats = formatsModule.default;
const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => httpMethods.includes(method))
    .map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, path, method, op })),
);

/** Every `$ref` string anywhere in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (at === null || typeof at !== 'object' || !(key in at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

describe('drift', () => {
  it('spec/openapi.json is exactly what buildNativeDocument() builds', () => {
    const built = buildNativeDocument();
    expect(JSON.parse(JSON.stringify(built))).toStrictEqual(document);
    // Byte for byte too, as `pnpm generate` writes it: a reformatted file is drift as well.
    expect(`${JSON.stringify(built, null, 2)}\n`).toBe(committedText);
  });

  describe('served document', () => {
    let t: TestHookport;
    beforeAll(async () => {
      t = await startHookport();
    });
    afterAll(async () => {
      await t.close();
    });

    it('GET /openapi.json serves the committed document, without a token', async () => {
      const res = await t.raw.get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toStrictEqual(document);
    });
  });
});

describe('OpenAPI 3.1 structure', () => {
  it('declares OpenAPI 3.1 with a title and a version', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBeTruthy();
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(operations.length).toBeGreaterThan(0);
  });

  it('gives every operation a unique operationId, a summary and a tag', () => {
    const ids = operations.map(({ label, op }) => {
      expect(op.operationId, label).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(op.summary, label).toBeTruthy();
      expect(op.tags?.length ?? 0, label).toBeGreaterThan(0);
      return op.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares each path template variable as a required path parameter, and no other', () => {
    for (const { label, path, op } of operations) {
      const variables = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), label).toEqual([...variables].sort());
      for (const p of declared) {
        expect(p.required, `${label} ${p.name}`).toBe(true);
        expect(p.schema, `${label} ${p.name}`).toBeDefined();
      }
      for (const p of op.parameters ?? []) expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
    }
  });

  it('describes every response, with at least one success', () => {
    for (const { label, op } of operations) {
      const statuses = Object.keys(op.responses ?? {});
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        label,
      ).toBe(true);
      for (const status of statuses) {
        expect(status, label).toMatch(/^[1-5](\d\d|XX)$/);
        expect(op.responses?.[status]?.description, `${label} ${status}`).toBeTruthy();
      }
    }
  });

  it('takes request bodies as required JSON, except where empty means "all defaults"', () => {
    const optionalBodies = ['rotateEndpointSecret'];
    for (const { label, op } of operations) {
      if (!op.requestBody) continue;
      expect(Object.keys(op.requestBody.content ?? {}), label).toEqual(['application/json']);
      expect(op.requestBody.content?.['application/json']?.schema, label).toBeDefined();
      expect(op.requestBody.required ?? false, label).toBe(!optionalBodies.includes(op.operationId ?? ''));
    }
  });

  it('documents every error as application/problem+json of the Problem schema', () => {
    for (const { label, op } of operations) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${label} ${status}`).toEqual(['application/problem+json']);
        expect(response.content?.['application/problem+json']?.schema, `${label} ${status}`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
  });

  it('documents the 4xx answers each kind of input can earn', () => {
    for (const { label, op } of operations) {
      const statuses = new Set(Object.keys(op.responses ?? {}).map(Number));
      // Every operation takes a query, if only to refuse parameters it does not declare (422).
      const needs: number[] = [422, 500];
      if (op.security?.length) needs.push(401, 403);
      if (op.requestBody) needs.push(400, 413, 415);
      if (op.parameters?.some((p) => p.in === 'path')) needs.push(404);
      for (const status of needs) expect(statuses.has(status), `${label} documents ${status}`).toBe(true);
    }
  });

  it('secures every /v1 operation with a declared scheme', () => {
    const schemes = Object.keys(document.components?.securitySchemes ?? {});
    for (const { label, path, op } of operations) {
      if (!path.startsWith('/v1/')) continue;
      expect(op.security?.length ?? 0, label).toBeGreaterThan(0);
      for (const requirement of op.security ?? []) {
        for (const name of Object.keys(requirement)) expect(schemes, label).toContain(name);
      }
    }
  });

  it('resolves every $ref', () => {
    const refs = [...new Set(refsIn(document))];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolvePointer(document, ref), ref).toBeDefined();
  });

  it('has component schemas that compile as JSON Schema 2020-12', () => {
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; compiling each against the whole document proves it.
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema(document, 'doc');
    const names = Object.keys(document.components?.schemas ?? {});
    expect(names).toContain('Problem');
    for (const name of names) {
      expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` }), name).not.toThrow();
    }
  });
});
