/**
 * Marking a chat read reads only what it must: the newest records that hold
 * the unread messages, not the whole chat. Found by the web app, which marks
 * the open chat read on every incoming message: each one read and decrypted
 * the chat's every stored message, so the time a message took to show grew
 * with the chat. The result stays the same: every unread line becomes read,
 * the unread count goes to 0, and the change arrives as SDK events.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { BoteClient } from "@bote/client";
import type { ClientStore, ConversationRecord, MessageRecord } from "@bote/core";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

const EARLIER = 120;

describe("markRead reads the newest records only", { timeout: 120_000 }, () => {
  let root: string;
  let server: RunningServer;
  let anna: BoteClient;
  let bernd: BoteClient;
  /** Message records Bernd's store handed out through listMessages. */
  let listed = 0;

  /** The real SQLite store, counting the message records it lists. */
  const counting = (store: ClientStore): ClientStore =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        const method = value as (...a: unknown[]) => unknown;
        if (key !== "listMessages") return (...args: unknown[]) => method.apply(target, args);
        return async (...args: unknown[]) => {
          const result = (await method.apply(target, args)) as MessageRecord[];
          listed += result.length;
          return result;
        };
      },
    });

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-mark-read-"));
    const dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinClient(root, "Anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    bernd = await joinClient(root, "Bernd", (await anna.createInvitation("member", "Bernd")).url, counting);
  });

  after(async () => {
    await anna?.close().catch(() => undefined);
    await bernd?.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("one new message in a long chat is marked read from a few records, with events", async () => {
    const chat = (await anna.directChat(bernd.profile.accountId)).conversationId;
    await bernd.connect();
    const arrive = (count: number) =>
      new Promise<void>((resolve) => {
        let seen = 0;
        const off = bernd.on("message", (m) => {
          if (m.direction === "in" && m.kind === "content" && m.status === "received" && ++seen === count) {
            off();
            resolve();
          }
        });
      });
    const earlier = arrive(EARLIER);
    for (let i = 0; i < EARLIER; i++) await anna.sendText(chat, `Nachricht ${i}`);
    await earlier;
    await bernd.markRead(chat);
    assert.equal((await bernd.store.getConversation(chat))?.unread, 0);

    const three = arrive(3);
    const first = await anna.sendText(chat, "Noch eine");
    await anna.react(chat, first!.messageId, "👍");
    const last = await anna.sendText(chat, "Und die letzte");
    await three;
    const conversations: ConversationRecord[] = [];
    const messages: MessageRecord[] = [];
    bernd.on("conversation", (c) => conversations.push(c));
    bernd.on("message", (m) => messages.push(m));
    listed = 0;
    await bernd.markRead(chat);
    assert.ok(listed <= 32, `markRead listed ${listed} records of a chat of ${EARLIER + 3}`);

    const stored = await bernd.store.listMessages(chat);
    assert.deepEqual(
      stored.filter((m) => m.kind === "content" && m.status === "received").map((m) => m.messageId),
      [],
      "every received message is read",
    );
    assert.equal((await bernd.store.getConversation(chat))?.unread, 0);
    assert.deepEqual(
      conversations.map((c) => c.unread),
      [0],
      "the unread count's change is an event",
    );
    assert.deepEqual(
      messages.map((m) => [m.messageId, m.status]).filter(([id]) => id === first!.messageId || id === last!.messageId),
      [
        [first!.messageId, "read"],
        [last!.messageId, "read"],
      ],
    );

    // Nothing unread: nothing listed.
    listed = 0;
    await bernd.markRead(chat);
    assert.equal(listed, 0);
  });
});
