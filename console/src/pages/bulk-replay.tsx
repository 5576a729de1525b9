import type { BulkReplay, BulkReplayResult } from '@hookport/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, useClient } from '../api.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Notice, type NoticeMessage } from '../components/notice.tsx';
import { fromLocalInput, toLocalInput } from './time-input.ts';

/** The delivery-log filters bulk replay understands (the others, event id and HTTP status class, it has not). */
export interface ReplayFilters {
  status: string;
  eventType: string;
  endpointId: string;
  since: string;
  until: string;
}

const replayable = ['failed', 'succeeded', 'skipped'] as const;
type ReplayStatus = (typeof replayable)[number];

function isReplayable(status: string): status is ReplayStatus {
  return (replayable as readonly string[]).includes(status);
}

/** The request body, or why the filters cannot be replayed (pending and held deliveries are on their way). */
function bodyOf(filters: ReplayFilters, since: string, until: string): BulkReplay | string {
  if (filters.status !== '' && !isReplayable(filters.status))
    return `Replay sends finished deliveries only: filter on failed, succeeded or skipped, or on any status (not ${filters.status}).`;
  const from = fromLocalInput(since);
  // Empty: up to the moment of the request (the input's whole seconds would leave out the last one).
  const to = until.trim() === '' ? new Date().toISOString() : fromLocalInput(until);
  if (!from) return 'Give the start of the time range.';
  if (!to) return 'Give a valid end of the time range, or leave it empty for now.';
  const body: BulkReplay = { since: from, until: to };
  if (isReplayable(filters.status)) body.status = filters.status;
  if (filters.eventType) body.eventType = filters.eventType;
  if (filters.endpointId) body.endpointId = filters.endpointId;
  return body;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "Replay…" on the delivery log (POST /v1/deliveries/replay, docs/delivery.md "Bulk replay"): the filters
 * applied above select the deliveries; a dry run counts them first, and only then may they be queued again.
 * The time range is required by the API: it starts from the filters' and defaults to the last 24 hours (an
 * empty end is the moment of the dry run, which the replay then reuses so it queues what was counted).
 */
export function BulkReplayPanel({ filters }: { filters: ReplayFilters }) {
  const [open, setOpen] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);
  if (!open) {
    return (
      <div class="actions">
        <button type="button" onClick={() => setOpen(true)}>
          Replay…
        </button>
      </div>
    );
  }
  return (
    <section aria-labelledby="replay-heading" class="replay">
      <h2 id="replay-heading" tabIndex={-1} ref={heading}>
        Replay deliveries
      </h2>
      <ReplayForm filters={filters} onClose={() => setOpen(false)} />
    </section>
  );
}

function ReplayForm({ filters, onClose }: { filters: ReplayFilters; onClose: () => void }) {
  const client = useClient();
  const [since, setSince] = useState(() =>
    toLocalInput(filters.since ? new Date(filters.since) : new Date(Date.now() - 24 * 3600_000)),
  );
  const [until, setUntil] = useState(() => (filters.until ? toLocalInput(new Date(filters.until)) : ''));
  const [counted, setCounted] = useState<{ body: BulkReplay; result: BulkReplayResult } | null>(null);
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (body: BulkReplay, dryRun: boolean): Promise<BulkReplayResult | null> => {
    setBusy(true);
    setNotice(null);
    try {
      return await client.deliveries.replay({ ...body, dryRun });
    } catch (err) {
      setNotice({ tone: 'error', text: describeError(err) });
      return null;
    } finally {
      setBusy(false);
    }
  };

  const count = async (e: Event) => {
    e.preventDefault();
    setCounted(null);
    const body = bodyOf(filters, since, until);
    if (typeof body === 'string') {
      setNotice({ tone: 'error', text: body });
      return;
    }
    const result = await run(body, true);
    if (result) setCounted({ body, result });
  };

  const replay = async () => {
    if (!counted) return;
    const result = await run(counted.body, false);
    if (!result) return;
    setCounted(null);
    setNotice({
      tone: 'ok',
      text: `${plural(result.queued, 'delivery', 'deliveries')} queued again${
        result.skipped > 0 ? `; ${result.skipped} could not be replayed` : ''
      }.`,
    });
  };

  // A changed range invalidates the count: the confirmation must name what will be queued.
  const edit = (set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    setCounted(null);
  };

  return (
    <form class="form" onSubmit={count}>
      <p class="hint">
        Sends the finished deliveries (failed, succeeded, skipped) matching the filters above again, as a new attempt
        with the same webhook-id: status <strong>{filters.status || 'any finished'}</strong>, event type{' '}
        <strong>{filters.eventType || 'any'}</strong>, endpoint <strong>{filters.endpointId || 'any'}</strong>. The
        event id and HTTP status filters do not apply.
      </p>
      <label for="replay-since">Created since (your time)</label>
      <input id="replay-since" type="datetime-local" step={1} value={since} onInput={edit(setSince)} />
      <label for="replay-until">Created before (your time; empty: now)</label>
      <input id="replay-until" type="datetime-local" step={1} value={until} onInput={edit(setUntil)} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Count matching deliveries
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <div aria-live="polite">
        {counted && (
          <p class="notice ok" role="status" data-testid="replay-count">
            {plural(counted.result.matched, 'delivery matches', 'deliveries match')}
            {counted.result.skipped > 0
              ? `; ${counted.result.skipped} of them cannot be replayed (content expunged, endpoint not active, or pending again).`
              : '.'}
          </p>
        )}
      </div>
      {counted && counted.result.matched > counted.result.skipped && (
        <div class="actions">
          <ConfirmButton
            label={`Replay ${plural(counted.result.matched - counted.result.skipped, 'delivery', 'deliveries')}`}
            confirmLabel="Replay now"
            question="Send these deliveries to their endpoints again?"
            disabled={busy}
            onConfirm={() => void replay()}
          />
        </div>
      )}
      <Notice message={notice} />
    </form>
  );
}
