/**
 * The offline queue through the SDK against a real `bote serve` process:
 * what a phone writes while the server is away goes out in the order it was
 * written, per chat, also when a file has to be uploaded first; a waiting
 * file can be deleted or re-captioned before it leaves; and what waits is
 * capped.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Readable } from "node:stream";
import { BoteClient, ClientError } from "@bote/client";
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

/** A text's text, or a file's "[file name] caption". */
function line(message: MessageRecord): string {
  const body = decodeContent(message.body).body;
  if (body.case === "text") return body.value.text;
  return body.case === "attachment" ? `[${body.value.fileName}] ${body.value.caption}` : (body.case ?? "");
}

async function joinAs(name: string, link: string): Promise<BoteClient> {
  const client = await joinClient(root, name, link);
  clients.push(client);
  return client;
}

/** Resolves with the first `count` incoming chat lines `client` stores, in the order they arrive. */
function arrivals(client: BoteClient, count: number): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve) => {
    const off = client.on("message", (m) => {
      if (m.direction !== "in" || m.kind !== "content") return;
      const body = decodeContent(m.body).body.case;
      if (body !== "text" && body !== "attachment") return;
      seen.push(line(m));
      if (seen.length === count) {
        off();
        resolve(seen);
      }
    });
  });
}

function pdf(size: number, caption?: string, fileName = "plan.pdf") {
  return {
    stream: Readable.from([randomBytes(size)]),
    size,
    fileName,
    mediaType: "application/pdf",
    ...(caption === undefined ? {} : { caption }),
    queue: true,
  };
}

async function restart(): Promise<void> {
  server = await startServer(dataDir, port);
}

describe("the offline queue through the SDK", { timeout: 120_000 }, () => {
  let anna: BoteClient;
  let bernd: BoteClient;
  let chat: string;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-queue-"));
    dataDir = joinPath(root, "server");
    port = await freePort();
    server = await startServer(dataDir, port);
    anna = await joinAs("Anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    bernd = await joinAs("Bernd", (await anna.createInvitation("member", "Bernd")).url);
    chat = (await anna.directChat(bernd.profile.accountId)).conversationId;
    await bernd.connect();
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("a text written after a file that waits for its upload goes out after it, in the chat's order", async () => {
    await stopServer(server);
    const file = await anna.sendFile(chat, pdf(150_000, "Der Plan"));
    const text = await anna.sendText(chat, "Siehe Plan oben");
    assert.equal(file?.status, "queued");
    assert.equal(text?.status, "queued");
    const arrived = arrivals(bernd, 2);
    await restart();
    assert.deepEqual(await arrived, ["[plan.pdf] Der Plan", "Siehe Plan oben"]);
    const shown = (await bernd.listMessages(chat))
      .filter((m) => m.direction === "in" && m.kind === "content")
      .map(line);
    assert.deepEqual(shown.slice(-2), ["[plan.pdf] Der Plan", "Siehe Plan oben"]);
    // Bernd may have both before Anna's flush has taken the server's answer for the text.
    await anna.idle();
    assert.deepEqual(await anna.store.listUploads(), []);
    assert.deepEqual(await anna.store.listOutbox(), []);
  });

  it("online too: a text written while a queued file is being uploaded goes out after the file", async () => {
    const uploading = new Promise<void>((resolve) => {
      const off = anna.on("upload", ({ done }) => {
        if (done > 0) {
          off();
          resolve();
        }
      });
    });
    const arrived = arrivals(bernd, 2);
    // 8 MiB: the upload hands it over in 128 pieces with a turn of the event loop between them.
    const file = anna.sendFile(chat, pdf(8 * 1024 * 1024, "Aufmaß", "aufmass.pdf"));
    await uploading;
    const text = await anna.sendText(chat, "Das Aufmaß ist oben");
    assert.equal(text?.status, "queued", "it waits for the file");
    // Left the outbox; Bernd's receipt may already have come back by the time the drain resolves.
    assert.ok(["sent", "delivered"].includes((await file)?.status ?? ""), "the file went out");
    assert.deepEqual(await arrived, ["[aufmass.pdf] Aufmaß", "Das Aufmaß ist oben"]);
  });

  it("deleting a waiting file cancels it: nothing of it is ever sent", async () => {
    await stopServer(server);
    const file = await anna.sendFile(chat, pdf(50_000, "Falsche Datei", "falsch.pdf"));
    assert.ok(file !== undefined);
    const deleted = await anna.deleteMessage(file.messageId);
    assert.equal(deleted.deleted, true);
    assert.deepEqual(await anna.store.listUploads(), [], "the waiting ciphertext is dropped");
    assert.deepEqual(await anna.store.listOutbox(), [], "no delete goes out for a file the others never saw");
    await anna.sendText(chat, "Vergiss die Datei");
    const arrived = arrivals(bernd, 1);
    await restart();
    assert.deepEqual(await arrived, ["Vergiss die Datei"]);
    assert.ok(!(await bernd.listMessages(chat)).some((m) => m.messageId === file.messageId));
  });

  it("editing a waiting file's caption changes what is sent; no edit follows it", async () => {
    await stopServer(server);
    const file = await anna.sendFile(chat, pdf(50_000, "Etnwurf", "entwurf.pdf"));
    assert.ok(file !== undefined);
    const edited = await anna.edit(file.messageId, "Entwurf");
    assert.equal(line(edited), "[entwurf.pdf] Entwurf");
    assert.deepEqual(await anna.store.listOutbox(), [], "the edit changed the waiting file, nothing else is queued");
    const received = new Promise<MessageRecord>((resolve) => {
      const off = bernd.on("message", (m) => {
        if (m.messageId === file.messageId) {
          off();
          resolve(m);
        }
      });
    });
    await restart();
    const arrived = await received;
    assert.equal(line(arrived), "[entwurf.pdf] Entwurf");
    assert.ok(!decodeContent(arrived.body).editedAtMs, "it arrives as written, not as edited");
  });
  it("refuses a file that would pass the queue's cap beside the waiting ones (queue_full) or alone (file_too_large), and takes it once they left", async () => {
    const carla = await joinAs("Carla", (await anna.createInvitation("member", "Carla")).url);
    const chatWithAnna = (await carla.directChat(anna.profile.accountId)).conversationId;
    await carla.close();
    const capped = await BoteClient.open({
      store: SqliteClientStore.open(joinPath(root, "Carla.db")),
      transport: nodeTransport,
      queueLimitBytes: 200_000,
    });
    clients.push(capped);
    await stopServer(server);
    await capped.sendFile(chatWithAnna, pdf(120_000));
    await assert.rejects(
      capped.sendFile(chatWithAnna, pdf(120_000)),
      (err: unknown) => err instanceof ClientError && err.code === "queue_full",
    );
    await assert.rejects(
      capped.sendFile(chatWithAnna, pdf(250_000)),
      (err: unknown) => err instanceof ClientError && err.code === "file_too_large",
      "a file larger than the whole cap",
    );
    assert.equal((await capped.store.listUploads()).length, 1, "the refused files left nothing behind");
    const sent = new Promise<void>((resolve) => {
      const off = capped.on("message", (m) => {
        if (m.direction === "out" && m.status === "sent") {
          off();
          resolve();
        }
      });
    });
    await restart();
    await capped.connect().catch(() => undefined);
    await sent;
    const second = await capped.sendFile(chatWithAnna, pdf(120_000));
    assert.notEqual(second?.status, "failed");
  });
});
