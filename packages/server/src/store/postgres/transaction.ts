/** Transactions on a pooled client, retried when PostgreSQL breaks a deadlock. */
import type pg from "pg";

/** Thrown inside a transaction to roll it back and still return a result. */
export class Rollback<T> extends Error {
  constructor(readonly result: T) {
    super("rollback");
  }
}

// Lock order is kept consistent where it matters (mailboxes, then envelopes,
// each sorted by id), but a resent message or two commits racing in opposite
// order across batches can still deadlock; the loser is rolled back whole and
// safe to run again.
const RETRYABLE = new Set(["40P01", "40001"]);
/** How often a transaction that PostgreSQL rolled back to break a deadlock runs at most. */
export const ATTEMPTS = 5;

/** A deadlock or serialisation failure: rolled back whole, safe to run again. */
export function isRetryable(error: unknown): boolean {
  return error instanceof Error && RETRYABLE.has((error as { code?: string }).code ?? "");
}

export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => (broken = true));
      if (error instanceof Rollback) return error.result as T;
      if (attempt < ATTEMPTS && isRetryable(error)) continue;
      throw error;
    } finally {
      // A client whose ROLLBACK failed may be mid-transaction: never hand it out again.
      client.release(broken);
    }
  }
}
