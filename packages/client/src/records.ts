import type { MessageRecord, MessageStatus } from "@bote/core";
import { decodeContent, encodeContent, type Content, type ContentBody } from "@bote/protocol";
import type { ClientContext } from "./context.js";
import { b64, randomId } from "./ids.js";

const utf8Encoder = new TextEncoder();

/**
 * A line in a chat that is not a message: who joined, left, renamed. Stored
 * as data (not as a sentence) so each UI words it in its own language.
 */
export type ConversationEvent =
  | { type: "created" }
  /** This device was added; `by` names who added it, unless that was the same person (another own device). */
  | { type: "joined"; by?: string }
  | { type: "members_added"; by: string; members: string[] }
  | { type: "members_removed"; by: string; members: string[] }
  /** A person's own device added another device of theirs: the same person, a new device — a calm notice. */
  | { type: "device_added"; by: string }
  | { type: "renamed"; by: string; name: string }
  | { type: "removed"; by: string }
  | { type: "left" }
  | { type: "undecryptable" }
  | { type: "untrusted_sender" }
  | { type: "unsupported_content" }
  /**
   * Not stored as an event: how a UI words a DisappearingTimer content (see
   * timerEvent). `by` is absent when this person set it.
   */
  | { type: "disappearing"; by?: string; seconds: number };

export function eventMessage(ctx: ClientContext, conversationId: string, event: ConversationEvent): MessageRecord {
  const profile = ctx.profile();
  return {
    messageId: b64(randomId()),
    conversationId,
    direction: "in",
    senderAccountId: profile.accountId,
    senderName: "",
    sentAt: ctx.now(),
    storedAt: ctx.now(),
    kind: "event",
    body: utf8Encoder.encode(JSON.stringify(event)),
    status: "received",
    deleted: false,
  };
}

/**
 * Texts, files and a customer's inquiry are lines of a chat (counted unread,
 * receipted); reactions, edits, receipts and staff updates are not.
 */
export function isChatLine(body: ContentBody): boolean {
  return body.case === "text" || body.case === "attachment" || body.case === "inquiry";
}

/**
 * Chat lines, reactions, inquiry updates and timer changes are stored as
 * messages; edits, deletes and receipts change stored ones instead.
 */
export function isStored(body: ContentBody): boolean {
  return (
    isChatLine(body) || body.case === "reaction" || body.case === "inquiryUpdate" || body.case === "disappearingTimer"
  );
}

/** A stored timer change as the line a chat shows, or undefined for any other message. */
export function timerEvent(message: MessageRecord): ConversationEvent | undefined {
  const body = readContent(message)?.body;
  if (body?.case !== "disappearingTimer") return undefined;
  const seconds = body.value.seconds;
  return message.direction === "out"
    ? { type: "disappearing", seconds }
    : { type: "disappearing", by: message.senderName, seconds };
}

/**
 * Whether a timer change (sentAt, messageId) beats the latest one stored in
 * the chat: the latest by the sender's clock wins, ties by message id, so
 * every member that saw both settles on the same timer.
 */
export async function winsTimer(
  ctx: ClientContext,
  conversationId: string,
  sentAt: number,
  messageId: string,
): Promise<boolean> {
  for (const m of await ctx.store.listMessages(conversationId)) {
    if (m.messageId === messageId || readContent(m)?.body.case !== "disappearingTimer") continue;
    if (m.sentAt > sentAt || (m.sentAt === sentAt && m.messageId > messageId)) return false;
  }
  return true;
}

/** The content of a stored message, or undefined for an event or a body that no longer parses. */
export function readContent(message: MessageRecord): (Content & { body: ContentBody }) | undefined {
  if (message.kind !== "content") return undefined;
  try {
    return decodeContent(message.body);
  } catch {
    return undefined;
  }
}

/**
 * A message deleted for everyone: the record stays, so the chat shows where
 * it was, but its body (text, caption, thumbnail, the file's key) is gone
 * from the store, not just hidden.
 */
export function deletedRecord(target: MessageRecord): MessageRecord {
  return { ...target, body: new Uint8Array(0), deleted: true };
}

/**
 * An edit replaces the text (or the caption of a file) and keeps everything
 * else of the content; the stored copy notes when (editedAtMs), so the chat
 * can say "edited".
 */
export function editedBody(target: MessageRecord, text: string, editedAtMs: number): Uint8Array {
  const content = readContent(target);
  if (content === undefined) return target.body;
  if (content.body.case === "text") content.body.value.text = text;
  else if (content.body.case === "attachment") content.body.value.caption = text;
  else return target.body;
  content.editedAtMs = BigInt(Math.max(0, Math.min(Math.trunc(editedAtMs), Number.MAX_SAFE_INTEGER)));
  return encodeContent(content);
}

const ranks: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, received: 0, failed: 0 };

/** Receipts only move a message's status forward. */
export function statusRank(status: MessageStatus): number {
  return ranks[status];
}
