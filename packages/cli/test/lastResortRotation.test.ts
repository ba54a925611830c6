/**
 * The last-resort key package against a real `bote serve` that hands out no
 * one-time packages (--one-time-key-package-limit 0, as when a colleague's
 * hourly budget is spent): once the server handed it out, the device
 * replaces it at its next connect, and a Welcome made with the old one
 * before still joins, because its private half is kept for a grace period.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import Database from "better-sqlite3";
import { BoteClient } from "@bote/client";
import { decodeKeyPackageBundle, type ClientStore } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;
const clients: BoteClient[] = [];

/** The last-resort package the server holds for a device (its wire bytes). */
function serverLastResort(deviceId: string): Buffer | undefined {
  const db = new Database(joinPath(dataDir, "bote.sqlite"), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare("SELECT data FROM key_packages WHERE device_id = ? AND last_resort")
      .get(Buffer.from(deviceId, "base64url")) as { data: Buffer } | undefined;
    return row?.data;
  } finally {
    db.close();
  }
}

async function localLastResorts(store: ClientStore): Promise<{ ref: string; keyPackage: Uint8Array }[]> {
  const held = await store.listLastResortKeyPackages();
  return Promise.all(
    held.map(async ({ ref }) => {
      const bundle = decodeKeyPackageBundle((await store.getKeyPackage(ref))!.bundle);
      assert.ok(bundle.ok);
      return { ref, keyPackage: bundle.value.keyPackage };
    }),
  );
}

describe("last-resort key package rotation", { timeout: 120_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-lastresort-"));
    dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort(), ["--one-time-key-package-limit", "0"]);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("replaces a handed-out last-resort package, and a Welcome made with the old one still joins", async () => {
    const anna = await joinClient(
      root,
      "Anna",
      (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim(),
    );
    clients.push(anna);
    // Bernd's clock can be moved on: a last-resort package is replaced after hand-out only once it is an hour old.
    let offset = 0;
    const now = () => Date.now() + offset;
    const link = (await anna.createInvitation("member", "Bernd")).url;
    const joined = await joinClient(root, "Bernd", link, undefined, now);
    const berndId = joined.profile.deviceId;
    const berndAccount = joined.profile.accountId;
    const [old, ...none] = await localLastResorts(joined.store);
    assert.ok(old !== undefined && none.length === 0, "one last-resort package after joining");
    assert.deepEqual(new Uint8Array(serverLastResort(berndId)!), old.keyPackage);
    await joined.close();

    // Bernd is offline: Anna's chat takes his last-resort package, and the Welcome waits in his queue.
    offset = 2 * 3_600_000;
    const chat = await anna.directChat(berndAccount);
    const sent = await anna.sendText(chat.conversationId, "Hallo Bernd");
    assert.equal(sent?.status, "sent");

    const bernd = await BoteClient.open({
      store: SqliteClientStore.open(joinPath(root, "Bernd.db")),
      transport: nodeTransport,
      now,
      random: () => 0.1,
    });
    clients.push(bernd);
    const arrived = new Promise<string>((resolve) => {
      bernd.on("message", (m) => {
        if (m.direction !== "in" || m.kind !== "content") return;
        const content = decodeContent(m.body);
        if (content.body.case === "text") resolve(content.body.value.text);
      });
    });
    await bernd.connect();

    // At connect, before the queue was read, a new last-resort package replaced the handed-out one…
    const held = await localLastResorts(bernd.store);
    assert.equal(held.length, 2, "the replaced one is kept for its Welcomes");
    assert.equal(held[0]!.ref, old.ref);
    assert.deepEqual(new Uint8Array(serverLastResort(berndId)!), held[1]!.keyPackage, "the server holds the new one");
    // …and the Welcome made with the old one still joins.
    assert.equal(await arrived, "Hallo Bernd");
    const conversation = await bernd.store.getConversation(chat.conversationId);
    assert.equal(conversation?.active, true);
  });
});
