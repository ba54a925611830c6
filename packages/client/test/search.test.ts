import { it } from "node:test";
import assert from "node:assert/strict";
import { MemoryClientStore, type ConversationRecord, type MessageRecord } from "@bote/core";
import { searchMessages } from "@bote/client";
import { CONTENT_VERSION, encodeBase64url, encodeContent, type ContentInit } from "@bote/protocol";

let counter = 0;

function conversation(conversationId: string, name: string): ConversationRecord {
  return {
    conversationId,
    kind: "group",
    name,
    peerAccountId: undefined,
    state: new Uint8Array([1]),
    epoch: 1,
    pendingState: undefined,
    active: true,
    unread: 0,
    lastActivityAt: 1,
  };
}

function message(conversationId: string, sender: string, body: NonNullable<ContentInit["body"]>, sentAt: number) {
  const messageId = new Uint8Array(16).fill(++counter);
  const record: MessageRecord = {
    messageId: encodeBase64url(messageId),
    conversationId,
    direction: sender === "Ich" ? "out" : "in",
    senderAccountId: sender,
    senderName: sender,
    sentAt,
    storedAt: sentAt,
    kind: "content",
    body: encodeContent({ version: CONTENT_VERSION, messageId, sentAtMs: BigInt(sentAt), body }),
    status: "received",
    deleted: false,
  };
  return record;
}

const text = (t: string) => ({ case: "text" as const, value: { text: t } });

async function store() {
  const s = new MemoryClientStore();
  const baustelle = conversation("c1", "Baustelle Müller");
  const buero = conversation("c2", "Büro");
  await s.apply({
    conversations: [baustelle, buero],
    messages: [
      message("c1", "Anna", text("Die Dachziegel kommen am Donnerstag, bitte das Gerüst vorher prüfen."), 1),
      message("c2", "Bernd", text("Rechnung für Familie Über ist raus"), 2),
      message(
        "c1",
        "Clara",
        {
          case: "attachment",
          value: {
            blobId: new Uint8Array(32).fill(1),
            key: new Uint8Array(32).fill(2),
            digest: new Uint8Array(32).fill(3),
            size: 1000n,
            chunkSize: 65536,
            caption: "Schaden am Giebel",
            fileName: "IMG_2041.jpg",
            mediaType: "image/jpeg",
          },
        },
        3,
      ),
      { ...message("c2", "Bernd", text("Gerüst gelöscht"), 4), deleted: true },
      message("c2", "Ich", text("Das Gerüst steht ab Montag"), 5),
    ],
  });
  return s;
}

it("finds a word in another chat, newest first, with its context and where it matched", async () => {
  const hits = await searchMessages(await store(), "gerüst");
  assert.deepEqual(
    hits.map((h) => [h.conversationName, h.senderName]),
    [
      ["Büro", "Ich"],
      ["Baustelle Müller", "Anna"],
    ],
    "the deleted message is not found",
  );
  const anna = hits[1]!;
  assert.match(anna.snippet, /^….*bitte das Gerüst vorher prüfen\.$/);
  const [start, end] = anna.matches[0]!;
  assert.equal(anna.snippet.slice(start, end), "Gerüst");
});

it("ignores case and accents, needs every word, and searches captions and file names", async () => {
  const s = await store();
  assert.deepEqual(
    (await searchMessages(s, "UBER rechnung")).map((h) => h.senderName),
    ["Bernd"],
  );
  assert.deepEqual(
    (await searchMessages(s, "giebel")).map((h) => h.snippet),
    ["Schaden am Giebel · IMG_2041.jpg"],
  );
  assert.equal((await searchMessages(s, "img_2041")).length, 1);
  assert.deepEqual(await searchMessages(s, "Gerüst Dienstag"), []);
  assert.deepEqual(await searchMessages(s, "   "), []);
});
