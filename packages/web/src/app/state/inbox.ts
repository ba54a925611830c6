/**
 * The team inbox: inquiries customers sent to the organisation's contact
 * points, with what staff agreed among themselves (status, who handles it,
 * internal notes). Everything comes from the SDK's inbox, which merges the
 * staff-only groups; the screens read these signals and call these actions.
 */
import { signal } from "@preact/signals";
import type { MessageRecord } from "@bote/core";
import { readContent } from "./loadedSdk.js";
import type { BoteClient, InquiryNote, InquiryStatus, InquirySummary } from "@bote/client";
import { encodeBase64url, type Attachment, type ContactPoint } from "@bote/protocol/light";
import { formatDateTime, t } from "../i18n/i18n.js";
import type { ExportedPhoto, InquiryExport } from "../inbox/exportInquiry.js";
import { isBusy, runAction } from "./actions.js";
import { latestOnly } from "./latestOnly.js";
import { contacts, conversations, requireClient, showToast } from "./session.js";

export const inquiries = signal<readonly InquirySummary[] | undefined>(undefined);

export interface InquiryLine {
  readonly messageId: string;
  readonly fromCustomer: boolean;
  readonly senderName: string;
  readonly sentAt: number;
  readonly text: string;
  readonly attachments: readonly Attachment[];
}

export interface InquiryDetail {
  readonly summary: InquirySummary;
  /** The inquiry itself first, then the conversation with the customer. */
  readonly lines: readonly InquiryLine[];
  readonly notes: readonly InquiryNote[];
}

export const openInquiry = signal<InquiryDetail | undefined>(undefined);

export const STATUSES: readonly InquiryStatus[] = ["new", "in_progress", "quote_sent", "done"];

const newestInbox = latestOnly();
const newestDetail = latestOnly();

export async function refreshInbox(): Promise<void> {
  const client = requireClient();
  const loaded = await newestInbox(() => client.inbox());
  if (loaded !== undefined) inquiries.value = loaded;
}

function lineOf(record: MessageRecord, customerAccountIds: ReadonlySet<string>): InquiryLine | undefined {
  if (record.kind !== "content" || record.deleted) return undefined;
  const body = readContent(record)?.body;
  const base = {
    messageId: record.messageId,
    fromCustomer: customerAccountIds.has(record.senderAccountId),
    senderName: record.senderName,
    sentAt: record.sentAt,
  };
  if (body?.case === "inquiry") return { ...base, text: body.value.text, attachments: body.value.attachments };
  if (body?.case === "text") return { ...base, text: body.value.text, attachments: [] };
  if (body?.case === "attachment") return { ...base, text: body.value.caption, attachments: [body.value] };
  // Reactions, receipts, edits: they change lines, they are none.
  return undefined;
}

export async function loadInquiry(conversationId: string): Promise<void> {
  const client = requireClient();
  const loaded = await newestDetail(async () => {
    const summary = await client.inquiry(conversationId);
    const messages = await client.listMessages(conversationId);
    const inquiryMessage = messages.find((m) => m.messageId === summary.messageId);
    // The customer is whoever sent the inquiry; staff are everyone else.
    const customers = new Set(inquiryMessage === undefined ? [] : [inquiryMessage.senderAccountId]);
    const lines = messages.flatMap((m) => lineOf(m, customers) ?? []);
    return { summary, lines, notes: await client.inquiryNotes(conversationId) };
  });
  if (loaded !== undefined) openInquiry.value = loaded;
}

