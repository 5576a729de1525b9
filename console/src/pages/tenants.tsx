import type { Hookport, Tenant } from '@hookport/sdk';
import { useState } from 'preact/hooks';
import { describeError } from '../api.ts';
import { Notice, type NoticeMessage } from '../components/notice.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { Time } from '../components/time.tsx';
import { usePages } from '../use-pages.ts';

/**
 * Signed in with the admin token: the tenants, and "Open" on each. The native API refuses the admin token
 * on tenant routes, so opening a tenant mints a short-lived portal session for it (acting.ts) and the
 * console continues with that session's token (docs/console.md, "Admin: pick a tenant").
 */
export function TenantsPage({
  client,
  current,
  onPick,
  notice,
}: {
  /** The admin token's client (the page's context client may be the acting tenant's). */
  client: Hookport;
  /** The tenant the admin acts for, if any. */
  current: string | null;
  onPick: (tenant: { id: string; name: string }) => Promise<void>;
  /** Why the admin is back here, e.g. a tenant that could not be opened again. */
  notice: string | null;
}) {
  const list = usePages((cursor) => client.tenants.list({ limit: 50, ...(cursor ? { cursor } : {}) }), 'tenants');
  const [opening, setOpening] = useState<string | null>(null);
  const [message, setMessage] = useState<NoticeMessage | null>(notice ? { tone: 'error', text: notice } : null);

  const open = async (tenant: Tenant) => {
    setOpening(tenant.id);
    setMessage(null);
    try {
      await onPick(tenant);
    } catch (err) {
      setMessage({ tone: 'error', text: `Could not open ${tenant.name}: ${describeError(err)}` });
      setOpening(null);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Tenants</h1>
      <p class="hint">
        Open a tenant to work on its endpoints and deliveries: the console opens a portal session for it, valid for an
        hour, and revokes it when you open another tenant or sign out.
      </p>
      <Notice message={message} />
      {list.state === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.state === 'ready' && list.items.length === 0 && (
        <Empty>
          No tenants yet. Create one with <code>hookport tenant create</code> or <code>POST /v1/tenants</code>.
        </Empty>
      )}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((t) => (
                <tr key={t.id} aria-current={t.id === current ? 'true' : undefined}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.id}</code>
                  </td>
                  <td>
                    <Time value={t.createdAt} />
                  </td>
                  <td>
                    {t.id === current ? (
                      <a href="#/endpoints">Current tenant</a>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Open ${t.name}`}
                        disabled={opening !== null}
                        onClick={() => void open(t)}
                      >
                        {opening === t.id ? 'Opening…' : 'Open'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.state === 'loading' && <Loading what="tenants" />}
      {list.hasMore && list.state === 'ready' && (
        <button type="button" onClick={list.loadMore}>
          Load more
        </button>
      )}
    </>
  );
}
