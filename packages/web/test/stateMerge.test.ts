/**
 * The web app's signals follow the SDK's events (state/merge.ts) and show
 * only the newest of overlapping loads (state/latestOnly.ts). Before, every
 * message reloaded the chat and the chat list, and a load that finished
 * last overwrote what a newer one had shown.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { isNewerLastLine, mergeConversation, mergeMessage } from "@bote/web/state/merge";
import { latestOnly } from "@bote/web/state/latestOnly";

function message(messageId: string, storedAt: number, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId,
    conversationId: "c1",
    direction: "in",
    senderAccountId: "a",
    senderName: "Anna",
    sentAt: storedAt,
    storedAt,
    kind: "content",
    body: new Uint8Array([1]),
    status: "received",
    deleted: false,
    ...extra,
  };
}

function conversation(conversationId: string, lastActivityAt: number, unread = 0): ConversationRecord {
  return {
    conversationId,
    kind: "direct",
    name: conversationId,
    peerAccountId: undefined,
    state: new Uint8Array(),
    epoch: 0,
    pendingState: undefined,
    active: true,
    unread,
    lastActivityAt,
  };
}

it("mergeMessage appends a new record, replaces a changed one in its place, and keeps storedAt order", () => {
  const chat = [message("m1", 1), message("m2", 2)];
  assert.deepEqual(
    mergeMessage(chat, message("m3", 3)).map((m) => m.messageId),
    ["m1", "m2", "m3"],
  );
  const read = mergeMessage(chat, message("m1", 1, { status: "read" }));
  assert.deepEqual(
    read.map((m) => [m.messageId, m.status]),
    [
      ["m1", "read"],
      ["m2", "received"],
    ],
  );
  // Stored at the same time as the last: after it, as the store orders ties by first stored.
  assert.deepEqual(
    mergeMessage(chat, message("m0", 2)).map((m) => m.messageId),
    ["m1", "m2", "m0"],
  );
  assert.deepEqual(
    mergeMessage(chat, message("early", 0)).map((m) => m.messageId),
    ["early", "m1", "m2"],
  );
  assert.equal(chat.length, 2, "the signal's old array is left as it was");
});

it("mergeConversation replaces a chat by id and keeps the most recent activity first", () => {
  const list = [conversation("b", 20), conversation("a", 10)];
  const bumped = mergeConversation(list, conversation("a", 30, 1));
  assert.deepEqual(
    bumped.map((c) => [c.conversationId, c.unread]),
    [
      ["a", 1],
      ["b", 0],
    ],
  );
  assert.deepEqual(
    mergeConversation(list, conversation("new", 5)).map((c) => c.conversationId),
    ["b", "a", "new"],
  );
});

it("isNewerLastLine: a newer line or a change of the shown one replaces it, an older one does not", () => {
  const shown = message("m2", 2);
  assert.equal(isNewerLastLine(undefined, shown), true);
  assert.equal(isNewerLastLine(shown, message("m3", 3)), true);
  assert.equal(isNewerLastLine(shown, message("m2", 2, { deleted: true })), true);
  assert.equal(isNewerLastLine(shown, message("m1", 1, { status: "read" })), false);
});

it("latestOnly: an older load that finishes last is dropped", async () => {
  const newest = latestOnly();
  let finishOld: (v: string) => void = () => undefined;
  const old = newest(() => new Promise<string>((resolve) => (finishOld = resolve)));
  const fresh = newest(() => Promise.resolve("neu"));
  assert.equal(await fresh, "neu");
  finishOld("alt");
  assert.equal(await old, undefined);
  assert.equal(await newest(() => Promise.resolve("danach")), "danach");
});
