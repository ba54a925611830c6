/**
 * The SDK in this process against a real `bote serve` process: the outbox
 * keeps what is written while the server is down and sends it after the
 * reconnect, and events arrive for what is stored.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { BoteClient } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let port: number;
let server: RunningServer;
const clients: BoteClient[] = [];

function text(message: MessageRecord): string {
  const content = decodeContent(message.body);
  return content.body.case === "text" ? content.body.value.text : "";
}

async function joinAs(name: string, link: string, random?: () => number): Promise<BoteClient> {
  const client = await joinClient(root, name, link, undefined, undefined, random);
  clients.push(client);
  return client;
}

function nextMessage(client: BoteClient, match: (m: MessageRecord) => boolean): Promise<MessageRecord> {
  return new Promise((resolve) => {
    const off = client.on("message", (m) => {
      if (match(m)) {
        off();
        resolve(m);
      }
    });
  });
}

describe("SDK against a real server", { timeout: 120_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-sdk-"));
    dataDir = joinPath(root, "server");
    port = await freePort();
    server = await startServer(dataDir, port);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("queues while the server is down and sends after the reconnect; events report what is stored", async () => {
    const anna = await joinAs("Anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    const bernd = await joinAs("Bernd", (await anna.createInvitation("member", "Bernd")).url);
    const chat = await anna.directChat(bernd.profile.accountId);
    await bernd.connect();
    const arrived = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
    const first = await anna.sendText(chat.conversationId, "Erste Nachricht");
    assert.equal(first?.status, "sent");
    assert.equal(text(await arrived), "Erste Nachricht");

    await stopServer(server);
    const offline = await anna.sendText(chat.conversationId, "Geschrieben ohne Verbindung");
    assert.equal(offline?.status, "queued");
    assert.equal((await anna.store.listOutbox()).length, 1);
    const sent = nextMessage(anna, (m) => m.messageId === offline?.messageId && m.status === "sent");
    const received = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
    server = await startServer(dataDir, port);
    await sent;
    assert.equal(text(await received), "Geschrieben ohne Verbindung");
    assert.equal((await anna.store.listOutbox()).length, 0);

    // A file with progress for the sender and a streamed, checked download for the receiver.
    const bytes = randomBytes(200_000);
    const progress: number[] = [];
    const fileArrived = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
    await anna.sendFile(chat.conversationId, {
      // Four pieces, as a file stream would hand them over.
      stream: Readable.from([0, 50_000, 100_000, 150_000].map((at) => bytes.subarray(at, at + 50_000))),
      size: bytes.length,
      fileName: "plan.pdf",
      mediaType: "application/pdf",
      onProgress: (done) => progress.push(done),
    });
    assert.deepEqual(progress, [50_000, 100_000, 150_000, 200_000]);
    const parts: Uint8Array[] = [];
    const size = await bernd.download((await fileArrived).messageId, async (file) => {
      for await (const part of file) parts.push(part);
    });
    assert.equal(size, bytes.length);
    assert.ok(Buffer.concat(parts).equals(bytes));
  });

  it("sends a text queued during a long outage within two seconds of the server's return, whatever the jitter", async () => {
    const anna = clients[0]!;
    // The jitter pinned to its worst: every wait is the whole ceiling.
    const carla = await joinAs("Carla", (await anna.createInvitation("member", "Carla")).url, () => 0.999);
    const chat = await carla.directChat(anna.profile.accountId);
    await carla.connect();
    await stopServer(server);
    const offline = await carla.sendText(chat.conversationId, "Während der Wartung geschrieben");
    assert.equal(offline?.status, "queued");
    // Long enough that a doubling backoff would wait far beyond two seconds.
    await new Promise((r) => setTimeout(r, 6000));
    const sent = nextMessage(carla, (m) => m.messageId === offline?.messageId && m.status === "sent");
    server = await startServer(dataDir, port);
    const back = Date.now();
    await sent;
    const took = Date.now() - back;
    assert.ok(took < 3000, `the queued text went out ${took} ms after the server was back`);
  });

  it("queues a photo picked while the server is down, keeps it across a restart of the app, and sends it after the reconnect", async () => {
    const anna = clients[0]!;
    const bernd = clients[1]!;
    const chat = await anna.directChat(bernd.profile.accountId);
    await stopServer(server);
    // A PNG as a phone would hand it over, queued: encrypted into the store beside its message.
    const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(120_000)]);
    const queued = await anna.sendFile(chat.conversationId, {
      stream: Readable.from([photo]),
      size: photo.length,
      fileName: "verteiler.png",
      mediaType: "image/png",
      caption: "Verteiler im Keller",
      queue: true,
    });
    assert.equal(queued?.status, "queued");
    assert.deepEqual(
      (await anna.store.listUploads()).map((u) => u.messageId),
      [queued.messageId],
    );
    assert.ok(
      !Buffer.from((await anna.store.listUploads())[0]!.ciphertext).includes(photo.subarray(8, 40)),
      "encrypted",
    );

    // Its sender can open it before it is uploaded: it is read from the store.
    const own: Uint8Array[] = [];
    await anna.download(queued.messageId, async (file) => {
      for await (const part of file) own.push(part);
    });
    assert.ok(Buffer.concat(own).equals(photo), "the sender's own queued photo, offline");

    // The app is closed and opened again before the server is back.
    await anna.close();
    const again = await BoteClient.open({
      store: SqliteClientStore.open(joinPath(root, "Anna.db")),
      transport: nodeTransport,
    });
    clients[0] = again;
    const progress: number[] = [];
    again.on("upload", ({ messageId, done }) => {
      if (messageId === queued.messageId) progress.push(done);
    });
    const sent = nextMessage(again, (m) => m.messageId === queued.messageId && m.status === "sent");
    const received = nextMessage(bernd, (m) => m.direction === "in" && m.messageId === queued.messageId);
    server = await startServer(dataDir, port);
    await again.connect().catch(() => undefined);
    await sent;
    const arrived = await received;
    assert.equal(decodeContent(arrived.body).body.case, "attachment");
    assert.deepEqual(await again.store.listUploads(), []);
    assert.ok(progress.length >= 2 && progress.at(-1)! > 120_000, `upload progress: ${progress.join(", ")}`);
    const parts: Uint8Array[] = [];
    await bernd.download(arrived.messageId, async (file) => {
      for await (const part of file) parts.push(part);
    });
    assert.ok(Buffer.concat(parts).equals(photo), "the photo, byte for byte");
  });
});
