import fc from 'fast-check';
import { hostileValue, type Schema, type SchemaArbitraries } from './fuzz-schema.ts';

/**
 * Requests generated from an OpenAPI document. A generated request is
 * abstract where it must point at real data (an id is "the n-th id the
 * surface knows", resolved when it is sent), so one seed gives the same
 * request sequence on every run even though the server mints new ids.
 */

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  template: string;
  parameters: Parameter[];
  body: Schema | null;
}

/** A path segment: one of the surface's ids, one of another surface's, or raw (already percent-encoded) text. */
export type Segment = { own: number } | { foreign: number } | { raw: string };

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[] }
  /** A valid object with the value of its n-th member replaced by raw text (what JSON.stringify cannot build). */
  | { kind: 'spliced'; value: unknown; member: number; raw: string };

/** Why a request looks the way it does; hostile kinds are expected to get a 4xx. */
export type RequestKind = 'valid' | 'path' | 'query' | 'body' | 'headers';

export interface FuzzRequest {
  kind: RequestKind;
  op: number;
  segments: Record<string, Segment>;
  query: [string, string][];
  headers: [string, string][];
  body: Body;
  /** Null: no Content-Type header at all. */
  contentType: string | null;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>
  >;
}

const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of a document, in document order. */
export function operationsOf(doc: object): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries((doc as OpenApiDocument).paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!methods.has(method)) continue;
      ops.push({
        method: method.toUpperCase(),
        template,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return ops;
}

/** Segments no id has: traversal, NUL, bad percent-encoding, huge, injection-shaped. Never a bare dot segment. */
const hostileSegments = [
  '..%2F..%2Fv1%2Ftenants',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fadmin',
  '..%5C..%5Cwindows',
  '%252e%252e%252f',
  '..%3B',
  '%00',
  'a%00b',
  '%FF%FE',
  '%C0%AE%C0%AE%2F',
  '%',
  '%zz',
  '%ED%A0%80',
  '%0D%0ASet-Cookie:%20x=1',
  "'%3B%20drop%20table%20endpoints%3B%20--",
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '0',
  '-1',
  '1e308',
  '18446744073709551616',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  'A'.repeat(26),
  'wh_ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
  'ep_',
  'evt_0',
];

const segmentArb: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((n) => ({ own: n })) },
  { weight: 2, arbitrary: fc.nat().map((n) => ({ foreign: n })) },
  { weight: 3, arbitrary: fc.constantFrom(...hostileSegments).map((raw) => ({ raw })) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => s !== '.' && s !== '..')
      .map((s) => ({ raw: encodeURIComponent(s) })),
  },
);

const hostileQueryValues = [
  '',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e308',
  '18446744073709551616',
  '9223372036854775808',
  'NaN',
  'abc',
  'true',
  '%00',
  '%FF',
  '%',
  '2026-13-45T99:99:99Z',
  '0001-01-01T00:00:00Z',
  '275760-09-13T00:00:00.001Z',
  'x'.repeat(5000),
  '__proto__',
];

/** A query value, percent-encoded: valid for the schema, or anything. */
function queryValueArb(schemas: SchemaArbitraries, schema: Schema, hostile: boolean): fc.Arbitrary<string> {
  const valid = schemas.valueOf(schema).map((v) => encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v)));
  if (!hostile) return valid;
  return fc.oneof(
    fc.constantFrom(...hostileQueryValues).map((v) => (v.startsWith('%') ? v : encodeURIComponent(v))),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    valid,
  );
}

/** Header values the Fetch API lets through (no CR/LF, Latin-1): injection attempts are the hostile tests' job. */
const headerValueArb = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
  fc.constantFrom('', ' ', 'x'.repeat(8000), '\u00ff\u00fe', '__proto__'),
);

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'json',
];

const rawBodies: Body[] = [
  { kind: 'text', text: '' },
  { kind: 'text', text: '{' },
  { kind: 'text', text: '{"a":1' },
  { kind: 'text', text: 'null' },
  { kind: 'text', text: '[]' },
  { kind: 'text', text: '"text"' },
  { kind: 'text', text: '1e999' },
  { kind: 'text', text: '-0' },
  { kind: 'text', text: '{"url":"https://a.example.com","url":"https://b.example.com"}' },
  { kind: 'text', text: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' },
  { kind: 'text', text: '\ufeff{}' },
  { kind: 'text', text: `${'['.repeat(200)}${']'.repeat(200)}` },
  { kind: 'text', text: `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}` },
  { kind: 'text', text: '{"a":"\\ud800"}' },
  { kind: 'text', text: '{"a":"\\u0000"}' },
  { kind: 'bytes', bytes: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d] },
  { kind: 'bytes', bytes: [0xc3, 0x28] },
  { kind: 'bytes', bytes: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d] },
];

