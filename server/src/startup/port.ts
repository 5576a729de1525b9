import { createServer } from 'node:net';
import { StartupError } from './startup-error.ts';

/** One line for an error of listen(): what is wrong and which setting changes it. */
export function describeListenError(
  err: unknown,
  host: string,
  port: number,
  variable: 'PORT' | 'HOOKPORT_METRICS_PORT' = 'PORT',
): string | undefined {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return `Port ${port} on ${host} is already in use by another process: stop it, or set ${variable} to a free port.`;
    case 'EACCES':
      return `Port ${port} on ${host} needs privileges this process does not have: set ${variable} to 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `HOST=${host} is not an address of this machine: set HOST to one of its addresses (or 0.0.0.0).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST=${host} does not resolve to an address of this machine.`;
    default:
      return undefined;
  }
}

/**
 * Fails fast, before migrations and the queue, when the API could not listen: binds the port for a
 * moment and lets it go. Port 0 (any free port) always works. Another process may still take the port
 * between this check and the real listen; the server's own error is described the same way.
 */
export async function assertCanListen(
  host: string,
  port: number,
  variable: 'PORT' | 'HOOKPORT_METRICS_PORT' = 'PORT',
): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => {
      const line = describeListenError(err, host, port, variable);
      reject(line ? new StartupError(line) : err);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
