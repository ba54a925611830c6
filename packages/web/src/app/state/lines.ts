/**
 * What a chat shows, computed from the stored records: texts, files and
 * photos with their reactions and replies, photo albums, and event lines.
 * Pure functions of the records, so a reload shows exactly the same chat.
 */
import { reactionsOf, readContent, timerEvent } from "./loadedSdk.js";
import type { ConversationEvent, CurrentReaction } from "@bote/client";
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { encodeBase64url, type Attachment } from "@bote/protocol/light";

interface LineBase {
  readonly record: MessageRecord;
  readonly reactions: readonly CurrentReaction[];
}

export type Line =
  | { readonly kind: "event"; readonly record: MessageRecord; readonly event: ConversationEvent }
  | (LineBase & {
      readonly kind: "text";
      readonly text: string;
      readonly replyTo: string | undefined;
      readonly edited: boolean;
    })
  | (LineBase & { readonly kind: "file"; readonly attachment: Attachment; readonly edited: boolean })
  | (LineBase & { readonly kind: "deleted" })
  | (LineBase & { readonly kind: "unreadable" });

/** Consecutive photos of one sender, sent within a minute and without a caption between them, show as one album. */
export type Block =
  { readonly kind: "line"; readonly line: Line } | { readonly kind: "album"; readonly lines: FileLine[] };
export type FileLine = Extract<Line, { kind: "file" }>;

const ALBUM_GAP_MS = 60_000;
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);

export function isPhotoAttachment(attachment: Attachment): boolean {
  return PHOTO_TYPES.has(attachment.mediaType);
}

/**
 * Each record's content, decoded once: records are immutable and a changed
 * one arrives as a new object, so a chat redrawn for a new message decodes
 * that message only, not the whole chat again.
 */
const decoded = new WeakMap<MessageRecord, ReturnType<typeof readContent>>();

function contentOf(record: MessageRecord): ReturnType<typeof readContent> {
  if (!decoded.has(record)) decoded.set(record, readContent(record));
  return decoded.get(record);
}

export function isReaction(record: MessageRecord): boolean {
  return contentOf(record)?.body.case === "reaction";
}

export function toLines(records: readonly MessageRecord[]): Line[] {
  const reactions = reactionsOf(records.filter(isReaction));
  const lines: Line[] = [];
  for (const record of records) {
    const base = { record, reactions: reactions.get(record.messageId) ?? [] };
    if (record.kind === "event") {
      lines.push({ kind: "event", record, event: readEvent(record) });
      continue;
    }
    if (record.deleted) {
      lines.push({ ...base, kind: "deleted" });
      continue;
    }
    const content = contentOf(record);
    if (content === undefined) {
      lines.push({ ...base, kind: "unreadable" });
      continue;
    }
    const { body } = content;
    const timer = timerEvent(record);
    if (timer !== undefined) {
      lines.push({ kind: "event", record, event: timer });
      continue;
    }
    // The SDK notes in its stored copy when it applied an edit.
    const edited = content.editedAtMs !== undefined;
    if (body.case === "text") {
      const replyTo = body.value.replyTo === undefined ? undefined : encodeBase64url(body.value.replyTo);
      lines.push({ ...base, kind: "text", text: body.value.text, replyTo, edited });
    } else if (body.case === "attachment") {
      lines.push({ ...base, kind: "file", attachment: body.value, edited });
    }
    // Reactions, edits, deletes and receipts are already folded into other records.
  }
  return lines;
}

/**
 * Whether a line is worth showing in a chat of this kind. Being added to a
 * 1:1 chat says nothing (both were in it from its first line), so there it
 * is not shown.
 */
export function isShown(line: Line, kind: ConversationRecord["kind"]): boolean {
  return !(kind === "direct" && line.kind === "event" && line.event.type === "joined");
}

function readEvent(record: MessageRecord): ConversationEvent {
  try {
    return JSON.parse(new TextDecoder().decode(record.body)) as ConversationEvent;
  } catch {
    return { type: "unsupported_content" };
  }
}

export function toBlocks(lines: readonly Line[]): Block[] {
  const blocks: Block[] = [];
  for (const line of lines) {
    const previous = blocks.at(-1);
    if (line.kind === "file" && isPhotoAttachment(line.attachment) && previous !== undefined) {
      const last = previous.kind === "album" ? previous.lines.at(-1) : previous.line;
      if (
        last !== undefined &&
        last.kind === "file" &&
        isPhotoAttachment(last.attachment) &&
        last.attachment.caption === "" &&
        last.record.senderAccountId === line.record.senderAccountId &&
        line.record.sentAt - last.record.sentAt < ALBUM_GAP_MS
      ) {
        if (previous.kind === "album") previous.lines.push(line);
        else blocks[blocks.length - 1] = { kind: "album", lines: [last, line] };
        continue;
      }
    }
    blocks.push({ kind: "line", line });
  }
  return blocks;
}

/** A short text for the chat list and for reply quotes. */
export function previewOf(line: Line | undefined): {
  key: "text" | "photo" | "file" | "deleted" | "event";
  text: string;
} {
  if (line === undefined) return { key: "event", text: "" };
  switch (line.kind) {
    case "text":
      return { key: "text", text: line.text };
    case "file":
      return {
        key: isPhotoAttachment(line.attachment) ? "photo" : "file",
        text: line.attachment.caption || line.attachment.fileName,
      };
    case "deleted":
      return { key: "deleted", text: "" };
    case "event":
    case "unreadable":
      return { key: "event", text: "" };
  }
}
