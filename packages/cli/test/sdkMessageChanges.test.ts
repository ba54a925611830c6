/**
 * Reactions, edits and deletes through the SDK against a real `bote serve`
 * process: what one device sends is applied on its own side at once and on
 * the other side when it arrives, and both compute the same reactions.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Readable } from "node:stream";
import { BoteClient, ClientError, reactionsOf } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent, MAX_THUMBNAIL_BYTES } from "@bote/protocol";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let server: RunningServer;
const clients: BoteClient[] = [];

function text(message: MessageRecord | undefined): string {
  const body = message === undefined ? undefined : decodeContent(message.body).body;
  if (body?.case === "text") return body.value.text;
  return body?.case === "attachment" ? body.value.caption : "";
}

async function joinAs(name: string, link: string): Promise<BoteClient> {
  const client = await joinClient(root, name, link);
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

/** The reactions `client` shows for `messageId`, as "name emoji" strings. */
async function shown(client: BoteClient, conversationId: string, messageId: string): Promise<string[]> {
  const reactions = reactionsOf(await client.listMessages(conversationId)).get(messageId) ?? [];
  return reactions.map((r) => `${r.senderName} ${r.emoji}`);
}

async function rejects(task: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(task, (err: unknown) => err instanceof ClientError && err.code === code);
}

describe("reactions, edits and deletes through the SDK", { timeout: 120_000 }, () => {
  let anna: BoteClient;
  let bernd: BoteClient;
  let chat: string;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-changes-"));
    const dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
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

  it("a reaction is stored on both sides; changing and removing it shows the latest; it is neither unread nor receipted", async () => {
    const arrived = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
    const line = await anna.sendText(chat, "Treffen um 10?");
    assert.ok(line !== undefined);
    await arrived;
    await bernd.markRead(chat);
    const activity = (await anna.store.getConversation(chat))?.lastActivityAt;

    for (const emoji of ["👍", "🎉", ""]) {
      const received = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
      const own = nextMessage(anna, (m) => m.direction === "out" && m.messageId !== line.messageId);
      await anna.react(chat, line.messageId, emoji);
      assert.equal((await own).kind, "content", "the own reaction is announced");
      await received;
      const expected = emoji === "" ? [] : [`Anna ${emoji}`];
      assert.deepEqual(await shown(bernd, chat, line.messageId), expected, "Bernd sees the latest");
      assert.deepEqual(await shown(anna, chat, line.messageId), expected, "Anna sees her own");
    }
    const reply = nextMessage(anna, (m) => m.direction === "in" && m.kind === "content");
    await bernd.react(chat, line.messageId, "👌");
    await reply;
    assert.deepEqual(await shown(anna, chat, line.messageId), ["Bernd 👌"]);
    assert.equal((await bernd.store.getConversation(chat))?.unread, 0, "reactions are not unread");
    assert.equal((await anna.store.getConversation(chat))?.lastActivityAt, activity, "nor activity");

    // A text is receipted; the reactions sent before it are not.
    const delivered = nextMessage(anna, (m) => m.status === "delivered" && m.messageId !== line.messageId);
    const second = await anna.sendText(chat, "Raum 2");
    assert.equal((await delivered).messageId, second?.messageId);
    const annaReactions = (await anna.listMessages(chat)).filter(
      (m) => m.direction === "out" && decodeContent(m.body).body.case === "reaction",
    );
    assert.equal(annaReactions.length, 3);
    assert.ok(annaReactions.every((m) => m.status === "sent"));
    await rejects(anna.react(chat, "AAAAAAAAAAAAAAAAAAAAAA", "👍"), "message_unknown");
  });

  it("edit and delete apply at once for the sender and on arrival for the others; only own messages", async () => {
    const arrived = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
    const line = await anna.sendText(chat, "Treffen um 10");
    assert.ok(line !== undefined);
    const theirs = await arrived;

    const ownEvent = nextMessage(anna, (m) => m.messageId === line.messageId);
    const edited = nextMessage(bernd, (m) => m.messageId === line.messageId);
    const changed = await anna.edit(line.messageId, "Treffen um 11");
    assert.equal(text(changed), "Treffen um 11");
    assert.equal(text(await ownEvent), "Treffen um 11");
    assert.equal(text(await anna.store.getMessage(line.messageId)), "Treffen um 11");
    assert.equal(text(await edited), "Treffen um 11");
    assert.equal(text(await bernd.store.getMessage(line.messageId)), "Treffen um 11");

    await rejects(bernd.edit(theirs.messageId, "Treffen um 12"), "message_not_own");
    await rejects(bernd.deleteMessage(theirs.messageId), "message_not_own");
    await rejects(anna.edit("AAAAAAAAAAAAAAAAAAAAAA", "x"), "message_unknown");

    const deleted = nextMessage(bernd, (m) => m.messageId === line.messageId && m.deleted);
    const gone = await anna.deleteMessage(line.messageId);
    assert.equal(gone.deleted, true);
    assert.equal((await anna.store.getMessage(line.messageId))?.deleted, true);
    await deleted;
    assert.equal((await bernd.store.getMessage(line.messageId))?.deleted, true);
    await rejects(anna.edit(line.messageId, "doch nicht"), "message_deleted");
    await rejects(anna.deleteMessage(line.messageId), "message_deleted");
  });

  it("a file carries its size in pixels and a thumbnail; its caption can be edited; a large thumbnail is refused", async () => {
    const bytes = new Uint8Array(1000).fill(3);
    // A PNG's signature first: the SDK refuses bytes under an image type that are no image.
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const thumbnail = new Uint8Array(500).fill(9);
    const file = (extra: { thumbnail: Uint8Array }) => ({
      stream: Readable.from([bytes]),
      size: bytes.length,
      fileName: "plan.png",
      mediaType: "image/png",
      caption: "Plan",
      width: 640,
      height: 480,
      ...extra,
    });
    await rejects(
      anna.sendFile(chat, file({ thumbnail: new Uint8Array(MAX_THUMBNAIL_BYTES + 1) })),
      "thumbnail_too_large",
    );
    const arrived = nextMessage(bernd, (m) => m.direction === "in" && m.kind === "content");
    const sent = await anna.sendFile(chat, file({ thumbnail }));
    const received = decodeContent((await arrived).body).body;
    assert.equal(received.case, "attachment");
    assert.equal(received.value.width, 640);
    assert.equal(received.value.height, 480);
    assert.deepEqual(received.value.thumbnail, thumbnail);

    const edited = nextMessage(bernd, (m) => m.messageId === sent?.messageId);
    assert.equal(text(await anna.edit(sent!.messageId, "Plan, neu")), "Plan, neu");
    assert.equal(text(await edited), "Plan, neu");
  });
});
