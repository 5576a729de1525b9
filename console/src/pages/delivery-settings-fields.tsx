import type { EventType } from '@hookport/sdk';
import { useState } from 'preact/hooks';
import { describeError, fieldErrorsOf, useClient } from '../api.ts';
import { FieldError, invalidProps } from '../components/field-error.tsx';
import { exampleFromSchema } from '../example.ts';
import { type DeliverySettingsText, parseJsonObject } from './delivery-settings.ts';

/**
 * The endpoint's own delivery settings (docs/delivery.md): payload filter, retry schedule, attempt
 * timeout. Empty fields mean "none" / "the profile's", as the API's null does.
 */
export function DeliverySettingsFields({
  text,
  errors,
  onChange,
  catalogue,
  sampleType,
}: {
  text: DeliverySettingsText;
  errors: Record<string, string[]>;
  onChange: (text: DeliverySettingsText) => void;
  catalogue: readonly EventType[];
  /** The event type the filter test starts from: the first one the form subscribes to. */
  sampleType: string | undefined;
}) {
  const set = (key: keyof DeliverySettingsText, value: string) => onChange({ ...text, [key]: value });
  return (
    <fieldset>
      <legend>Delivery settings</legend>
      <label for="ep-filter">Payload filter (JSON, empty for none)</label>
      <textarea
        id="ep-filter"
        class="code"
        rows={5}
        spellcheck={false}
        value={text.filter}
        onInput={(e) => set('filter', e.currentTarget.value)}
        {...invalidProps('ep-filter', errors.filter, 'ep-filter-help')}
      />
      <FieldError id="ep-filter" messages={errors.filter} />
      <p id="ep-filter-help" class="hint">
        Only events whose <code>{'{type, data}'}</code> the filter matches are delivered, e.g.{' '}
        <code>{'{"data.amount": {"$gte": 100}}'}</code>. Operators: <code>$eq $neq $gt $gte $lt $lte $in $nin</code>{' '}
        <code>$exist $startsWith $endsWith $and $or $not</code>.
      </p>
      <FilterTest filter={text.filter} catalogue={catalogue} sampleType={sampleType} />
      <label for="ep-retry">Retry schedule (seconds before each retry)</label>
      <input
        id="ep-retry"
        inputMode="numeric"
        value={text.retrySchedule}
        placeholder="10, 60, 600"
        onInput={(e) => set('retrySchedule', e.currentTarget.value)}
        {...invalidProps('ep-retry', errors.retrySchedule, 'ep-retry-help')}
      />
      <FieldError id="ep-retry" messages={errors.retrySchedule} />
      <p id="ep-retry-help" class="hint">
        Comma-separated, each 1 to 86400, at most 20; <code>none</code> makes one attempt only; empty follows the
        endpoint's profile.
      </p>
      <label for="ep-timeout">Attempt timeout (milliseconds)</label>
      <input
        id="ep-timeout"
        inputMode="numeric"
        value={text.timeoutMs}
        placeholder="5000"
        onInput={(e) => set('timeoutMs', e.currentTarget.value)}
        {...invalidProps('ep-timeout', errors.timeoutMs, 'ep-timeout-help')}
      />
      <FieldError id="ep-timeout" messages={errors.timeoutMs} />
      <p id="ep-timeout-help" class="hint">
        1000 to 60000; empty follows the profile.
      </p>
    </fieldset>
  );
}

type TestOutcome = { tone: 'ok'; text: string } | { tone: 'error'; text: string };

function sampleData(catalogue: readonly EventType[], type: string | undefined): string {
  const schema = catalogue.find((t) => t.name === type)?.schema;
  return JSON.stringify(schema ? exampleFromSchema(schema) : {}, null, 2);
}

/** "Test filter": the filter in the form against a sample event, by the API (POST /v1/endpoints/test-filter). */
function FilterTest({
  filter,
  catalogue,
  sampleType,
}: {
  filter: string;
  catalogue: readonly EventType[];
  sampleType: string | undefined;
}) {
  const client = useClient();
  const [type, setType] = useState(sampleType ?? 'ticket.created');
  const [data, setData] = useState(() => sampleData(catalogue, sampleType));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setOutcome(null);
    const parsedFilter = parseJsonObject(filter.trim() === '' ? '{}' : filter);
    const parsedData = parseJsonObject(data);
    const local: Record<string, string[]> = {};
    if (!parsedFilter.ok) local.filter = [parsedFilter.error];
    if (!parsedData.ok) local.data = [parsedData.error];
    setErrors(local);
    if (!parsedFilter.ok || !parsedData.ok) return;
    setBusy(true);
    try {
      const { matches } = await client.endpoints.testFilter({
        filter: parsedFilter.value,
        event: { type, data: parsedData.value },
      });
      setOutcome(
        matches
          ? { tone: 'ok', text: 'Matches: an endpoint with this filter receives this event.' }
          : { tone: 'ok', text: 'Does not match: an endpoint with this filter skips this event.' },
      );
    } catch (err) {
      const fields = fieldErrorsOf(err);
      const event = fields.event ?? [];
      setErrors({ ...(fields.filter ? { filter: fields.filter } : {}), ...(event.length ? { data: event } : {}) });
      setOutcome({ tone: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="filter-test">
      <summary>Test the filter against a sample event</summary>
      <label for="ft-type">Sample event type</label>
      <input id="ft-type" value={type} onInput={(e) => setType(e.currentTarget.value)} />
      <label for="ft-data">Sample event data (JSON)</label>
      <textarea
        id="ft-data"
        class="code"
        rows={5}
        spellcheck={false}
        value={data}
        onInput={(e) => setData(e.currentTarget.value)}
        {...invalidProps('ft-data', errors.data)}
      />
      <FieldError id="ft-data" messages={errors.data} />
      {errors.filter && <p class="field-error">Filter: {errors.filter.join('; ')}</p>}
      <div class="actions">
        <button type="button" onClick={() => void run()} disabled={busy}>
          {busy ? 'Testing…' : 'Test filter'}
        </button>
      </div>
      <div aria-live="polite">
        {outcome && (
          <p
            class={`notice ${outcome.tone}`}
            role={outcome.tone === 'error' ? 'alert' : 'status'}
            data-testid="filter-test-result"
          >
            {outcome.text}
          </p>
        )}
      </div>
    </details>
  );
}
