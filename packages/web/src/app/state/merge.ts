/**
 * The signals follow the SDK's events: each event carries the record as it
 * was just stored, and is merged here by its id instead of reloading the
 * chat or the chat list. Pure, so the rules are tested without a browser.
 */
import type { ConversationRecord, MessageRecord } from "@bote/core";

/**
 * The records of a chat, oldest first by `storedAt`, with `record` put in:
 * replacing the one of the same id where it was (an upsert keeps its place,
 * as the store does), else inserted after every record stored no later.
 */
export function mergeMessage(records: readonly MessageRecord[], record: MessageRecord): readonly MessageRecord[] {
  const at = records.findIndex((m) => m.messageId === record.messageId);
  if (at !== -1) return records.with(at, record);
  let insertAt = records.length;
  while (insertAt > 0 && records[insertAt - 1]!.storedAt > record.storedAt) insertAt--;
  return insertAt === records.length ? [...records, record] : records.toSpliced(insertAt, 0, record);
}

/** The chat list with `record` put in, most recent activity first (ties by id, as the store lists them). */
export function mergeConversation(
  list: readonly ConversationRecord[],
  record: ConversationRecord,
): readonly ConversationRecord[] {
  return [...list.filter((c) => c.conversationId !== record.conversationId), record].sort(
    (a, b) => b.lastActivityAt - a.lastActivityAt || (a.conversationId < b.conversationId ? -1 : 1),
  );
}

/** Whether `record`, a line worth a preview, replaces `known` as a chat's last line. */
export function isNewerLastLine(known: MessageRecord | undefined, record: MessageRecord): boolean {
  return known === undefined || known.messageId === record.messageId || record.storedAt >= known.storedAt;
}
