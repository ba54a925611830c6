import pg from "pg";
import { applyMigrations } from "./migrations.js";

/** A pool on a database whose schema is up to date, shared by the store and the blob store. */
export async function openPool(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client that loses its connection is dropped by the pool; without
  // a listener the error event would crash the process instead.
  pool.on("error", () => undefined);
  try {
    await applyMigrations(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}
