/** How the team inbox prints an inquiry: one line in the list, the whole of it with `inbox show`. */
import type { InquiryNote, InquiryStatus, InquirySummary } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { clientMessages, formatSize } from "./clientMessages.js";
import { describeMessage, formatTime, printMessage, type Printer } from "./print.js";

/** The status as the command line spells it (`bote inbox status … in-progress`). */
export const STATUS_ARGUMENT = {
  new: "new",
  in_progress: "in-progress",
  quote_sent: "quote-sent",
  done: "done",
} as const satisfies Record<InquiryStatus, string>;

export type StatusArgument = (typeof STATUS_ARGUMENT)[InquiryStatus];

export function statusOf(argument: StatusArgument): InquiryStatus {
  return (Object.keys(STATUS_ARGUMENT) as InquiryStatus[]).find((s) => STATUS_ARGUMENT[s] === argument)!;
}

/** The short id `bote inbox` prints and every inbox command accepts (see resolveInquiry). */
export const shortId = (conversationId: string) => conversationId.slice(0, 8);

const firstLine = (text: string) => text.split("\n", 1)[0]!.trim();

/** An inquiry in plain data (for --json); `names` maps account ids to names. */
export function describeInquiry(inquiry: InquirySummary, names: ReadonlyMap<string, string>): Record<string, unknown> {
  return {
    type: "inquiry",
    id: shortId(inquiry.conversationId),
    conversationId: inquiry.conversationId,
    contactPoint: inquiry.contactPointName,
    contactPointId: inquiry.contactPointId,
    status: STATUS_ARGUMENT[inquiry.status],
    assignee: inquiry.assignee ?? null,
    assigneeName: inquiry.assignee === undefined ? null : (names.get(inquiry.assignee) ?? inquiry.assignee),
    customerName: inquiry.customerName,
    contact: inquiry.contact,
    text: inquiry.text,
    files: inquiry.files,
    receivedAt: new Date(inquiry.receivedAt).toISOString(),
    unread: inquiry.unread,
    archived: inquiry.archived,
  };
}

function assigneeName(printer: Printer, inquiry: InquirySummary, names: ReadonlyMap<string, string>): string {
  if (inquiry.assignee === undefined) return clientMessages(printer.language).nobody;
  return names.get(inquiry.assignee) ?? inquiry.assignee;
}

export function printInboxLine(printer: Printer, inquiry: InquirySummary, names: ReadonlyMap<string, string>): void {
  const t = clientMessages(printer.language);
  printer.out(
    t.inboxLine(
      shortId(inquiry.conversationId),
      inquiry.contactPointName,
      t.inquiryStatus[STATUS_ARGUMENT[inquiry.status]],
      assigneeName(printer, inquiry, names),
      inquiry.customerName,
      firstLine(inquiry.text),
      formatTime(inquiry.receivedAt, printer.language),
      inquiry.files,
    ),
    describeInquiry(inquiry, names),
  );
}

/**
 * `inbox show`: the inquiry, the customer's contact data and files, the conversation with the
 * customer, and apart from it, marked as such, the team's internal notes.
 */
export function printInquiry(
  printer: Printer,
  inquiry: InquirySummary,
  names: ReadonlyMap<string, string>,
  messages: readonly MessageRecord[],
  notes: readonly InquiryNote[],
): void {
  const t = clientMessages(printer.language);
  const carrier = messages.find((m) => m.messageId === inquiry.messageId);
  const described = carrier === undefined ? undefined : describeMessage(carrier);
  const files = ((described?.inquiry as { files?: unknown } | undefined)?.files ?? []) as {
    fileName: string;
    mediaType: string;
    size: number;
  }[];
  const contact = (["name", "phone", "email", "address"] as const).flatMap((field) => {
    const value = inquiry.contact[field];
    return value === undefined ? [] : [`${t.contactField[field]}: ${value}`];
  });
  const human = [
    t.inquiryFrom(inquiry.customerName, formatTime(inquiry.receivedAt, printer.language)),
    t.inquiryState(
      inquiry.contactPointName,
      t.inquiryStatus[STATUS_ARGUMENT[inquiry.status]],
      assigneeName(printer, inquiry, names),
      inquiry.archived,
    ),
    "",
    inquiry.text,
    "",
    ...contact,
    ...(files.length === 0
      ? []
      : [t.filesHeading, ...files.map((f, i) => t.fileLine(i, f.fileName, formatSize(f.size, printer.language)))]),
  ];
  printer.out(human.join("\n"), {
    ...describeInquiry(inquiry, names),
    messageId: inquiry.messageId,
    attachments: files,
  });
  if (!printer.json) printer.out(`\n${t.conversationHeading}`, {});
  for (const message of messages) {
    if (message.kind === "content" && message.messageId !== inquiry.messageId) printMessage(printer, message);
  }
  if (!printer.json) printer.out(`\n${t.notesHeading}`, {});
  if (notes.length === 0 && !printer.json) printer.out(t.noNotes, {});
  for (const note of notes) {
    printer.out(t.noteLine(formatTime(note.sentAt, printer.language), note.authorName, note.text), {
      type: "note",
      internal: true,
      conversationId: inquiry.conversationId,
      messageId: note.messageId,
      author: note.authorName,
      authorAccountId: note.authorAccountId,
      text: note.text,
      sentAt: new Date(note.sentAt).toISOString(),
    });
  }
}
