/**
 * Jobs queued per tenant, taken so that no tenant runs more than one job at a time and tenants with
 * waiting jobs take turns: first in, first out within a tenant, round-robin across tenants. A tenant
 * flooding the queue only lengthens its own line.
 */
export class FairQueue<J> {
  private readonly waiting = new Map<string, J[]>();
  /** Tenants with a job waiting and none running, in the order their turn comes. */
  private readonly turns: string[] = [];
  private readonly running = new Set<string>();

  push(tenant: string, job: J): void {
    const line = this.waiting.get(tenant);
    if (line) {
      line.push(job);
      return;
    }
    this.waiting.set(tenant, [job]);
    if (!this.running.has(tenant)) this.turns.push(tenant);
  }

  /** The next job to run, its tenant now running; undefined when every waiting tenant already runs one. */
  take(): { tenant: string; job: J } | undefined {
    const tenant = this.turns.shift();
    if (tenant === undefined) return undefined;
    const line = this.waiting.get(tenant) ?? [];
    const job = line.shift();
    if (line.length === 0) this.waiting.delete(tenant);
    if (job === undefined) return this.take();
    this.running.add(tenant);
    return { tenant, job };
  }

  /** The tenant's running job ended: its next one, if any, waits for its turn behind the others. */
  done(tenant: string): void {
    this.running.delete(tenant);
    if (this.waiting.has(tenant)) this.turns.push(tenant);
  }

  /** Every waiting job, removed (the pool is closing). */
  drain(): J[] {
    const jobs = [...this.waiting.values()].flat();
    this.waiting.clear();
    this.turns.length = 0;
    return jobs;
  }
}
