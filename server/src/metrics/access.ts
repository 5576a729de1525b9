import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read /metrics: anyone when HOOKPORT_METRICS_TOKEN is unset, else only a request carrying
 * `Authorization: Bearer <token>`. Compared as SHA-256 digests in constant time, so neither the length
 * nor a prefix of the token shows in the timing.
 */
export function metricsAccess(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    if (!match?.[1]) return false;
    return timingSafeEqual(createHash('sha256').update(match[1]).digest(), expected);
  };
}

export const metricsChallenge = 'Bearer realm="hookport-metrics"';
