/** Reads the database behind a test server directly, as an operator (or a thief of a dump) would. */
import Database from "better-sqlite3";
import pg from "pg";
import type { TestServer } from "./server.js";

export async function queryRows(s: TestServer, sql: string): Promise<Record<string, unknown>[]> {
  if (s.backend === "sqlite") {
    const db = new Database(s.sqliteFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: s.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

export async function countRows(s: TestServer, table: string): Promise<number> {
  const rows = await queryRows(s, `select count(*) as n from ${table}`);
  return Number(rows[0]!.n);
}
