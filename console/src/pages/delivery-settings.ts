import type { Endpoint, PayloadFilter } from '@hookport/sdk';

/** The per-endpoint delivery settings as the form edits them: text, parsed on submit. */
export interface DeliverySettingsText {
  /** JSON of the payload filter; empty: none (every event). */
  filter: string;
  /** Seconds before each retry, comma-separated; empty: the profile's schedule; `none`: no retries. */
  retrySchedule: string;
  /** Milliseconds; empty: the profile's timeout. */
  timeoutMs: string;
}

export interface DeliverySettings {
  filter: PayloadFilter | null;
  retrySchedule: number[] | null;
  timeoutMs: number | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string[]> };

export function settingsText(endpoint: Endpoint | null): DeliverySettingsText {
  const schedule = endpoint?.retrySchedule ?? null;
  return {
    filter: endpoint?.filter ? JSON.stringify(endpoint.filter, null, 2) : '',
    retrySchedule: schedule === null ? '' : schedule.length === 0 ? 'none' : schedule.join(', '),
    timeoutMs: endpoint?.timeoutMs == null ? '' : String(endpoint.timeoutMs),
  };
}

/** A JSON object typed by hand; the API checks what the filter says (its 422s name the path). */
export function parseJsonObject(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'must be a JSON object, e.g. {"data.amount": {"$gte": 100}}' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Only the shapes are checked here (JSON, whole numbers); the bounds (1 to 86400 s, at most 20 retries,
 * 1000 to 60000 ms) are the API's, whose 422 names the field and is shown next to it.
 */
export function parseSettings(text: DeliverySettingsText): Parsed<DeliverySettings> {
  const errors: Record<string, string[]> = {};
  let filter: PayloadFilter | null = null;
  if (text.filter.trim() !== '') {
    const parsed = parseJsonObject(text.filter);
    if (parsed.ok) filter = parsed.value;
    else errors.filter = [parsed.error];
  }
  let retrySchedule: number[] | null = null;
  const schedule = text.retrySchedule.trim();
  if (schedule.toLowerCase() === 'none') retrySchedule = [];
  else if (schedule !== '') {
    const parts = schedule.split(/[\s,]+/).filter(Boolean);
    if (parts.every((p) => /^\d+$/.test(p))) retrySchedule = parts.map(Number);
    else errors.retrySchedule = ['whole seconds, comma-separated (e.g. 10, 60, 600), or "none"'];
  }
  let timeoutMs: number | null = null;
  const timeout = text.timeoutMs.trim();
  if (timeout !== '') {
    if (/^\d+$/.test(timeout)) timeoutMs = Number(timeout);
    else errors.timeoutMs = ['whole milliseconds, e.g. 5000'];
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { filter, retrySchedule, timeoutMs } };
}
