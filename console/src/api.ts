import { Hookport, HookportError, HookportNetworkError } from '@hookport/sdk';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** The API is served by the same origin as the console: connect-src 'self' allows nothing else. */
export function createClient(token: string): Hookport {
  return new Hookport({ baseUrl: window.location.origin, token, timeoutMs: 30_000 });
}

export const ClientContext = createContext<Hookport | null>(null);

/** The signed-in client; pages are rendered only inside a session. */
export function useClient(): Hookport {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside a signed-in session');
  return client;
}

/** One line for a failed call, with the API's field errors and its request id (quote it in support requests). */
export function describeError(err: unknown): string {
  if (err instanceof HookportError) {
    const fields = err.errors.map((e) => `${e.path || 'body'}: ${e.message}`);
    const parts = [err.detail || err.title, ...fields];
    return `${parts.join('; ')}${err.requestId ? ` (request ${err.requestId})` : ''}`;
  }
  if (err instanceof HookportNetworkError) return `The server did not answer: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function isForbidden(err: unknown): boolean {
  return err instanceof HookportError && err.status === 403;
}

/**
 * The API's field errors (422 `validation_failed`) by the field they name, the first segment of each path
 * (`retrySchedule.2` → `retrySchedule`), so a form shows each message next to its field.
 */
export function fieldErrorsOf(err: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!(err instanceof HookportError)) return out;
  for (const e of err.errors) {
    const [field = 'body', ...rest] = e.path.split('.');
    const message = rest.length > 0 ? `${rest.join('.')}: ${e.message}` : e.message;
    out[field] = [...(out[field] ?? []), message];
  }
  return out;
}
