/** The SQLite store's relay writer thread: what its callers see when it dies, and the batch's bytes on their way. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import { packBatch, unpackBatch } from "../../src/store/sqlite/batchBuffer.js";
import type { OpenRelayBatch, RelayBatch, ServerStore } from "../../src/store/ServerStore.js";
import { ServerSecrets } from "../../src/secrets/ServerSecrets.js";
import { AtRestKeys } from "../../src/secrets/AtRestKeys.js";
import { isStoreFault } from "../../src/store/storeFault.js";
import { T, assertBytes, id, seedDevice, seedOrganisation, sendTo, stored, type SeededDevice } from "./fixtures.js";

/** Bytes as hex and bigints as text, so that a Buffer view and a Uint8Array of the same bytes compare equal. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const relayThread = (store: ServerStore) => (store as unknown as { relayThread: Worker | undefined }).relayThread;

describe("the SQLite relay writer", () => {
  let dir: string;
  let store: ServerStore;
  let device: SeededDevice;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bote-writer-"));
    store = await openSqliteStore(join(dir, "bote.sqlite"));
    device = await seedDevice(store, await seedOrganisation(store));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("commits on a thread of its own", async () => {
    stored((await store.commitBatch({ sends: [sendTo([device.mailboxId])], acks: [] })).sends[0]);
    assert.ok(relayThread(store) !== undefined, "a writer thread runs");
  });

  it("fails a batch as a store fault when its thread dies, loses nothing, and starts a new thread for the next", async () => {
    await store.commitBatch({ sends: [sendTo([device.mailboxId])], acks: [] });
    const thread = relayThread(store)!;
    const before = await store.fetchQueue([device.mailboxId], 0, 100, T);
    const send = sendTo([device.mailboxId]);
    void thread.terminate();
    const failed = await store.commitBatch({ sends: [send], acks: [] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failed !== undefined, "the batch did not resolve");
    assert.equal(isStoreFault(failed), true, (failed as Error).message);

    // The client resends under the same message id: stored once, on a new thread.
    const again = stored((await store.commitBatch({ sends: [send], acks: [] })).sends[0]);
    assert.notEqual(relayThread(store), thread);
    const after = await store.fetchQueue([device.mailboxId], 0, 100, T);
    assert.equal(after.length, before.length + 1);
    assertBytes(after.at(-1)!.sealed, send.parts[0]![0]!.sealed);
    assert.equal(after.at(-1)!.entryId, again.entries[0]!.entryId);
  });

  it("hands a batch over as one buffer that reads back as the same batch", () => {
    const batch: RelayBatch = {
      sends: [
        sendTo([id(), id()]),
        { ...sendTo([id()]), commit: { groupKey: id(32), epoch: 2n ** 63n - 2n } },
        { ...sendTo([]), parts: [[], [{ mailboxId: id(), sealed: id(5000) }]] },
      ],
      acks: [
        { mailboxIds: [id(), id()], entryIds: [1, 2 ** 53 - 1] },
        { mailboxIds: [], entryIds: [] },
      ],
    };
    // Views into a shared backing buffer, as frames and Node's pool hand them out.
    const pool = Buffer.alloc(8192);
    const view = pool.subarray(100, 132);
    batch.sends[0]!.parts[0]![0]!.mailboxId = view;
    const buffer = packBatch(batch);
    assert.ok(buffer.byteLength < 8192, "no backing buffer comes along");
    const back = unpackBatch(buffer);
    assert.deepEqual(plain(back), plain(batch));
  });

  it("seals the entries of an open batch on its thread, also on a thread started after one died", async () => {
    const secrets = ServerSecrets.generate();
    const atRest = new AtRestKeys(secrets);
    const committer = store.sealingCommitter!(secrets)!;
    const payload = Buffer.from("Angebot für das Dach, Seite 2".padEnd(256, "\0"));
    const open = (): OpenRelayBatch => ({
      sends: [{ sendKey: id(), parts: [{ payload, mailboxIds: [device.mailboxId] }], expiresAt: T + 60_000 }],
      acks: [],
    });
    const check = async (entryId: number) => {
      const entry = (await store.fetchQueue([device.mailboxId], 0, 1000, T)).find((e) => e.entryId === entryId)!;
      assert.equal(Buffer.from(entry.sealed).includes(payload.subarray(0, 20)), false, "stored sealed, not as sent");
      assertBytes(atRest.openEntry(device.mailboxId, entry.sealed), payload);
    };
    await check(stored((await committer.commit(open())).sends[0]).entries[0]!.entryId);
    await relayThread(store)!.terminate();
    // The next batch starts a new thread, which is given the secrets too.
    await check(stored((await committer.commit(open())).sends[0]).entries[0]!.entryId);
  });

  it("hands an open batch over with each payload once, and seals it when read back", () => {
    const payload = id(3000);
    const batch: OpenRelayBatch = {
      sends: [{ sendKey: id(), parts: [{ payload, mailboxIds: [id(), id(), id()] }], expiresAt: T }],
      acks: [],
    };
    const buffer = packBatch(batch);
    assert.ok(buffer.byteLength < 2 * payload.length, "the payload travels once, not per recipient");
    const sealedFor: string[] = [];
    const back = unpackBatch(buffer, (mailboxId, p) => {
      assertBytes(p, payload);
      sealedFor.push(Buffer.from(mailboxId).toString("hex"));
      return Buffer.from("sealed");
    });
    assert.deepEqual(
      sealedFor,
      batch.sends[0]!.parts[0]!.mailboxIds.map((m) => Buffer.from(m).toString("hex")),
    );
    assert.deepEqual(
      back.sends[0]!.parts[0]!.map((r) => Buffer.from(r.sealed).toString()),
      ["sealed", "sealed", "sealed"],
    );
    assert.throws(() => unpackBatch(buffer), /without secrets/);
  });
});
