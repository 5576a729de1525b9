import type { Attempt, DeliveryWithAttempts } from '@hookport/sdk';
import { useState } from 'preact/hooks';
import { describeError, useClient } from '../api.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { JsonBlock } from '../components/json-block.tsx';
import { Notice, type NoticeMessage } from '../components/notice.tsx';
import { Async } from '../components/states.tsx';
import { StatusBadge } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useAccess } from '../portal.ts';
import { link } from '../router.ts';
import { useAsync } from '../use-async.ts';

export function DeliveryPage({ id }: { id: string }) {
  const client = useClient();
  const { tenantWide } = useAccess();
  const [loaded, reload] = useAsync(async () => {
    const delivery = await client.deliveries.get(id);
    // Events belong to the tenant, not to an endpoint: a portal limited to some endpoints is refused
    // them (403), so it does not ask.
    const event = tenantWide ? await client.events.get(delivery.eventId) : null;
    return { delivery, payload: event ? event.data : null };
  }, [id, tenantWide]);
  return (
    <Async result={loaded} what="the delivery" retry={reload} heading="Delivery">
      {({ delivery, payload }) => <DeliveryDetail delivery={delivery} payload={payload} onChanged={reload} />}
    </Async>
  );
}

function DeliveryDetail({
  delivery,
  payload,
  onChanged,
}: {
  delivery: DeliveryWithAttempts;
  /** null: not shown to this session (a portal limited to some endpoints). */
  payload: unknown;
  onChanged: () => void;
}) {
  const client = useClient();
  const { canWrite } = useAccess();
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [busy, setBusy] = useState(false);

  /** Runs one action on the delivery; its outcome goes to the live region, then the page reloads. */
  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    try {
      setNotice({ tone: 'ok', text: await action() });
      onChanged();
    } catch (err) {
      setNotice({ tone: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };
  const redeliver = () =>
    act(async () => {
      await client.deliveries.redeliver(delivery.id);
      return 'Redelivery queued: the attempt appears below once made (Refresh).';
    });
  // Only a delivery still on its way can be skipped (the API answers 409 otherwise).
  const skippable = delivery.status === 'pending' || delivery.status === 'held';

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>
          Delivery <code>{delivery.id}</code>
        </h1>
        <StatusBadge status={delivery.status} />
      </div>
      <dl class="facts">
        <dt>Event</dt>
        <dd>
          <code>{delivery.eventType}</code>{' '}
          <a href={`#/deliveries?eventId=${encodeURIComponent(delivery.eventId)}`}>{delivery.eventId}</a>
        </dd>
        <dt>Endpoint</dt>
        <dd>
          <a href={link('endpoints', delivery.endpointId)}>{delivery.endpointId}</a>
        </dd>
        <dt>Attempts</dt>
        <dd>{delivery.attemptCount}</dd>
        <dt>Next attempt</dt>
        <dd>
          <Time value={delivery.nextAttemptAt} />
        </dd>
        <dt>Last error</dt>
        <dd>{delivery.lastError ?? '—'}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={delivery.createdAt} />
        </dd>
      </dl>
      <div class="actions">
        {canWrite && (
          <button type="button" class="primary" disabled={busy} onClick={redeliver}>
            Redeliver
          </button>
        )}
        {canWrite && skippable && (
          <ConfirmButton
            label="Skip"
            confirmLabel="Skip delivery"
            question="Skip this delivery? It will not be sent (recover or redeliver can send it later); on a FIFO endpoint the next event goes out."
            disabled={busy}
            onConfirm={() =>
              void act(async () => {
                await client.deliveries.skip(delivery.id);
                return 'Delivery skipped.';
              })
            }
          />
        )}
        <button type="button" onClick={onChanged}>
          Refresh
        </button>
      </div>
      <Notice message={notice} />

      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Attempts</h2>
        {delivery.attempts.length === 0 ? (
          <p class="state empty">No attempt yet.</p>
        ) : (
          <ol class="attempts">
            {delivery.attempts.map((a) => (
              <AttemptItem key={a.id} attempt={a} />
            ))}
          </ol>
        )}
      </section>

      {payload !== null && (
        <section aria-labelledby="payload-heading">
          <h2 id="payload-heading">Event payload</h2>
          <JsonBlock value={payload} />
        </section>
      )}
    </>
  );
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const ok = attempt.httpStatus !== null && attempt.httpStatus >= 200 && attempt.httpStatus < 300;
  return (
    <li class="attempt">
      <details>
        <summary>
          Attempt {attempt.number}:{' '}
          {attempt.httpStatus !== null ? `HTTP ${attempt.httpStatus}` : (attempt.errorKind ?? 'no answer')}
          {' · '}
          <Time value={attempt.startedAt} /> · {attempt.durationMs} ms{' '}
          <StatusBadge status={ok ? 'succeeded' : 'failed'} />
        </summary>
        <AttemptRequestFacts request={attempt.request} />
        <dl class="facts">
          <dt>HTTP status</dt>
          <dd>{attempt.httpStatus ?? '—'}</dd>
          <dt>Error</dt>
          <dd>{attempt.errorKind ? `${attempt.errorKind}: ${attempt.errorMessage ?? ''}` : '—'}</dd>
          <dt>Next attempt</dt>
          <dd>
            <Time value={attempt.nextAttemptAt} />
          </dd>
          <dt>Response body{attempt.responseTruncated ? ' (first 16 KiB)' : ''}</dt>
          <dd>
            {attempt.responseExcerpt === null || attempt.responseExcerpt === '' ? (
              '—'
            ) : (
              <pre class="response">{attempt.responseExcerpt}</pre>
            )}
          </dd>
        </dl>
      </details>
    </li>
  );
}

/**
 * The request the attempt sent, as the API renders it again (docs/console.md): headers one `name: value`
 * line each, the body as it went. Both are text nodes, never markup: they carry tenants' and receivers' strings.
 */
function AttemptRequestFacts({ request }: { request: Attempt['request'] }) {
  if (request === null) return <p class="state empty">The request cannot be shown.</p>;
  const headerLines = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return (
    <dl class="facts request">
      <dt>Request headers</dt>
      <dd>
        <pre class="request request-headers">{headerLines}</pre>
      </dd>
      <dt>Request body</dt>
      <dd>
        {request.body === null ? (
          'Not shown (expunged, or not readable by this session)'
        ) : (
          <pre class="request request-body">{request.body}</pre>
        )}
      </dd>
    </dl>
  );
}
