import { useEffect, useRef, useState } from 'preact/hooks';
import { createClient, describeError, isForbidden } from '../api.ts';
import { isPortalToken, type Session } from '../session.ts';

/**
 * Tells a tenant token from the admin token by asking the API: a tenant token lists endpoints, the admin
 * token is refused there (403) and lists tenants instead. Nothing else distinguishes them.
 */
async function identify(token: string): Promise<Session> {
  const client = createClient(token);
  if (isPortalToken(token)) {
    await client.endpoints.list({ limit: 1 });
    return { token, kind: 'portal' };
  }
  try {
    await client.endpoints.list({ limit: 1 });
    return { token, kind: 'tenant' };
  } catch (err) {
    if (!isForbidden(err)) throw err;
    await client.tenants.list({ limit: 1 });
    return { token, kind: 'admin' };
  }
}

export function SignIn({
  onSignedIn,
  message,
  title = 'Hookport console',
}: {
  onSignedIn: (session: Session) => void;
  /** Why the user is here again, e.g. a portal link that expired. */
  message?: string | null;
  title?: string;
}) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await identify(token.trim()));
    } catch (err) {
      setError(describeError(err));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>{title}</h1>
      {message && (
        <p class="notice error" role="alert" data-testid="signed-out-reason">
          {message}
        </p>
      )}
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <label for="token">API token</label>
        <input
          id="token"
          ref={input}
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        <p id="sign-in-help" class="hint">
          A tenant token manages its endpoints and deliveries. The admin token lists the tenants and opens one. The
          token stays in this tab only (sessionStorage) and is sent to this server alone.
        </p>
        {error && (
          <p id="sign-in-error" class="notice error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
