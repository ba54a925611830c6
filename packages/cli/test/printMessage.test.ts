/** How `bote messages` and `bote sync` show an edited message and who added this device, as the web app does. */
import { it } from "node:test";
import assert from "node:assert/strict";
import type { MessageRecord } from "@bote/core";
import { CONTENT_VERSION, encodeBase64url, encodeContent } from "@bote/protocol";
import { printMessage, type Printer } from "../src/client/print.js";

function capture(language: "de" | "en"): { printer: Printer; lines: string[]; objects: Record<string, unknown>[] } {
  const lines: string[] = [];
  const objects: Record<string, unknown>[] = [];
  return { printer: { json: false, language, out: (h, m) => (lines.push(h), objects.push(m)) }, lines, objects };
}

const id = new Uint8Array(16).fill(3);
const base = {
  messageId: encodeBase64url(id),
  conversationId: "c",
  direction: "in" as const,
  senderAccountId: "a",
  senderName: "Anna Admin",
  sentAt: 1_700_000_000_000,
  storedAt: 1_700_000_000_000,
  status: "received" as const,
  deleted: false,
};

it('marks an edited text "bearbeitet" / "edited", and gives its time with --json', () => {
  const record: MessageRecord = {
    ...base,
    kind: "content",
    body: encodeContent({
      version: CONTENT_VERSION,
      messageId: id,
      sentAtMs: 1_700_000_000_000n,
      editedAtMs: 1_700_000_060_000n,
      body: { case: "text", value: { text: "Treffen um 11" } },
    }),
  };
  const de = capture("de");
  printMessage(de.printer, record);
  assert.match(de.lines[0]!, /Anna Admin: Treffen um 11 \(bearbeitet\)$/);
  assert.equal(de.objects[0]!.editedAt, new Date(1_700_000_060_000).toISOString());
  const en = capture("en");
  printMessage(en.printer, record);
  assert.match(en.lines[0]!, /\(edited\)$/);
  const plain = capture("de");
  printMessage(plain.printer, {
    ...record,
    body: encodeContent({
      version: CONTENT_VERSION,
      messageId: id,
      sentAtMs: 1n,
      body: { case: "text", value: { text: "Hallo" } },
    }),
  });
  assert.doesNotMatch(plain.lines[0]!, /bearbeitet/);
});

it("says who added this device to a group", () => {
  const event = (e: object): MessageRecord => ({
    ...base,
    kind: "event",
    body: new TextEncoder().encode(JSON.stringify(e)),
  });
  const de = capture("de");
  printMessage(de.printer, event({ type: "joined", by: "Anna Admin" }));
  printMessage(de.printer, event({ type: "joined" }));
  assert.match(de.lines[0]!, /Anna Admin hat Sie hinzugefügt\.$/);
  assert.match(de.lines[1]!, /Sie wurden hinzugefügt\.$/);
  const en = capture("en");
  printMessage(en.printer, event({ type: "joined", by: "Anna Admin" }));
  assert.match(en.lines[0]!, /Anna Admin added you\.$/);
});

it("shows a timer change as a line of its own and a deleted message without its body", () => {
  const timer = (seconds: number, direction: "in" | "out"): MessageRecord => ({
    ...base,
    direction,
    kind: "content",
    body: encodeContent({
      version: CONTENT_VERSION,
      messageId: id,
      sentAtMs: 1n,
      body: { case: "disappearingTimer", value: { seconds } },
    }),
  });
  const de = capture("de");
  printMessage(de.printer, timer(86_400, "in"));
  printMessage(de.printer, timer(2_419_200, "out"));
  printMessage(de.printer, timer(0, "in"));
  assert.match(de.lines[0]!, /Anna Admin hat verschwindende Nachrichten auf 1 Tag gestellt\.$/);
  assert.match(de.lines[1]!, /Sie haben verschwindende Nachrichten auf 4 Wochen gestellt\.$/);
  assert.match(de.lines[2]!, /Anna Admin hat verschwindende Nachrichten ausgeschaltet\.$/);
  assert.equal(de.objects[0]!.disappearingSeconds, 86_400);
  const en = capture("en");
  printMessage(en.printer, timer(3_600, "in"));
  assert.match(en.lines[0]!, /Anna Admin set disappearing messages to 1 hour\.$/);
  // Deleted for everyone: the store keeps no body, and the line says so.
  const gone = capture("de");
  printMessage(gone.printer, { ...base, kind: "content", body: new Uint8Array(0), deleted: true });
  assert.match(gone.lines[0]!, /Anna Admin: ⊘$/);
  assert.equal(gone.objects[0]!.deleted, true);
});
