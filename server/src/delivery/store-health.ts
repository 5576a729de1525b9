import { toTypeId } from '@hookport/spec';
import type { Queryable } from '../db/database.ts';
import type { DeliveryStore } from '../shared/delivery-port.ts';
import { chargesEndpoint } from './outcome.ts';
import type { AttemptWrite, LoadedDelivery } from './store.ts';
import type { createNotices, StreakRow } from './store-notices.ts';
import { storeSql } from './store-sql.ts';

/**
 * An endpoint's delivery health, as the store's record writes it (store.ts): the failure streak an
 * attempt extends or ends, with the failing and recovered notices (store-notices.ts), and disabling, with
 * the endpoint.disabled event. Runs inside the transaction that records the attempt.
 */
export function createHealth(storeEvent: DeliveryStore['storeEvent'], notices: ReturnType<typeof createNotices>) {
  /**
   * Updates the endpoint's failure streak, with its failing notices; returns why it must be disabled,
   * if it must (then endpoint.disabled says it, not endpoint.failing).
   */
  async function track(tx: Queryable, w: AttemptWrite): Promise<string | null> {
    if (w.outcome.status === 'succeeded') {
      // Most deliveries go to healthy endpoints: no write when there is no streak to reset (they do not
      // even come here: the worker records them in finish's group commit).
      if (!w.delivery.endpoint_failing) return null;
      const [ended] = await tx.query<{ failing_level: number; failing_since: Date | null }>(storeSql.endStreak, [
        w.delivery.endpoint_id,
      ]);
      if (ended) await notices.recovered(tx, w.delivery, ended);
      return null;
    }
    // The proxy's refusals and failures are not the endpoint's (outcome.ts): its streak stays as it was.
    if (!chargesEndpoint(w.error.kind)) return null;
    const [health] = await tx.query<StreakRow & { failing_for: number }>(storeSql.extendStreak, [
      w.delivery.endpoint_id,
      w.outcome.status === 'failed',
    ]);
    if (w.outcome.disable) return w.outcome.disable;
    if (!health) return null;
    const streak = { consecutiveFailures: health.consecutive_failures, failingForSeconds: health.failing_for };
    const reason = w.disableReason(streak);
    if (reason === null) await notices.failing(tx, w.delivery, health, w.failingLevel(streak));
    return reason;
  }

  /** Disables the endpoint and tells its tenant, through its own endpoints; false when it was not active. */
  async function disable(tx: Queryable, d: LoadedDelivery, reason: string): Promise<boolean> {
    const [changed] = await tx.query(storeSql.disable, [d.endpoint_id, reason]);
    if (!changed) return false;
    // This commit waits for the WAL flush, unlike the rest of the worker's: it publishes an event (with
    // its own id) that the tenant may receive at once; lost in a database crash, it would be made again
    // under another id, or not at all if the endpoint then answered.
    await tx.query('set local synchronous_commit to on');
    await storeEvent(tx, d.tenant_id, {
      type: 'endpoint.disabled',
      data: { endpointId: toTypeId('endpoint', d.endpoint_id), url: d.url, reason },
    });
    return true;
  }

  return { track, disable };
}
