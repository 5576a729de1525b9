import type { Endpoint } from '@hookport/sdk';
import { useState } from 'preact/hooks';
import { describeError, useClient } from '../api.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { DeliveriesTable } from '../components/deliveries-table.tsx';
import { Notice, type NoticeMessage } from '../components/notice.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { Async } from '../components/states.tsx';
import { StatusBadge } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useAccess } from '../portal.ts';
import { link } from '../router.ts';
import { EndpointStats } from '../stats/endpoint-stats.tsx';
import { useAsync } from '../use-async.ts';
import { usePages } from '../use-pages.ts';
import { fromLocalInput, toLocalInput } from './time-input.ts';

export function EndpointPage({ id }: { id: string }) {
  const client = useClient();
  const [loaded, reload] = useAsync(() => client.endpoints.get(id), [id]);
  return (
    <Async result={loaded} what="the endpoint" retry={reload} heading="Endpoint">
      {(endpoint) => <EndpointDetail endpoint={endpoint} onChanged={reload} />}
    </Async>
  );
}

function EndpointDetail({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const client = useClient();
  const { canWrite } = useAccess();
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [secret, setSecret] = useState<{ value: string; until: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const deliveries = usePages(
    (cursor) => client.deliveries.list({ endpointId: endpoint.id, limit: 20, ...(cursor ? { cursor } : {}) }),
    `endpoint-deliveries:${endpoint.id}`,
  );

  /** Runs one action; its outcome goes to the live region. */
  const act = async (action: () => Promise<string>, reloadEndpoint = false) => {
    setBusy(true);
    try {
      setNotice({ tone: 'ok', text: await action() });
      if (reloadEndpoint) onChanged();
    } catch (err) {
      setNotice({ tone: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const paused = endpoint.status === 'paused';
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{endpoint.name || endpoint.url}</h1>
        <StatusBadge status={endpoint.status} />
      </div>
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          <code>{endpoint.url}</code>
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{endpoint.id}</code>
        </dd>
        <dt>Description</dt>
        <dd data-testid="endpoint-description">{endpoint.description || '—'}</dd>
        <dt>Event types</dt>
        <dd>{endpoint.eventTypes.join(', ')}</dd>
        <dt>Custom headers</dt>
        <dd>
          {Object.keys(endpoint.headers).length === 0
            ? '—'
            : Object.entries(endpoint.headers).map(([k, v]) => (
                <div key={k}>
                  <code>
                    {k}: {v}
                  </code>
                </div>
              ))}
        </dd>
        <dt>Rate limit</dt>
        <dd>{endpoint.rateLimit === null ? 'none' : `${endpoint.rateLimit} per second`}</dd>
        <dt>Ordering</dt>
        <dd data-testid="endpoint-ordering">
          {endpoint.ordering === 'fifo' ? 'FIFO: one at a time, in publish order' : 'unordered (in parallel)'}
        </dd>
        <dt>Payload filter</dt>
        <dd data-testid="endpoint-filter">
          {endpoint.filter ? <pre class="json">{JSON.stringify(endpoint.filter, null, 2)}</pre> : 'none (every event)'}
        </dd>
        <dt>Retry schedule</dt>
        <dd data-testid="endpoint-retry-schedule">{retryScheduleText(endpoint.retrySchedule)}</dd>
        <dt>Attempt timeout</dt>
        <dd data-testid="endpoint-timeout">
          {endpoint.timeoutMs === null ? "the profile's" : `${endpoint.timeoutMs} ms`}
        </dd>
        {endpoint.disabledReason && (
          <>
            <dt>Disabled because</dt>
            <dd>{endpoint.disabledReason}</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>
          <Time value={endpoint.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time value={endpoint.updatedAt} />
        </dd>
      </dl>

      {canWrite && (
        <div class="actions">
          <a class="button" href={link('endpoints', endpoint.id, 'edit')}>
            Edit
          </a>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await client.endpoints.update(endpoint.id, { status: paused ? 'active' : 'paused' });
                return paused ? 'Endpoint resumed.' : 'Endpoint paused: deliveries wait until it is resumed.';
              }, true)
            }
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const d = await client.endpoints.ping(endpoint.id);
                deliveries.reload();
                return `Ping queued as delivery ${d.id}.`;
              })
            }
          >
            Send a ping
          </button>
          <ConfirmButton
            label="Rotate secret"
            confirmLabel="Rotate now"
            question="Make a new signing secret? The old one keeps signing for 24 hours."
            disabled={busy}
            onConfirm={() =>
              act(async () => {
                const rotated = await client.endpoints.rotateSecret(endpoint.id);
                setSecret({ value: rotated.secret, until: rotated.previousSecretExpiresAt });
                return 'Secret rotated.';
              })
            }
          />
          <ConfirmButton
            label="Delete"
            confirmLabel="Delete endpoint"
            question="Delete this endpoint and stop its deliveries?"
            disabled={busy}
            onConfirm={() =>
              act(async () => {
                await client.endpoints.delete(endpoint.id);
                window.location.hash = '#/endpoints';
                return 'Endpoint deleted.';
              })
            }
          />
        </div>
      )}
      <Notice message={notice} />
      {secret && (
        <SecretOnce
          secret={secret.value}
          note={
            secret.until ? (
              <>
                The previous secret keeps signing until <Time value={secret.until} />.
              </>
            ) : null
          }
        />
      )}

      {canWrite && (
        <section aria-labelledby="recover-heading">
          <h2 id="recover-heading">Recover</h2>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const from = fromLocalInput(since);
              if (!from) {
                setNotice({ tone: 'error', text: 'Give a valid date and time.' });
                return;
              }
              void act(async () => {
                const { recovered } = await client.endpoints.recover(endpoint.id, { since: from });
                deliveries.reload();
                return `${recovered} failed or skipped ${recovered === 1 ? 'delivery' : 'deliveries'} queued again.`;
              });
            }}
          >
            <label for="recover-since">Queue again the failed and skipped deliveries since (your time zone)</label>
            <input
              id="recover-since"
              type="datetime-local"
              step={1}
              value={since}
              onInput={(e) => setSince(e.currentTarget.value)}
            />
            <button type="submit" disabled={busy}>
              Recover
            </button>
          </form>
        </section>
      )}

      <EndpointStats endpointId={endpoint.id} />

      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Deliveries</h2>
        <p>
          <a href={`#/deliveries?endpointId=${encodeURIComponent(endpoint.id)}`}>
            Open in the delivery log with filters
          </a>
        </p>
        <DeliveriesTable list={deliveries} showEndpoint={false} />
      </section>
    </>
  );
}

function retryScheduleText(schedule: readonly number[] | null): string {
  if (schedule === null) return "the profile's";
  if (schedule.length === 0) return 'none: one attempt only';
  return `${schedule.map((s) => `${s} s`).join(', ')}`;
}
