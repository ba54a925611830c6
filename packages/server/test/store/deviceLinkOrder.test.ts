/**
 * Migration 4 of the embedded store (the device link state 'keyed'): a table
 * rebuilt with its rows, except links claimed or revealed in the old order,
 * where the new device sent its ephemeral key before it held the commitment.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import type { NewDeviceLink, ServerStore } from "../../src/store/ServerStore.js";
import { T, assertBytes, id, seedDevice, seedOrganisation, type SeededDevice } from "./fixtures.js";

const TTL = 10 * 60_000;

async function link(store: ServerStore, a: SeededDevice, steps: number): Promise<NewDeviceLink> {
  const l: NewDeviceLink = {
    id: id(),
    deviceId: a.deviceId,
    codeHash: id(32),
    commitment: id(32),
    createdAt: T,
    expiresAt: T + TTL,
    maxOpen: 10,
  };
  assert.deepEqual(await store.createDeviceLink(l), { ok: true });
  const claim = { codeHash: l.codeHash, now: T, deviceKey: id(32), claimTokenHash: id(32) };
  if (steps >= 1) assert.equal((await store.claimDeviceLink(claim)).ok, true);
  if (steps >= 2) {
    const key = { linkId: l.id, claimTokenHash: claim.claimTokenHash, ephemeralKey: id(32), now: T };
    assert.deepEqual(await store.keyDeviceLink(key), { ok: true });
    assert.equal(await store.revealDeviceLink(l.id, a.deviceId, id(32), T), true);
  }
  if (steps >= 3) {
    const done = await store.completeDeviceLink({
      linkId: l.id,
      initiatorDeviceId: a.deviceId,
      accountId: a.accountId,
      accountKey: a.accountKey,
      now: T,
      deviceId: id(),
      deviceKey: claim.deviceKey,
      deviceCertificate: id(120),
      mailboxId: id(),
      sealed: id(100),
    });
    assert.deepEqual(done, { ok: true });
  }
  return l;
}

it("migration 4 keeps waiting and completed links, drops those claimed or revealed in the old order", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bote-links-"));
  const file = join(dir, "bote.sqlite");
  try {
    let store = await openSqliteStore(file);
    const a = await seedDevice(store, await seedOrganisation(store));
    const [waiting, claimed, revealed, completed] = [
      await link(store, a, 0),
      await link(store, a, 1),
      await link(store, a, 2),
      await link(store, a, 3),
    ];
    await store.close();

    // As version 3 left the file: migration 4 not yet applied.
    const db = new Database(file);
    db.prepare("DELETE FROM schema_migrations WHERE version = 4").run();
    db.close();

    store = await openSqliteStore(file);
    try {
      assert.equal((await store.getDeviceLink(waiting.id, T))?.state, "waiting");
      assert.equal(await store.getDeviceLink(claimed.id, T), undefined);
      assert.equal(await store.getDeviceLink(revealed.id, T), undefined);
      const kept = await store.getDeviceLink(completed.id, T);
      assert.equal(kept?.state, "completed");
      assertBytes(kept?.commitment, completed.commitment);
      // The rebuilt table takes the new state 'keyed' on the way.
      const fresh = await link(store, a, 2);
      assert.equal((await store.getDeviceLink(fresh.id, T))?.state, "revealed");
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    const indexes = check
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'device_links'",
      )
      .all()
      .map((row) => row.name)
      .filter((name) => !name.startsWith("sqlite_autoindex"))
      .sort();
    check.close();
    assert.deepEqual(indexes, ["device_links_expiry", "device_links_initiator"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
