import type { DeliveryStatus, QueryOf } from '@hookport/sdk';
import { useEffect, useState } from 'preact/hooks';
import { useClient } from '../api.ts';
import { DeliveriesTable } from '../components/deliveries-table.tsx';
import { useAccess } from '../portal.ts';
import { link, navigate } from '../router.ts';
import { usePages } from '../use-pages.ts';
import { BulkReplayPanel } from './bulk-replay.tsx';
import { fromLocalInput, toLocalInput } from './time-input.ts';

type DeliveryQuery = QueryOf<'listDeliveries'>;

const statuses: readonly DeliveryStatus[] = ['pending', 'held', 'succeeded', 'failed', 'skipped'];
const statusClasses = ['2xx', '3xx', '4xx', '5xx'] as const;
type StatusClass = (typeof statusClasses)[number];

/** The filters the API's `GET /v1/deliveries` takes, as they stand in the page's URL fragment. */
interface Filters {
  status: string;
  eventType: string;
  endpointId: string;
  eventId: string;
  httpStatusClass: string;
  since: string;
  until: string;
}

const filterNames: readonly (keyof Filters)[] = [
  'status',
  'eventType',
  'endpointId',
  'eventId',
  'httpStatusClass',
  'since',
  'until',
];

function filtersFrom(query: URLSearchParams): Filters {
  const get = (name: keyof Filters) => query.get(name) ?? '';
  return {
    status: get('status'),
    eventType: get('eventType'),
    endpointId: get('endpointId'),
    eventId: get('eventId'),
    httpStatusClass: get('httpStatusClass'),
    since: get('since'),
    until: get('until'),
  };
}

function apiQuery(filters: Filters): DeliveryQuery {
  const query: DeliveryQuery = { limit: 50 };
  if (statuses.includes(filters.status as DeliveryStatus)) query.status = filters.status as DeliveryStatus;
  if (statusClasses.includes(filters.httpStatusClass as StatusClass))
    query.httpStatusClass = filters.httpStatusClass as StatusClass;
  if (filters.eventType) query.eventType = filters.eventType;
  if (filters.endpointId) query.endpointId = filters.endpointId;
  if (filters.eventId) query.eventId = filters.eventId;
  if (filters.since) query.since = filters.since;
  if (filters.until) query.until = filters.until;
  return query;
}

function hrefFor(filters: Filters): string {
  const params = new URLSearchParams();
  for (const name of filterNames) if (filters[name]) params.set(name, filters[name]);
  const search = params.toString();
  return `#/deliveries${search ? `?${search}` : ''}`;
}

export function DeliveriesPage({ query }: { query: URLSearchParams }) {
  const client = useClient();
  const { canWrite } = useAccess();
  const applied = filtersFrom(query);
  const key = hrefFor(applied);
  const list = usePages(
    (cursor) => client.deliveries.list({ ...apiQuery(applied), ...(cursor ? { cursor } : {}) }),
    key,
  );
  return (
    <>
      <h1 tabIndex={-1}>Deliveries</h1>
      <IdSearch />
      <FilterForm applied={applied} key={key} />
      {canWrite && <BulkReplayPanel filters={applied} key={key} />}
      <DeliveriesTable list={list} />
    </>
  );
}

/**
 * Search by id: a delivery id opens that delivery; an event id lists where the event went (one delivery
 * per subscribed endpoint), which is what the API's `eventId` filter answers.
 */
function IdSearch() {
  const [id, setId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const value = id.trim();
    if (value.startsWith('dlv_')) navigate(link('deliveries', value));
    else if (value.startsWith('evt_')) navigate(`#/deliveries?eventId=${encodeURIComponent(value)}`);
    else {
      setError('Enter a delivery id (dlv_…) or an event id (evt_…).');
      return;
    }
    setError(null);
  };
  return (
    <form class="inline-form" aria-label="Find by id" onSubmit={submit}>
      <label for="id-search">Delivery or event id</label>
      <input
        id="id-search"
        value={id}
        placeholder="dlv_… or evt_…"
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'id-search-error' : undefined}
        onInput={(e) => setId(e.currentTarget.value)}
      />
      <button type="submit">Find</button>
      {error && (
        <p id="id-search-error" class="notice error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function FilterForm({ applied }: { applied: Filters }) {
  const [draft, setDraft] = useState<Filters>(applied);
  useEffect(() => setDraft(applied), [hrefFor(applied)]);
  const set = (name: keyof Filters, value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const localOf = (iso: string) => (iso ? toLocalInput(new Date(iso)) : '');

  return (
    <form
      class="filters"
      aria-label="Filter deliveries"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(hrefFor(draft));
      }}
    >
      <div class="field">
        <label for="f-status">Status</label>{' '}
        <select id="f-status" value={draft.status} onChange={(e) => set('status', e.currentTarget.value)}>
          <option value="">Any</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-last-http-status">Last HTTP status</label>{' '}
        <select
          id="f-last-http-status"
          value={draft.httpStatusClass}
          onChange={(e) => set('httpStatusClass', e.currentTarget.value)}
        >
          <option value="">Any</option>
          {statusClasses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-event-type">Event type</label>{' '}
        <input
          id="f-event-type"
          value={draft.eventType}
          placeholder="ticket.created"
          onInput={(e) => set('eventType', e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="f-endpoint-id">Endpoint id</label>{' '}
        <input
          id="f-endpoint-id"
          value={draft.endpointId}
          placeholder="ep_…"
          onInput={(e) => set('endpointId', e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="f-event-id">Event id</label>{' '}
        <input
          id="f-event-id"
          value={draft.eventId}
          placeholder="evt_…"
          onInput={(e) => set('eventId', e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="f-since-your-time">Since (your time)</label>{' '}
        <input
          id="f-since-your-time"
          type="datetime-local"
          step={1}
          value={localOf(draft.since)}
          onInput={(e) => set('since', fromLocalInput(e.currentTarget.value) ?? '')}
        />
      </div>
      <div class="field">
        <label for="f-until-your-time">Until (your time)</label>{' '}
        <input
          id="f-until-your-time"
          type="datetime-local"
          step={1}
          value={localOf(draft.until)}
          onInput={(e) => set('until', fromLocalInput(e.currentTarget.value) ?? '')}
        />
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <a href="#/deliveries">Clear</a>
      </div>
    </form>
  );
}