/** Member values no JSON.stringify produces: deeper than any parser should follow, escaped keys, bad escapes. */
const splicedValues = [
  `${'['.repeat(6000)}${']'.repeat(6000)}`,
  `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`,
  `[${'{"a":['.repeat(3000)}${']}'.repeat(3000)}]`,
  `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  `${'['.repeat(129)}${']'.repeat(129)}`,
  '{"__proto__":{"polluted":true}}',
  '{"\\u005f_proto__":{"polluted":true}}',
  '"\\ud800"',
  '"\\u0000"',
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '"a","a":"b"',
];

/** Requests for one document: a mix of valid ones and ones broken in one place each. */
export function requestArb(ops: Operation[], schemas: SchemaArbitraries): fc.Arbitrary<FuzzRequest> {
  return fc.integer({ min: 0, max: ops.length - 1 }).chain((opIndex) => {
    const op = ops[opIndex] as Operation;
    return fc
      .constantFrom<RequestKind>('valid', 'valid', 'valid', 'path', 'query', 'body', 'body', 'body', 'headers')
      .chain((kind) => forOperation(op, opIndex, kind, schemas));
  });
}

function forOperation(
  op: Operation,
  opIndex: number,
  kind: RequestKind,
  schemas: SchemaArbitraries,
): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const segments: Record<string, fc.Arbitrary<Segment>> = {};
  for (const p of pathParams) {
    segments[p.name] = kind === 'path' ? segmentArb : fc.nat().map((n) => ({ own: n }));
  }
  const queryEntries = queryParams.map((p) =>
    fc.option(
      queryValueArb(schemas, p.schema, kind === 'query').map((v): [string, string] => [p.name, v]),
      { nil: undefined, freq: p.required ? 0 : 2 },
    ),
  );
  const extraQuery =
    kind === 'query'
      ? fc.array(
          fc.tuple(
            fc.constantFrom('__proto__', 'limit', 'limit[]', 'x', '', 'constructor[prototype][polluted]'),
            fc.constantFrom('1', '', 'x'.repeat(3000), '%00'),
          ),
          { maxLength: 3 },
        )
      : fc.constant<[string, string][]>([]);
  const headerEntries = headerParams.map((p) =>
    fc.option(
      (kind === 'headers' ? headerValueArb : schemas.valueOf(p.schema).map(String)).map((v): [string, string] => [
        p.name,
        v,
      ]),
      { nil: undefined },
    ),
  );
  const extraHeaders =
    kind === 'headers'
      ? fc.array(
          fc.tuple(
            fc.constantFrom(
              'x-forwarded-for',
              'x-request-id',
              'accept',
              'x-http-method-override',
              'content-encoding',
              'range',
            ),
            headerValueArb,
          ),
          { maxLength: 3 },
        )
      : fc.constant<[string, string][]>([]);
  const canHaveBody = op.method !== 'GET';
  const body: fc.Arbitrary<Body> = !canHaveBody
    ? fc.constant({ kind: 'none' })
    : op.body === null
      ? kind === 'body'
        ? fc.oneof(
            fc.constantFrom(...rawBodies),
            hostileValue.map((value): Body => ({ kind: 'json', value })),
          )
        : fc.constant({ kind: 'none' })
      : kind === 'body'
        ? fc.oneof(
            { weight: 4, arbitrary: schemas.hostileOf(op.body).map((value): Body => ({ kind: 'json', value })) },
            { weight: 1, arbitrary: fc.constantFrom(...rawBodies) },
            {
              weight: 4,
              arbitrary: fc
                .tuple(schemas.valueOf(op.body), fc.nat(), fc.constantFrom(...splicedValues))
                .map(([value, member, raw]): Body => ({ kind: 'spliced', value, member, raw })),
            },
          )
        : schemas.valueOf(op.body).map((value): Body => ({ kind: 'json', value }));
  const contentType =
    kind === 'headers' && canHaveBody
      ? fc.option(fc.constantFrom(...contentTypes), { nil: null, freq: 3 })
      : fc.constant('application/json');
  return fc.record({
    kind: fc.constant(kind),
    op: fc.constant(opIndex),
    segments: fc.record(segments),
    query: fc
      .tuple(fc.tuple(...queryEntries), extraQuery)
      .map(([entries, extra]) => [...entries.filter((e) => e !== undefined), ...extra]),
    headers: fc
      .tuple(fc.tuple(...headerEntries), extraHeaders)
      .map(([entries, extra]) => [...entries.filter((e) => e !== undefined), ...extra]),
    body:
      kind === 'headers' && canHaveBody && op.body !== null
        ? schemas.valueOf(op.body).map((value): Body => ({ kind: 'json', value }))
        : body,
    contentType,
  });
}
