import type { SurfaceEnv } from '@hookport/compat';
import { CoreError, type CorePort } from '@hookport/spec';
import type { Context } from 'hono';
import { tenantIn } from './access.ts';

/**
 * A portal session opened with `endpointMetadata` sees only the endpoints whose metadata contains
 * those pairs (docs/api.md, "Portal sessions"). Every other caller has no such scope: null.
 */
export function endpointScopeIn(c: Context<SurfaceEnv>): Readonly<Record<string, string>> | null {
  const principal = c.get('principal');
  return principal.kind === 'portal' ? principal.endpointMetadata : null;
}

export function metadataContains(metadata: Readonly<Record<string, string>>, pairs: Readonly<Record<string, string>>) {
  return Object.entries(pairs).every(([key, value]) => metadata[key] === value);
}

/**
 * Throws the route's own 404 when the endpoint exists but lies outside the caller's endpoint scope,
 * so a filtered portal cannot tell another endpoint from one that does not exist.
 */
export async function requireEndpointInScope(
  core: CorePort,
  c: Context<SurfaceEnv>,
  endpointId: string,
  notFound: () => CoreError = () => new CoreError('not_found', 'No such endpoint.'),
): Promise<void> {
  const scope = endpointScopeIn(c);
  if (scope === null) return;
  let metadata: Record<string, string>;
  try {
    metadata = (await core.endpoints.get(tenantIn(c), endpointId)).metadata;
  } catch (err) {
    if (err instanceof CoreError && err.code === 'not_found') throw notFound();
    throw err;
  }
  if (!metadataContains(metadata, scope)) throw notFound();
}

/** The metadata a filtered portal's endpoint must keep: its pairs win over whatever the body says. */
export function withScopedMetadata<T extends { metadata?: Record<string, string> | undefined }>(
  c: Context<SurfaceEnv>,
  input: T,
  forceOnAbsent: boolean,
): T {
  const scope = endpointScopeIn(c);
  if (scope === null || (input.metadata === undefined && !forceOnAbsent)) return input;
  return { ...input, metadata: { ...input.metadata, ...scope } };
}

/** A refusal for routes that would show a filtered portal more than its endpoints (tenant-wide views). */
export function refuseFilteredPortal(c: Context<SurfaceEnv>, what: string): void {
  if (endpointScopeIn(c) !== null)
    throw new CoreError('forbidden', `A portal session limited to some endpoints cannot read ${what}.`);
}
