import { z } from '@hono/zod-openapi';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An endpoint URL as a vendor that demands HTTPS checks it. Plain http is
 * accepted for loopback hosts only — a developer's own machine, which the
 * egress guard refuses anyway unless the operator allowlisted it (as the test
 * suites do); everything public must be https, as with the vendor.
 */
export function httpsUrlSchema(maxLength = 2083) {
  return z
    .string()
    .max(maxLength)
    .refine((text) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return false;
      }
      if (url.protocol === 'https:') return url.hostname !== '';
      return url.protocol === 'http:' && (loopbackHosts.has(url.hostname) || url.hostname.startsWith('127.'));
    }, 'must be an https URL')
    .openapi({ format: 'uri', example: 'https://example.com/webhooks' });
}
