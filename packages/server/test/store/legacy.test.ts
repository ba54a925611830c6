/** A database of schema version 1 migrates when it has no accounts, and is refused with a coded error when it has. */
import { it } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorText } from "@bote/protocol";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import { migrations } from "../../src/store/sqlite/migrations.js";
import { DatabaseOutdatedError } from "../../src/store/DatabaseOutdatedError.js";
import { id } from "./fixtures.js";

/** A file as the version before certificates left it: migration 1 only, with or without an account. */
async function versionOneDatabase(withAccount: boolean): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), "bote-legacy-"));
  const file = join(dir, "bote.sqlite");
  const db = new Database(file);
  db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  db.exec(migrations.find((m) => m.version === 1)!.sql);
  db.prepare("INSERT INTO schema_migrations VALUES (1, 0)").run();
  const orgId = id();
  db.prepare("INSERT INTO organisations (id, name, created_at) VALUES (?, 'Alt GmbH', 0)").run(orgId);
  if (withAccount) {
    db.prepare(
      "INSERT INTO accounts (id, org_id, display_name, role, created_at) VALUES (?, ?, 'Anna', 'admin', 0)",
    ).run(id(), orgId);
  }
  db.close();
  return { dir, file };
}

it("refuses a version-1 database with accounts, in German and English, and leaves it untouched", async () => {
  const { dir, file } = await versionOneDatabase(true);
  try {
    await assert.rejects(openSqliteStore(file), (error: unknown) => {
      assert.ok(error instanceof DatabaseOutdatedError);
      assert.equal(error.code, "database_outdated");
      assert.ok(error.message.includes(errorText("database_outdated", "de")));
      assert.ok(error.message.includes(errorText("database_outdated", "en")));
      assert.match(error.message, /Datenverzeichnis/);
      assert.match(error.message, /join again/);
      return true;
    });
    const db = new Database(file, { readonly: true });
    const versions = db.prepare("SELECT version FROM schema_migrations").all();
    db.close();
    assert.deepEqual(versions, [{ version: 1 }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("migrates a version-1 database that has no accounts yet", async () => {
  const { dir, file } = await versionOneDatabase(false);
  try {
    const store = await openSqliteStore(file);
    const [org] = await store.listOrganisations();
    assert.equal(org?.name, "Alt GmbH");
    assert.equal(await store.getOrganisationKey(org.id), undefined);
    assert.equal(await store.setOrganisationKey(org.id, id(32)), true);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
