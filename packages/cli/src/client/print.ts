/** How client commands print: sentences for people, one JSON object per line with --json. */
import type { ConversationEvent } from "@bote/client";
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { Attachment_Kind, decodeContent } from "@bote/protocol";
import type { Language } from "../messages.js";
import { clientMessages, formatSize, type ClientMessages } from "./clientMessages.js";

export interface Printer {
  readonly json: boolean;
  readonly language: Language;
  /** A line for people, or (with --json) the object. */
  out(human: string, machine: Record<string, unknown>): void;
}

export function createPrinter(json: boolean, language: Language): Printer {
  return {
    json,
    language,
    out(human, machine) {
      process.stdout.write(`${json ? JSON.stringify(machine) : human}\n`);
    },
  };
}

const utf8Decoder = new TextDecoder();

/** What a stored message holds, in plain data (for printing and --json). */
export function describeMessage(message: MessageRecord): Record<string, unknown> {
  const base = {
    type: "message",
    conversationId: message.conversationId,
    messageId: message.messageId,
    direction: message.direction,
    from: message.senderName,
    fromAccountId: message.senderAccountId,
    sentAt: new Date(message.sentAt).toISOString(),
    status: message.status,
    deleted: message.deleted,
  };
  if (message.kind === "event") {
    return { ...base, event: JSON.parse(utf8Decoder.decode(message.body)) as ConversationEvent };
  }
  // Deleted for everyone: the body is gone from the store, there is nothing more to show.
  if (message.deleted) return base;
  const content = decodeContent(message.body);
  const edited = {
    ...(content.editedAtMs === undefined ? {} : { editedAt: new Date(Number(content.editedAtMs)).toISOString() }),
    ...(content.expireAfterS === undefined ? {} : { disappearsAfterSeconds: content.expireAfterS }),
  };
  switch (content.body.case) {
    case "text":
      return { ...base, ...edited, text: content.body.value.text };
    case "attachment": {
      const a = content.body.value;
      return {
        ...base,
        ...edited,
        attachment: {
          kind: a.kind === Attachment_Kind.VOICE ? "voice" : "file",
          fileName: a.fileName,
          mediaType: a.mediaType,
          size: Number(a.size),
          caption: a.caption,
          ...(a.durationMs === undefined ? {} : { durationMs: a.durationMs }),
        },
      };
    }
    case "reaction":
      return { ...base, reaction: content.body.value.emoji };
    case "inquiry": {
      const q = content.body.value;
      return {
        ...base,
        text: q.text,
        inquiry: {
          contactName: q.contactName,
          contactPhone: q.contactPhone,
          contactEmail: q.contactEmail,
          contactAddress: q.contactAddress,
          files: q.attachments.map((a) => ({ fileName: a.fileName, mediaType: a.mediaType, size: Number(a.size) })),
        },
      };
    }
    case "disappearingTimer":
      return { ...base, disappearingSeconds: content.body.value.seconds };
    case "inquiryUpdate":
      // Staff-only status, assignment and notes: read through the inbox, not as chat lines.
      return { ...base, other: content.body.case };
    case "edit":
    case "delete":
    case "receipt":
    case "organisationKey":
      // Applied to their targets when they arrive; never stored as messages of their own.
      return { ...base, other: content.body.case };
  }
}

export function printMessage(printer: Printer, message: MessageRecord, chat?: ConversationRecord): void {
  const t = clientMessages(printer.language);
  const data = describeMessage(message);
  if (chat !== undefined) data.chat = chat.name;
  const time = formatTime(message.sentAt, printer.language);
  const where = chat === undefined ? "" : `${chat.name} · `;
  let line: string;
  if (data.event !== undefined) line = `[${where}${time}] ${t.event(data.event as ConversationEvent)}`;
  else if (typeof data.disappearingSeconds === "number") {
    const who = message.direction === "out" ? t.you : message.senderName;
    line = `[${where}${time}] ${t.disappearingSet(who, message.direction === "out", data.disappearingSeconds)}`;
  } else {
    const attachment = data.attachment as
      { kind: string; fileName: string; size: number; caption: string; durationMs?: number } | undefined;
    const body =
      typeof data.text === "string"
        ? data.text
        : attachment !== undefined
          ? [attachmentLine(t, attachment, printer.language), attachment.caption, `[${message.messageId}]`]
              .filter((part) => part !== "")
              .join(" ")
          : typeof data.reaction === "string"
            ? data.reaction
            : "…";
    const who = message.direction === "out" ? t.you : message.senderName;
    const mark = data.editedAt === undefined || message.deleted ? "" : ` (${t.edited})`;
    line = `[${where}${time}] ${who}: ${message.deleted ? "⊘" : body}${mark}`;
  }
  printer.out(line, data);
}

/** A moment as a chat list shows it, in the user's language: 03.12.26, 16:45 / 03/12/2026, 16:45. */
export function formatTime(ms: number, language: Language): string {
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "de-DE", {
    dateStyle: "short",
    timeStyle: "short",
  }).format(new Date(ms));
}

function attachmentLine(
  t: ClientMessages,
  a: { kind: string; fileName: string; size: number; durationMs?: number },
  language: Language,
): string {
  if (a.kind === "voice") return t.voiceLine(a.durationMs === undefined ? undefined : formatDuration(a.durationMs));
  return t.attachmentLine(a.fileName || "—", formatSize(a.size, language));
}

/** A voice message's length as a player shows it: 0:03, 12:40, 1:02:03. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
