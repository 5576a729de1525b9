/** The document checks under the mock: its validator on the schemas the spec uses, and the answer check. */
import { describe, expect, it } from 'vitest';
import { matchRoute, responseIssues, validator } from './spec-routes.ts';

const endpointRoute = (() => {
  const match = matchRoute('POST', '/v1/endpoints');
  if (match.kind !== 'route') throw new Error('POST /v1/endpoints is not routed');
  return match.route;
})();

const endpoint = {
  id: 'ep_01jbz8c1x9f8r5m6w0q2v3t4yz',
  url: 'https://example.com/hooks',
  name: '',
  description: '',
  eventTypes: ['order.*'],
  status: 'active',
  profile: 'native',
  headers: {},
  rateLimit: null,
  metadata: {},
  filter: null,
  retrySchedule: null,
  timeoutMs: null,
  ordering: 'unordered',
  disabledReason: null,
  createdAt: '2026-01-15T10:30:00.000Z',
  updatedAt: '2026-01-15T10:30:00.000Z',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

describe('the answer check', () => {
  it('accepts an answer of the document and names what is wrong with one that drifted', () => {
    expect(responseIssues(endpointRoute, 201, 'application/json', endpoint)).toEqual([]);
    const { secret: _, ...withoutSecret } = endpoint;
    expect(responseIssues(endpointRoute, 201, 'application/json', { ...withoutSecret, id: 'ep_1' })).toEqual([
      { path: 'id', message: expect.stringContaining('pattern'), code: 'invalid_format' },
      { path: 'secret', message: 'Invalid input: expected string, received undefined', code: 'invalid_type' },
    ]);
    expect(responseIssues(endpointRoute, 200, 'application/json', endpoint)).toEqual([
      { path: '', message: 'status 200 is not declared for createEndpoint', code: 'status' },
    ]);
  });
});

describe('the validator', () => {
  it('checks nullable types, enums, bounds, formats and unknown keys as the server reports them', () => {
    const schema = validator.resolve('#/components/schemas/CreateEndpoint');
    expect(
      validator.validate(schema, {
        url: 'https://example.com',
        eventTypes: ['a', 'bad name'],
        status: 'disabled',
        rateLimit: 0,
        metadata: { team: 5 },
        extra: true,
      }),
    ).toEqual([
      { path: 'eventTypes.1', message: expect.any(String), code: 'invalid_format' },
      { path: 'status', message: expect.any(String), code: 'invalid_value' },
      { path: 'rateLimit', message: 'Too small: expected number to be >=1', code: 'too_small' },
      { path: 'metadata.team', message: 'Invalid input: expected string, received number', code: 'invalid_type' },
      { path: 'extra', message: 'is not a known field', code: 'unrecognized_keys' },
    ]);
    expect(validator.validate(schema, { url: 'https://example.com', eventTypes: ['*'], rateLimit: null })).toEqual([]);
    expect(validator.validate(schema, [])).toEqual([
      { path: '', message: 'Invalid input: expected object, received array', code: 'invalid_type' },
    ]);
  });
});
