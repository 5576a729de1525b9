/**
 * A statement that PostgreSQL chose as a deadlock's victim (SQLSTATE 40P01) was rolled back whole, so
 * running it again is safe. Deleting an endpoint cascades to its deliveries and attempts while the
 * worker records attempts of the same deliveries and then updates the endpoint's failure streak: the
 * two take the same rows in opposite orders, and the delete lost a fresh-clone CI run that way (a 500).
 */
export const deadlockCode = '40P01';

function isDeadlock(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === deadlockCode;
}

/** Runs `fn` again when it was a deadlock's victim, up to `attempts` times in all; other errors go through. */
export async function retryDeadlocks<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isDeadlock(err) || attempt >= attempts) throw err;
    }
  }
}