/** After any message in an inquiry or a staff group, the inbox and the open inquiry follow. */
export function watchInbox(client: BoteClient): void {
  const follow = (conversationId: string) => {
    const kind = conversations.value.find((c) => c.conversationId === conversationId)?.kind;
    if (kind !== undefined && kind !== "inquiry" && kind !== "inquiry_staff") return;
    void refreshInbox().catch(() => undefined);
    const open = openInquiry.value;
    if (open !== undefined) void loadInquiry(open.summary.conversationId).catch(() => undefined);
  };
  client.on("message", (m) => follow(m.conversationId));
  client.on("conversation", (c) => follow(c.conversationId));
  client.on("conversationDeleted", ({ conversationId }) => {
    inquiries.value = inquiries.value?.filter((i) => i.conversationId !== conversationId);
    if (openInquiry.value?.summary.conversationId !== conversationId) return;
    openInquiry.value = undefined;
    // Erased by a colleague (or past its retention) while open here: back to the inbox, saying why.
    if (erasingHere !== conversationId) {
      showToast(t("inbox.deleted"));
      location.hash = "#/inbox";
    }
  });
  client.on("organisation", () => (staffOf.value = contactPointsOf(client)));
  staffOf.value = contactPointsOf(client);
  void refreshInbox().catch((err: unknown) => console.warn("bote: inbox", err));
}

/** The contact points whose staff this account is (from the organisation's log). */
export const staffOf = signal<readonly ContactPoint[]>([]);

function contactPointsOf(client: BoteClient): ContactPoint[] {
  const self = client.profile.accountId;
  return [...client.organisation.contactPoints.values()].filter((c) =>
    c.staff.some((id) => encodeBase64url(id) === self),
  );
}

/** New inquiries, for the chat list's entry to the inbox. */
export function newInquiries(): number {
  return (inquiries.value ?? []).filter((i) => i.status === "new").length;
}

async function changed(conversationId: string): Promise<void> {
  await Promise.all([refreshInbox(), loadInquiry(conversationId)]);
}

export function setStatus(conversationId: string, status: InquiryStatus): Promise<void | undefined> {
  return runAction("inbox", async () => {
    await requireClient().setInquiryStatus(conversationId, status);
    await changed(conversationId);
  });
}

/** The inquiry this device is erasing: its own deletion event is no news here. */
let erasingHere: string | undefined;

/**
 * An admin erases the customer's data on their request (Art. 17 GDPR): the
 * guest account on the server, the inquiry on every staff device and here.
 */
export async function eraseInquiry(conversationId: string, customer: string): Promise<boolean> {
  erasingHere = conversationId;
  try {
    const done = await runAction("inbox", async () => {
      await requireClient().eraseInquiry(conversationId);
      return true;
    });
    if (done !== true) return false;
    showToast(t("inbox.erased", { name: customer }));
    location.hash = "#/inbox";
    return true;
  } finally {
    erasingHere = undefined;
  }
}

/** Kept past the contact point's retention for the business archive, or not. */
export function setArchived(conversationId: string, archived: boolean): Promise<void | undefined> {
  return runAction("inbox", async () => {
    await requireClient().archiveInquiry(conversationId, archived);
    await changed(conversationId);
  });
}

/** The retention days of an inquiry's contact point; undefined if this device has not seen its statement. */
export function retentionDaysOf(contactPointId: string): number | undefined {
  return requireClient().organisation.contactPoints.get(contactPointId)?.retentionDays;
}

/** null: nobody handles it any more. */
export function assign(conversationId: string, accountId: string | null): Promise<void | undefined> {
  return runAction("inbox", async () => {
    await requireClient().assignInquiry(conversationId, accountId);
    await changed(conversationId);
  });
}

export function assignToMe(conversationId: string): Promise<void | undefined> {
  return assign(conversationId, requireClient().profile.accountId);
}

export async function addNote(conversationId: string, text: string): Promise<boolean> {
  const done = await runAction("inbox", async () => {
    await requireClient().addInquiryNote(conversationId, text);
    await changed(conversationId);
    return true;
  });
  return done === true;
}

export async function replyToCustomer(conversationId: string, text: string): Promise<boolean> {
  const done = await runAction("inbox", async () => {
    await requireClient().sendText(conversationId, text);
    await loadInquiry(conversationId);
    return true;
  });
  return done === true;
}

export function inboxBusy(): boolean {
  return isBusy("inbox");
}

export function statusText(status: InquiryStatus): string {
  return t(`inbox.status.${status}`);
}

/** A colleague's name from the directory this device knows; the account id's start if none. */
export function colleagueName(accountId: string | undefined): string | undefined {
  if (accountId === undefined) return undefined;
  return contacts.value.get(accountId)?.displayName ?? `${accountId.slice(0, 6)}…`;
}

