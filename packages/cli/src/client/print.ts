/** How client commands print: sentences for people, one JSON object per line with --json. */
import type { ConversationEvent } from "@bote/client";
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import type { Language } from "../messages.js";
import { clientMessages, formatSize } from "./clientMessages.js";

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
  const content = decodeContent(message.body);
  switch (content.body.case) {
    case "text":
      return { ...base, text: content.body.value.text };
    case "attachment": {
      const a = content.body.value;
      return {
        ...base,
        attachment: { fileName: a.fileName, mediaType: a.mediaType, size: Number(a.size), caption: a.caption },
      };
    }
    case "reaction":
      return { ...base, reaction: content.body.value.emoji };
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
  const time = new Intl.DateTimeFormat(printer.language === "en" ? "en-GB" : "de-DE", {
    dateStyle: "short",
    timeStyle: "short",
  }).format(new Date(message.sentAt));
  const where = chat === undefined ? "" : `${chat.name} · `;
  let line: string;
  if (data.event !== undefined) line = `[${where}${time}] ${t.event(data.event as ConversationEvent)}`;
  else {
    const attachment = data.attachment as { fileName: string; size: number; caption: string } | undefined;
    const body =
      typeof data.text === "string"
        ? data.text
        : attachment !== undefined
          ? `${t.attachmentLine(attachment.fileName || "—", formatSize(attachment.size, printer.language))} ${attachment.caption} [${message.messageId}]`.trim()
          : typeof data.reaction === "string"
            ? data.reaction
            : "…";
    const who = message.direction === "out" ? t.you : message.senderName;
    line = `[${where}${time}] ${who}: ${message.deleted ? "⊘" : body}`;
  }
  printer.out(line, data);
}
