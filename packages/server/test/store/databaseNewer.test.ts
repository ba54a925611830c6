/**
 * A database a newer release has migrated is refused at open, on both
 * stores, with a coded error in German and English, and left untouched: an
 * older release must not run on a schema it does not know (the rollback of
 * docs/OPERATIONS.md, "Upgrades", goes through the backup).
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import pg from "pg";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorText } from "@bote/protocol";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import { openPostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { migrations } from "../../src/store/sqlite/migrations.js";
import { migrations as postgresMigrations } from "../../src/store/postgres/migrations.js";
import { DatabaseNewerError } from "../../src/store/DatabaseNewerError.js";

const next = Math.max(...migrations.map((m) => m.version)) + 1;

function isNewerError(error: unknown): boolean {
  assert.ok(error instanceof DatabaseNewerError);
  assert.equal(error.code, "database_newer");
  assert.ok(error.message.includes(errorText("database_newer", "de")));
  assert.ok(error.message.includes(errorText("database_newer", "en")));
  return true;
}

it("SQLite: a schema version from the future is refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bote-newer-"));
  const file = join(dir, "bote.sqlite");
  try {
    await (await openSqliteStore(file)).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)").run(next);
    db.close();
    await assert.rejects(openSqliteStore(file), isNewerError);
    const after = new Database(file, { readonly: true });
    const versions = after.prepare("SELECT count(*) AS n FROM schema_migrations").get() as { n: number };
    after.close();
    assert.equal(versions.n, next, "nothing was applied or removed");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const postgresSkip = await postgresSkipReason();

it("PostgreSQL: a schema version from the future is refused", { skip: postgresSkip ?? false }, async () => {
  const database = await createTestDatabase();
  try {
    await (await openPostgresStore(database.url)).close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Each store numbers its own migrations.
    const nextOnPostgres = Math.max(...postgresMigrations.map((m) => m.version)) + 1;
    await client.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)", [nextOnPostgres]);
    await client.end();
    await assert.rejects(openPostgresStore(database.url), isNewerError);
  } finally {
    await database.drop();
  }
});
