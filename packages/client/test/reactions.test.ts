import { it } from "node:test";
import assert from "node:assert/strict";
import type { MessageRecord } from "@bote/core";
import { reactionsOf } from "@bote/client";
import { CONTENT_VERSION, encodeBase64url, encodeContent, type ContentInit } from "@bote/protocol";

const target = new Uint8Array(16).fill(7);
const targetId = encodeBase64url(target);
let counter = 0;

function record(
  sender: string,
  body: NonNullable<ContentInit["body"]>,
  sentAt: number,
  extra: Partial<MessageRecord> = {},
): MessageRecord {
  const messageId = new Uint8Array(16).fill(++counter);
  return {
    messageId: encodeBase64url(messageId),
    conversationId: "c",
    direction: "in",
    senderAccountId: sender,
    senderName: sender.toUpperCase(),
    sentAt,
    storedAt: sentAt,
    kind: "content",
    body: encodeContent({ version: CONTENT_VERSION, messageId, sentAtMs: BigInt(sentAt), body }),
    status: "received",
    deleted: false,
    ...extra,
  };
}

const react = (sender: string, emoji: string, sentAt: number, extra?: Partial<MessageRecord>) =>
  record(sender, { case: "reaction", value: { targetMessageId: target, emoji } }, sentAt, extra);

it("reactionsOf keeps each sender's latest reaction per target, by sentAt then storedAt", () => {
  const text = record("anna", { case: "text", value: { text: "Hallo" } }, 1);
  const messages = [
    text,
    react("bernd", "👍", 10),
    // Arrived later but written earlier: the newer one stays.
    react("bernd", "🎉", 5),
    react("anna", "❤️", 20),
    react("carla", "😮", 30, { storedAt: 31 }),
    react("carla", "😂", 30, { storedAt: 32 }),
  ];
  assert.deepEqual(reactionsOf(messages).get(targetId), [
    { emoji: "👍", senderAccountId: "bernd", senderName: "BERND" },
    { emoji: "❤️", senderAccountId: "anna", senderName: "ANNA" },
    { emoji: "😂", senderAccountId: "carla", senderName: "CARLA" },
  ]);
  assert.equal(reactionsOf([text]).size, 0);
});

it("reactionsOf: an empty emoji removes the sender's reaction, a later one brings it back", () => {
  const removed = [react("bernd", "👍", 10), react("bernd", "", 11)];
  assert.equal(reactionsOf(removed).has(targetId), false);
  assert.deepEqual(reactionsOf([...removed, react("bernd", "👀", 12)]).get(targetId), [
    { emoji: "👀", senderAccountId: "bernd", senderName: "BERND" },
  ]);
});

it("reactionsOf ignores events, deleted records and other content", () => {
  const event: MessageRecord = { ...react("anna", "👍", 1), kind: "event", body: new TextEncoder().encode("{}") };
  assert.equal(reactionsOf([event, react("bernd", "👍", 2, { deleted: true })]).size, 0);
});
