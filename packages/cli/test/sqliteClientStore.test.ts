import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ClientStoreError } from "@bote/core";
import { describeClientStoreContract } from "@bote/testing";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { CLIENT_STORE_APPLICATION_ID, CLIENT_STORE_MIGRATIONS } from "../src/profile/clientStoreSchema.js";

async function tempProfile(): Promise<{ file: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bote-profile-"));
  return { file: join(dir, "bote.db"), remove: () => rm(dir, { recursive: true, force: true }) };
}

describeClientStoreContract("sqlite", async () => {
  const { file, remove } = await tempProfile();
  const opened: SqliteClientStore[] = [SqliteClientStore.open(file)];
  return {
    store: opened[0]!,
    reopen: () => {
      const again = SqliteClientStore.open(file);
      opened.push(again);
      return Promise.resolve(again);
    },
    async cleanup() {
      for (const store of opened) await store.close();
      await remove();
    },
  };
});

describe("SqliteClientStore file", () => {
  it("is readable and writable by its owner only", async () => {
    const { file, remove } = await tempProfile();
    try {
      const store = SqliteClientStore.open(file);
      await store.apply({ seen: ["k"] });
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(`${file}-wal`)).mode & 0o777, 0o600, "the WAL holds the same secrets");
      await store.close();
    } finally {
      await remove();
    }
  });

  it("tightens an existing file's permissions", async () => {
    const { file, remove } = await tempProfile();
    try {
      await writeFile(file, "", { mode: 0o644 });
      await SqliteClientStore.open(file).close();
      assert.equal((await stat(file)).mode & 0o777, 0o600);
    } finally {
      await remove();
    }
  });

  it("refuses a file that is not a database with profile_unreadable", async () => {
    const { file, remove } = await tempProfile();
    try {
      await writeFile(file, "this is a shopping list, not a profile\n".repeat(200));
      assert.throws(() => SqliteClientStore.open(file), isStoreError("profile_unreadable"));
    } finally {
      await remove();
    }
  });

  it("refuses another application's SQLite database with profile_unreadable", async () => {
    const { file, remove } = await tempProfile();
    try {
      const other = new Database(file);
      other.exec("CREATE TABLE notes (text TEXT)");
      other.close();
      assert.throws(() => SqliteClientStore.open(file), isStoreError("profile_unreadable"));
    } finally {
      await remove();
    }
  });

  it("refuses a profile of a newer schema with profile_too_new, and leaves it untouched", async () => {
    const { file, remove } = await tempProfile();
    try {
      await SqliteClientStore.open(file).close();
      const raw = new Database(file);
      raw.pragma("user_version = 999");
      raw.close();
      assert.throws(() => SqliteClientStore.open(file), isStoreError("profile_too_new"));
      const check = new Database(file, { readonly: true });
      assert.equal(check.pragma("user_version", { simple: true }), 999);
      check.close();
    } finally {
      await remove();
    }
  });

  it("migrates a profile from before the organisation key chain and refuses it with profile_outdated", async () => {
    const { file, remove } = await tempProfile();
    try {
      // The file as the first release left it: schema 1 and its profile row.
      const old = new Database(file);
      old.exec(CLIENT_STORE_MIGRATIONS[0]!);
      old.pragma(`application_id = ${CLIENT_STORE_APPLICATION_ID}`);
      old.pragma("user_version = 1");
      old
        .prepare(
          `INSERT INTO profile (id, server_url, account_id, device_id, role, organisation_id, organisation_name,
             device, organisation_public_key, organisation_sign_key)
           VALUES (1, 'https://bote.example.de/', 'acc-1', 'dev-1', 'admin', 'org-1', 'Beispiel GmbH', ?, ?, ?)`,
        )
        .run(Buffer.alloc(200, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3));
      old.prepare("INSERT INTO seen (key) VALUES ('s-old')").run();
      old.close();

      const store = SqliteClientStore.open(file);
      try {
        await assert.rejects(store.getProfile(), isStoreError("profile_outdated"));
        assert.equal(await store.hasSeen("s-old"), true, "the rest of the profile is still readable");
      } finally {
        await store.close();
      }
      const check = new Database(file, { readonly: true });
      assert.equal(check.pragma("user_version", { simple: true }), CLIENT_STORE_MIGRATIONS.length);
      assert.equal(
        (check.prepare("SELECT account_id FROM profile").get() as { account_id: string }).account_id,
        "acc-1",
      );
      check.close();
    } finally {
      await remove();
    }
  });
});

function isStoreError(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ClientStoreError, `expected ClientStoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}
