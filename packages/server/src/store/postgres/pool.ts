import pg from "pg";
import { applyMigrations } from "./migrations.js";

/** A pool on a database whose schema is up to date, shared by the store and the blob store. */
export async function openPool(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client that loses its connection is dropped by the pool; without
  // a listener the error event would crash the process instead.
  pool.on("error", () => undefined);
  // A client checked out between two queries (inside a transaction) that loses
  // its connection emits the error on itself, where no pool listener is: the
  // server crashed when PostgreSQL stopped (storeFaults.test). Its next query
  // fails instead, and the pool drops a client that is no longer queryable.
  pool.on("connect", (client) => client.on("error", () => undefined));
  try {
    await applyMigrations(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}
