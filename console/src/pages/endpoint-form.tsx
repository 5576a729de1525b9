import type { CreateEndpoint, Endpoint, EndpointWithSecret, EventType, UpdateEndpoint } from '@hookport/sdk';
import { useState } from 'preact/hooks';
import { describeError, fieldErrorsOf, useClient } from '../api.ts';
import { FieldError, invalidProps } from '../components/field-error.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { Async } from '../components/states.tsx';
import { link } from '../router.ts';
import { useAsync } from '../use-async.ts';
import { type DeliverySettingsText, type Parsed, parseSettings, settingsText } from './delivery-settings.ts';
import { DeliverySettingsFields } from './delivery-settings-fields.tsx';

interface HeaderRow {
  name: string;
  value: string;
}

interface FormValues {
  url: string;
  name: string;
  description: string;
  /** Catalogue types ticked in the picker. */
  picked: string[];
  /** Wildcards and types typed by hand, one per line or comma-separated (`ticket.*`, `*`). */
  patterns: string;
  headers: HeaderRow[];
  rateLimit: string;
  ordering: Endpoint['ordering'];
  settings: DeliverySettingsText;
}

async function listAll<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

function initialValues(endpoint: Endpoint | null, catalogue: readonly EventType[]): FormValues {
  const known = new Set(catalogue.map((t) => t.name));
  const types = endpoint?.eventTypes ?? [];
  return {
    url: endpoint?.url ?? '',
    name: endpoint?.name ?? '',
    description: endpoint?.description ?? '',
    picked: types.filter((t) => known.has(t)),
    patterns: types.filter((t) => !known.has(t)).join('\n'),
    // Values come back masked; sent back unchanged, the API keeps the stored value.
    headers: Object.entries(endpoint?.headers ?? {}).map(([name, value]) => ({ name, value })),
    rateLimit: endpoint?.rateLimit === null || endpoint?.rateLimit === undefined ? '' : String(endpoint.rateLimit),
    ordering: endpoint?.ordering ?? 'unordered',
    settings: settingsText(endpoint),
  };
}

function eventTypesOf(values: FormValues): string[] {
  const typed = values.patterns
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  return [...new Set([...values.picked, ...typed])];
}

/** The request body, or the fields that could not be read (shown next to them, nothing sent). */
function bodyOf(values: FormValues): Parsed<CreateEndpoint & UpdateEndpoint> {
  const settings = parseSettings(values.settings);
  if (!settings.ok) return settings;
  const headers = Object.fromEntries(
    values.headers.filter((h) => h.name.trim() !== '').map((h) => [h.name.trim(), h.value]),
  );
  const rate = values.rateLimit.trim();
  return {
    ok: true,
    value: {
      url: values.url.trim(),
      name: values.name,
      description: values.description,
      eventTypes: eventTypesOf(values),
      headers,
      rateLimit: rate === '' ? null : Number(rate),
      ordering: values.ordering,
      ...settings.value,
    },
  };
}

/** Create (no id) or edit an endpoint. The event-type picker lists the tenant's catalogue. */
export function EndpointFormPage({ id }: { id?: string }) {
  const client = useClient();
  const [loaded, reload] = useAsync(
    async () => ({
      catalogue: await listAll(client.eventTypes.list({ limit: 100 })),
      endpoint: id ? await client.endpoints.get(id) : null,
    }),
    [id],
  );
  return (
    <>
      <h1 tabIndex={-1}>{id ? 'Edit endpoint' : 'New endpoint'}</h1>
      <Async result={loaded} what="the event types" retry={reload}>
        {({ catalogue, endpoint }) => <EndpointForm catalogue={catalogue} endpoint={endpoint} />}
      </Async>
    </>
  );
}

