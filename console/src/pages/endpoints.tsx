import { useClient } from '../api.ts';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { StatusBadge } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useAccess } from '../portal.ts';
import { link } from '../router.ts';
import { HealthSparkline } from '../stats/sparkline.tsx';
import { usePages } from '../use-pages.ts';

export function EndpointsPage() {
  const client = useClient();
  const { canWrite } = useAccess();
  const list = usePages((cursor) => client.endpoints.list({ limit: 50, ...(cursor ? { cursor } : {}) }), 'endpoints');
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Endpoints</h1>
        {canWrite && (
          <a class="button primary" href="#/endpoints/new">
            New endpoint
          </a>
        )}
      </div>
      {list.state === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.state === 'ready' && list.items.length === 0 && (
        <Empty>
          <p>No endpoints yet. An endpoint is a URL that receives the events it subscribes to.</p>
          {canWrite && <a href="#/endpoints/new">Create the first endpoint</a>}
        </Empty>
      )}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Endpoints</caption>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Status</th>
                <th scope="col">Health (24 h)</th>
                <th scope="col">Event types</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((ep) => (
                <tr key={ep.id}>
                  <td>
                    <a href={link('endpoints', ep.id)}>{ep.name || ep.url}</a>
                    {ep.name && <div class="sub">{ep.url}</div>}
                  </td>
                  <td>
                    <StatusBadge status={ep.status} />
                  </td>
                  <td>
                    <HealthSparkline endpointId={ep.id} />
                  </td>
                  <td>{ep.eventTypes.join(', ')}</td>
                  <td>
                    <Time value={ep.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.state === 'loading' && <Loading what="endpoints" />}
      {list.hasMore && list.state === 'ready' && (
        <button type="button" onClick={list.loadMore}>
          Load more
        </button>
      )}
    </>
  );
}
