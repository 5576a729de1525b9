import type { EventType } from '@hookport/sdk';
import { useClient } from '../api.ts';
import { JsonBlock } from '../components/json-block.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { exampleFromSchema } from '../example.ts';
import { usePages } from '../use-pages.ts';

export function EventTypesPage() {
  const client = useClient();
  const list = usePages(
    (cursor) => client.eventTypes.list({ limit: 100, ...(cursor ? { cursor } : {}) }),
    'event-types',
  );
  return (
    <>
      <h1 tabIndex={-1}>Event types</h1>
      <p class="hint">
        The catalogue endpoints subscribe to. Events of a type with a schema are validated when published.
      </p>
      {list.state === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.state === 'ready' && list.items.length === 0 && (
        <Empty>No event types yet. Create them with the API (POST /v1/event-types) or a vendor preset.</Empty>
      )}
      <ul class="event-types">
        {list.items.map((t) => (
          <EventTypeItem key={t.name} type={t} />
        ))}
      </ul>
      {list.state === 'loading' && <Loading what="event types" />}
      {list.hasMore && list.state === 'ready' && (
        <button type="button" onClick={list.loadMore}>
          Load more
        </button>
      )}
    </>
  );
}

function EventTypeItem({ type }: { type: EventType }) {
  return (
    <li class="event-type">
      <h2>
        <code>{type.name}</code>
        {type.deprecated && <span class="badge badge-disabled">deprecated</span>}
      </h2>
      <p>{type.description || 'No description.'}</p>
      <details>
        <summary>JSON Schema</summary>
        {type.schema ? (
          <JsonBlock value={type.schema} label={`JSON Schema of ${type.name}`} />
        ) : (
          <p>None: any JSON object is accepted.</p>
        )}
      </details>
      <details>
        <summary>Example payload</summary>
        <JsonBlock
          value={type.schema ? exampleFromSchema(type.schema) : { id: 'example' }}
          label={`Example payload of ${type.name}`}
        />
      </details>
    </li>
  );
}
