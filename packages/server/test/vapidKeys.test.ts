/** The VAPID key file: made once (0600), kept across starts, refused when it does not fit the database. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VapidKeys, VapidKeysError, openVapidKeys } from "../src/index.js";
import { openSqliteStore } from "../src/sqlite.js";

it("makes the VAPID key file at the first start, keeps it, and refuses a missing or foreign one once the database knows a key", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bote-vapid-"));
  const store = await openSqliteStore(join(dir, "bote.sqlite"));
  const file = join(dir, "vapid-keys.json");
  try {
    const first = await openVapidKeys(store, file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await openVapidKeys(store, file)).publicKey, first.publicKey);
    const text = await readFile(file, "utf8");
    await unlink(file);
    await assert.rejects(
      openVapidKeys(store, file),
      (e: unknown) => e instanceof VapidKeysError && e.problem === "missing",
    );
    await writeFile(file, VapidKeys.generate().serialize());
    await assert.rejects(
      openVapidKeys(store, file),
      (e: unknown) => e instanceof VapidKeysError && e.problem === "mismatch",
    );
    await writeFile(file, "{}");
    await assert.rejects(
      openVapidKeys(store, file),
      (e: unknown) => e instanceof VapidKeysError && e.problem === "unreadable",
    );
    await writeFile(file, text);
    assert.equal((await openVapidKeys(store, file)).privateKey, first.privateKey);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
