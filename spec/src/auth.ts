import { CoreError } from './errors.ts';
import type { CorePort, Principal } from './port.ts';

const bearerPattern = /^Bearer[ ]+([\x21-\x7e]{1,512})$/i;

/**
 * Resolves `Authorization: Bearer <token>` through the port; throws an
 * `unauthorized` CoreError (with `challenge` as its headers) when it is
 * missing, malformed or not a live token. Every surface authenticates this way
 * and renders the error in its own shape.
 */
export async function principalFromAuthorization(
  port: CorePort,
  header: string | undefined,
  challenge: Record<string, string> = {},
): Promise<Principal> {
  if (!header)
    throw new CoreError('unauthorized', 'Send an API token as Authorization: Bearer <token>.', [], challenge);
  const token = bearerPattern.exec(header)?.[1];
  if (!token) throw new CoreError('unauthorized', 'The Authorization header must be: Bearer <token>.', [], challenge);
  return principalFromToken(port, token, challenge);
}

/** Resolves a bare token (e.g. from an X-API-Key header). */
export async function principalFromToken(
  port: CorePort,
  token: string,
  challenge: Record<string, string> = {},
): Promise<Principal> {
  const principal = token.length <= 512 ? await port.authenticate(token) : null;
  if (!principal) throw new CoreError('unauthorized', 'The token is unknown, expired or revoked.', [], challenge);
  return principal;
}
