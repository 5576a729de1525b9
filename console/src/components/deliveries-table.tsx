import type { Delivery } from '@hookport/sdk';
import { link } from '../router.ts';
import type { Pages } from '../use-pages.ts';
import { Empty, ErrorState, Loading } from './states.tsx';
import { StatusBadge } from './status.tsx';
import { Time } from './time.tsx';

/** A page of the delivery log, newest first, with "Load more" for the next page. */
export function DeliveriesTable({ list, showEndpoint = true }: { list: Pages<Delivery>; showEndpoint?: boolean }) {
  return (
    <>
      {list.state === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.state === 'ready' && list.items.length === 0 && <Empty>No deliveries match.</Empty>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Deliveries</caption>
            <thead>
              <tr>
                <th scope="col">Delivery</th>
                <th scope="col">Event type</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last HTTP</th>
                {showEndpoint && <th scope="col">Endpoint</th>}
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={link('deliveries', d.id)}>
                      <code>{d.id}</code>
                    </a>
                  </td>
                  <td>
                    <code>{d.eventType}</code>
                  </td>
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                  <td>{d.attemptCount}</td>
                  <td>{d.lastHttpStatus ?? '—'}</td>
                  {showEndpoint && (
                    <td>
                      <a href={link('endpoints', d.endpointId)}>
                        <code>{d.endpointId}</code>
                      </a>
                    </td>
                  )}
                  <td>
                    <Time value={d.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.state === 'loading' && <Loading what="deliveries" />}
      <div class="actions">
        {list.hasMore && list.state === 'ready' && (
          <button type="button" onClick={list.loadMore}>
            Load more
          </button>
        )}
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
    </>
  );
}
