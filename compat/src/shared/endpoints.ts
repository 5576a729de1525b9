import { CoreError, type CorePort, type EndpointRecord, type EventTypeRecord, type ProfileName } from '@hookport/spec';

/**
 * Profile-scoped reads. A vendor surface sees only the endpoints made through
 * it: an endpoint of another profile (or another tenant) does not exist for
 * its clients, exactly like one that was never made.
 */

/** Vendor lists have no pagination; Hookport reads whole lists in pages of this size. */
const pageSize = 500;

/** Every endpoint of the tenant made through `profile`, oldest first. */
export async function allEndpointsOf(
  port: CorePort,
  tenantId: string,
  profile: ProfileName,
): Promise<EndpointRecord[]> {
  const out: EndpointRecord[] = [];
  for (;;) {
    const page = await port.endpoints.listNumbered(tenantId, {
      profile,
      order: 'asc',
      offset: out.length,
      limit: pageSize,
    });
    out.push(...page.items);
    if (page.items.length < pageSize || out.length >= page.total) return out;
  }
}

/** For `.catch()`: the core's 404 becomes the surface's own; any other error passes. */
export function notFoundAs(notFound: () => CoreError): (err: unknown) => never {
  return (err) => {
    throw err instanceof CoreError && err.code === 'not_found' ? notFound() : err;
  };
}

/**
 * The endpoint an id of the surface names, if it is this tenant's and was made
 * through `profile`; otherwise the surface's 404. `key` is the decoded id: the
 * internal UUID, TSANet's sequence number, or null when the text names nothing.
 */
export async function endpointOf(
  port: CorePort,
  tenantId: string,
  profile: ProfileName,
  key: string | number | null,
  notFound: () => CoreError,
): Promise<EndpointRecord> {
  if (key === null) throw notFound();
  const found = typeof key === 'number' ? port.endpoints.getBySeq(tenantId, key) : port.endpoints.get(tenantId, key);
  const endpoint = await found.catch(notFoundAs(notFound));
  if (endpoint.profile !== profile) throw notFound();
  return endpoint;
}

/** The tenant's whole event catalogue, by name. */
export async function allEventTypesOf(port: CorePort, tenantId: string): Promise<EventTypeRecord[]> {
  const out: EventTypeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await port.eventTypes.list(tenantId, { limit: pageSize, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}