async function fileBytes(messageId: string, index: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  await requireClient().download(
    messageId,
    async (file) => {
      for await (const part of file) parts.push(part);
    },
    index,
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function exportOf(detail: InquiryDetail): Promise<InquiryExport> {
  const s = detail.summary;
  const inquiryLine = detail.lines.find((l) => l.messageId === s.messageId);
  const photos: ExportedPhoto[] = [];
  const documents: { fileName: string; bytes: Uint8Array }[] = [];
  for (const [index, a] of (inquiryLine?.attachments ?? []).entries()) {
    const bytes = await fileBytes(s.messageId ?? "", index);
    if (a.mediaType === "image/jpeg" && a.width !== undefined && a.height !== undefined) {
      photos.push({ fileName: a.fileName, bytes, width: a.width, height: a.height });
    } else {
      documents.push({ fileName: a.fileName, bytes });
    }
  }
  const contact = (["name", "phone", "email", "address"] as const).flatMap((field) => {
    const value = s.contact[field];
    return value === undefined ? [] : [{ label: t(`customer.${field}`), value }];
  });
  return {
    title: t("inbox.exportTitle", { name: s.customerName, date: formatDateTime(s.receivedAt) }),
    contactPointName: s.contactPointName,
    receivedAtMs: s.receivedAt,
    status: statusText(s.status),
    ...(s.assignee === undefined ? {} : { assignee: colleagueName(s.assignee) ?? "" }),
    contact,
    text: s.text,
    photos,
    documents,
    conversation: detail.lines
      .filter((l) => l.messageId !== s.messageId && l.text !== "")
      .map((l) => ({ sender: l.senderName, sentAtMs: l.sentAt, text: l.text })),
    labels: {
      received: t("inbox.received"),
      status: t("inbox.statusLabel"),
      assignee: t("inbox.assignee"),
      request: t("customer.requestLabel"),
      photos: t("inbox.photos"),
      conversation: t("inbox.conversation"),
    },
    formatDateTime,
  };
}

const fileUrls = new Map<string, Promise<string>>();

/** One of a message's files, decrypted, as a `blob:` URL; once per tab. */
export function inquiryFileUrl(messageId: string, index: number, mediaType: string): Promise<string> {
  const key = `${messageId}:${index}`;
  let url = fileUrls.get(key);
  if (url === undefined) {
    url = fileBytes(messageId, index).then((bytes) =>
      URL.createObjectURL(
        new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mediaType || "application/octet-stream" }),
      ),
    );
    url.catch(() => fileUrls.delete(key));
    fileUrls.set(key, url);
  }
  return url;
}

export function openInquiryFile(messageId: string, index: number, mediaType: string): Promise<void | undefined> {
  return runAction("download", async () => {
    window.open(await inquiryFileUrl(messageId, index, mediaType), "_blank", "noopener");
  });
}

function offer(bytes: Uint8Array, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function exportName(detail: InquiryDetail, extension: string): string {
  const day = new Date(detail.summary.receivedAt).toISOString().slice(0, 10);
  const who = detail.summary.customerName.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "anfrage";
  return `anfrage-${day}-${who}.${extension}`;
}

/** jsPDF and fflate load with the first export: the inbox itself needs neither. */
function loadExport(): Promise<typeof import("../inbox/exportInquiry.js")> {
  return import("../inbox/exportInquiry.js");
}

export function exportPdf(detail: InquiryDetail): Promise<void | undefined> {
  return runAction("inbox", async () => {
    const { inquiryPdf } = await loadExport();
    offer(inquiryPdf(await exportOf(detail)), "application/pdf", exportName(detail, "pdf"));
  });
}

export function exportZip(detail: InquiryDetail): Promise<void | undefined> {
  return runAction("inbox", async () => {
    const { inquiryPdf, inquiryZip } = await loadExport();
    const e = await exportOf(detail);
    offer(inquiryZip(e, inquiryPdf(e), exportName(detail, "pdf")), "application/zip", exportName(detail, "zip"));
    showToast(t("inbox.exported"));
  });
}