function EndpointForm({ catalogue, endpoint }: { catalogue: EventType[]; endpoint: Endpoint | null }) {
  const client = useClient();
  const [values, setValues] = useState<FormValues>(() => initialValues(endpoint, catalogue));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [created, setCreated] = useState<EndpointWithSecret | null>(null);
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  if (created) {
    return (
      <div>
        <p role="status">Endpoint created.</p>
        <SecretOnce secret={created.secret} note="Receivers verify each webhook's signature with it." />
        <p>
          <a class="button primary" href={link('endpoints', created.id)}>
            Open the endpoint
          </a>
        </p>
      </div>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const parsed = bodyOf(values);
    setFieldErrors(parsed.ok ? {} : parsed.errors);
    if (!parsed.ok) {
      setError('Some fields need fixing: see the messages next to them.');
      return;
    }
    const body = parsed.value;
    setBusy(true);
    try {
      if (endpoint) {
        await client.endpoints.update(endpoint.id, body);
        window.location.hash = link('endpoints', endpoint.id);
      } else {
        setCreated(await client.endpoints.create(body));
      }
    } catch (err) {
      setError(describeError(err));
      setFieldErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  const togglePicked = (name: string, on: boolean) =>
    set('picked', on ? [...values.picked, name] : values.picked.filter((p) => p !== name));

  return (
    <form onSubmit={submit} class="form" noValidate={false}>
      <label for="ep-url">URL</label>
      <input
        id="ep-url"
        type="url"
        required
        value={values.url}
        placeholder="https://example.com/webhooks"
        onInput={(e) => set('url', e.currentTarget.value)}
        {...invalidProps('ep-url', fieldErrors.url)}
      />
      <FieldError id="ep-url" messages={fieldErrors.url} />
      <label for="ep-name">Name</label>
      <input id="ep-name" maxLength={200} value={values.name} onInput={(e) => set('name', e.currentTarget.value)} />
      <label for="ep-description">Description</label>
      <textarea
        id="ep-description"
        maxLength={1000}
        rows={3}
        value={values.description}
        onInput={(e) => set('description', e.currentTarget.value)}
      />
      <fieldset>
        <legend>Event types</legend>
        {catalogue.length === 0 ? (
          <p class="hint">The catalogue is empty: type event types or wildcards below.</p>
        ) : (
          <ul class="picker">
            {catalogue.map((t) => (
              <li key={t.name}>
                <label>
                  <input
                    type="checkbox"
                    checked={values.picked.includes(t.name)}
                    onChange={(e) => togglePicked(t.name, e.currentTarget.checked)}
                  />{' '}
                  <code>{t.name}</code>
                  {t.deprecated && <span class="badge badge-disabled">deprecated</span>}
                  {t.description && <span class="sub"> — {t.description}</span>}
                </label>
              </li>
            ))}
          </ul>
        )}
        <label for="ep-patterns">Wildcards and other types</label>
        <textarea
          id="ep-patterns"
          rows={2}
          value={values.patterns}
          onInput={(e) => set('patterns', e.currentTarget.value)}
          {...invalidProps('ep-patterns', fieldErrors.eventTypes, 'ep-patterns-help')}
        />
        <FieldError id="ep-patterns" messages={fieldErrors.eventTypes} />
        <p id="ep-patterns-help" class="hint">
          One per line or comma-separated: <code>*</code> for every event, <code>ticket.*</code> for a prefix.
        </p>
      </fieldset>
      <fieldset>
        <legend>Custom headers</legend>
        <p class="hint">Sent with every delivery; values are encrypted at rest and shown masked.</p>
        {values.headers.map((h, i) => (
          <div class="header-row" key={i}>
            <label>
              Name
              <input
                value={h.name}
                onInput={(e) =>
                  set(
                    'headers',
                    values.headers.map((row, j) => (j === i ? { ...row, name: e.currentTarget.value } : row)),
                  )
                }
              />
            </label>
            <label>
              Value
              <input
                value={h.value}
                onInput={(e) =>
                  set(
                    'headers',
                    values.headers.map((row, j) => (j === i ? { ...row, value: e.currentTarget.value } : row)),
                  )
                }
              />
            </label>
            <button
              type="button"
              aria-label={`Remove header ${h.name || i + 1}`}
              onClick={() =>
                set(
                  'headers',
                  values.headers.filter((_, j) => j !== i),
                )
              }
            >
              Remove
            </button>
          </div>
        ))}
        <FieldError id="ep-headers" messages={fieldErrors.headers} />
        <button type="button" onClick={() => set('headers', [...values.headers, { name: '', value: '' }])}>
          Add header
        </button>
      </fieldset>
      <label for="ep-rate">Rate limit (requests per second, empty for none)</label>
      <input
        id="ep-rate"
        type="number"
        min={1}
        max={10000}
        value={values.rateLimit}
        onInput={(e) => set('rateLimit', e.currentTarget.value)}
        {...invalidProps('ep-rate', fieldErrors.rateLimit)}
      />
      <FieldError id="ep-rate" messages={fieldErrors.rateLimit} />
      <label for="ep-ordering">Ordering</label>
      <select
        id="ep-ordering"
        value={values.ordering}
        onChange={(e) => set('ordering', e.currentTarget.value === 'fifo' ? 'fifo' : 'unordered')}
        {...invalidProps('ep-ordering', fieldErrors.ordering, 'ep-ordering-help')}
      >
        <option value="unordered">Unordered (in parallel)</option>
        <option value="fifo">FIFO (one at a time, in publish order)</option>
      </select>
      <FieldError id="ep-ordering" messages={fieldErrors.ordering} />
      <p id="ep-ordering-help" class="hint">
        FIFO sends the next event only once the previous one succeeded, failed for good or was skipped: a failing event
        holds the others back.
      </p>
      <DeliverySettingsFields
        text={values.settings}
        errors={fieldErrors}
        onChange={(settings) => set('settings', settings)}
        catalogue={catalogue}
        sampleType={eventTypesOf(values)[0]}
      />
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {endpoint ? 'Save changes' : 'Create endpoint'}
        </button>
        <a href={endpoint ? link('endpoints', endpoint.id) : '#/endpoints'}>Cancel</a>
      </div>
    </form>
  );
}
