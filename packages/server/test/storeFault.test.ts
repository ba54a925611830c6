/** Which faults answer the retryable store_unavailable, and which stay internal (issue 14). */
import { it } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import pg from "pg";
import { freePort } from "@bote/testing";
import { isStoreFault } from "../src/index.js";

it("counts SQLite's full, read-only, I/O and damage codes, extended ones included", () => {
  for (const code of [
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_READONLY_DBMOVED",
    "SQLITE_IOERR_WRITE",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
  ]) {
    assert.equal(isStoreFault(new Database.SqliteError("fault", code)), true, code);
  }
  assert.equal(isStoreFault(new Database.SqliteError("UNIQUE constraint failed", "SQLITE_CONSTRAINT_UNIQUE")), false);
});

it("counts a PostgreSQL that does not answer, and its shutdown, disk-full and read-only states", async () => {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
  const refused = await client.connect().then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.equal(isStoreFault(refused), true, String(refused));
  for (const code of ["57P01", "57P03", "08006", "53100", "25006"]) assert.equal(isStoreFault({ code }), true, code);
  assert.equal(isStoreFault(new Error("Connection terminated unexpectedly")), true);
  // A constraint or a syntax error is a bug or bad input, never a reason to retry.
  for (const code of ["23505", "42601"]) assert.equal(isStoreFault({ code }), false, code);
});

it("counts a full or read-only blob directory, but not a client that aborted its upload", () => {
  for (const code of ["ENOSPC", "EROFS", "EDQUOT", "EIO"]) {
    assert.equal(isStoreFault(Object.assign(new Error(code), { code, syscall: "write" })), true, code);
  }
  assert.equal(isStoreFault(Object.assign(new Error("aborted"), { code: "ECONNRESET" })), false);
  assert.equal(isStoreFault(new TypeError("x is undefined")), false);
  assert.equal(isStoreFault(undefined), false);
});
