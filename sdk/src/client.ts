import createClient from 'openapi-fetch';
import {
  Deliveries,
  Endpoints,
  Events,
  EventTypes,
  PortalSessions,
  type RawClient,
  Stats,
  Tenants,
  Tokens,
} from './resources.ts';
import type { paths } from './schema.js';
import { createTransport, type FetchLike } from './transport.ts';

export interface HookportOptions {
  /** Where the Hookport API is served, e.g. `https://hookport.example.com`. */
  baseUrl: string;
  /** A tenant API token, or the admin token for tenants and tokens. */
  token: string;
  /** The fetch to use (default `globalThis.fetch`): undici's, a mock, or an in-process app's `fetch`. */
  fetch?: FetchLike;
  /** Per attempt, until the whole response body has arrived. Default 30 000. */
  timeoutMs?: number;
  /** Retries of a request that is safe to retry (see the README). Default 2; 0 turns retries off. */
  maxRetries?: number;
}

/**
 * The Hookport API client.
 *
 * Resource methods resolve with the response body and throw `HookportError`
 * on a non-2xx answer, `HookportNetworkError` / `HookportTimeoutError` when no
 * answer came. `raw` is the underlying openapi-fetch client for anything else.
 */
export class Hookport {
  readonly raw: RawClient;
  readonly tenants: Tenants;
  readonly tokens: Tokens;
  readonly portalSessions: PortalSessions;
  readonly eventTypes: EventTypes;
  readonly endpoints: Endpoints;
  readonly events: Events;
  readonly deliveries: Deliveries;
  readonly stats: Stats;

  constructor(options: HookportOptions) {
    const transport = createTransport({
      fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 2,
    });
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl,
      fetch: transport,
      headers: { authorization: `Bearer ${options.token}` },
    });
    this.tenants = new Tenants(this.raw);
    this.tokens = new Tokens(this.raw);
    this.portalSessions = new PortalSessions(this.raw);
    this.eventTypes = new EventTypes(this.raw);
    this.endpoints = new Endpoints(this.raw);
    this.events = new Events(this.raw);
    this.deliveries = new Deliveries(this.raw);
    this.stats = new Stats(this.raw);
  }
}
