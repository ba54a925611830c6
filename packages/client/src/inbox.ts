// The staff's side of contact points (docs/PROTOCOL.md §18): the team inbox
// and what staff say among themselves about an inquiry. Status, assignment
// and notes travel as InquiryUpdate contents in a group of staff only, one
// per inquiry, made by the first staff member who acts. Two made at once
// are one thread: updates are read from every staff group and merged by the
// inquiry's group id, and new ones go to the group with the smallest id, so
// both makers end up writing to the same one.
import { create } from "@bufbuild/protobuf";
import {
  createConversation,
  isGuest,
  readRoster,
  renameConversation,
  restoreConversation,
  type ConversationRecord,
  type MessageRecord,
} from "@bote/core";
import {
  decodeBase64url,
  InquiryUpdate_Status,
  InquiryUpdateSchema,
  type ContactPoint,
  type Inquiry,
  type InquiryUpdate,
} from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { createConversationWith } from "./conversations.js";
import { b64 } from "./ids.js";
import { sendContent } from "./outgoing.js";
import { conversationRecord } from "./conversationRecord.js";
import { eventMessage, isChatLine, readContent } from "./records.js";

export type InquiryStatus = "new" | "in_progress" | "quote_sent" | "done";

export const INQUIRY_STATUS: Record<InquiryStatus, InquiryUpdate_Status> = {
  new: InquiryUpdate_Status.NEW,
  in_progress: InquiryUpdate_Status.IN_PROGRESS,
  quote_sent: InquiryUpdate_Status.QUOTE_SENT,
  done: InquiryUpdate_Status.DONE,
};

function statusName(status: InquiryUpdate_Status): InquiryStatus | undefined {
  return (Object.keys(INQUIRY_STATUS) as InquiryStatus[]).find((k) => INQUIRY_STATUS[k] === status);
}

export interface InquirySummary {
  /** The inquiry's conversation: reply there with sendText. */
  readonly conversationId: string;
  readonly contactPointId: string;
  /** As the organisation's log names it now; empty if this device has not seen the statement. */
  readonly contactPointName: string;
  /** What the customer gave, else the name on the guest's certificate. */
  readonly customerName: string;
  readonly contact: {
    readonly name?: string;
    readonly phone?: string;
    readonly email?: string;
    readonly address?: string;
  };
  /** The inquiry's text; empty until the Inquiry message arrived. */
  readonly text: string;
  /** The message that carries the inquiry (download its files by index). */
  readonly messageId: string | undefined;
  readonly files: number;
  readonly locale: string;
  readonly status: InquiryStatus;
  /** Account id of the colleague handling it. */
  readonly assignee: string | undefined;
  readonly archived: boolean;
  /**
   * While done: since when (the update that set it), which the contact point's retention counts from.
   * A customer's line after it reopens the inquiry (status new, no doneAt).
   */
  readonly doneAt: number | undefined;
  /** The customer's clock when sending, else when this device stored it. */
  readonly receivedAt: number;
  readonly lastActivityAt: number;
  readonly unread: number;
}

export interface InquiryNote {
  readonly messageId: string;
  readonly authorAccountId: string;
  readonly authorName: string;
  readonly text: string;
  readonly sentAt: number;
}

export interface StaffUpdate {
  readonly message: MessageRecord;
  readonly update: InquiryUpdate;
}

export interface InquiryState {
  readonly status: InquiryStatus;
  readonly assignee: string | undefined;
  readonly archived: boolean;
  readonly doneAt: number | undefined;
  /** The customer's data was erased: every staff device deletes the inquiry at once. */
  readonly erased: boolean;
}

/**
 * What an inquiry's updates say, applied in order. `doneAt` is the time of
 * the update that moved it to done, not of a later one repeating it (a
 * newcomer's copy of the state): the later of the sender's clock and this
 * device's storing it, so a skewed clock never ends retention early.
 *
 * `customerWrote` holds the send times of the customer's chat lines. One
 * later than the update that set done reopens the inquiry: it is new again
 * and no longer done, so retention waits until staff set done once more.
 * The customer's group and the staff group are two MLS groups with no common
 * order, so the senders' clocks decide; every staff device reads the same
 * ones from the same messages. A tie is not later.
 */
export function foldUpdates(updates: readonly StaffUpdate[], customerWrote: readonly number[] = []): InquiryState {
  let status: InquiryStatus = "new";
  let assignee: string | undefined;
  let archived = false;
  let doneAt: number | undefined;
  let erased = false;
  const lines = [...customerWrote].sort((a, b) => a - b);
  let line = 0;
  const reopenBy = (sentAt: number) => {
    // The customer's lines up to this update, in time order; a tie counts as before it.
    for (; line < lines.length && lines[line]! <= sentAt; line++) {
      if (status !== "done") continue;
      status = "new";
      doneAt = undefined;
    }
  };
  for (const { message, update } of updates) {
    reopenBy(message.sentAt);
    const next: InquiryStatus = update.status === undefined ? status : (statusName(update.status) ?? status);
    if (next === "done" && status !== "done") doneAt = Math.max(message.sentAt, message.storedAt);
    if (next !== "done") doneAt = undefined;
    status = next;
    if (update.assigneeAccountId !== undefined) {
      assignee = update.assigneeAccountId.length === 0 ? undefined : b64(update.assigneeAccountId);
    }
    if (update.archived !== undefined) archived = update.archived;
    if (update.erased === true) erased = true;
  }
  reopenBy(Infinity);
  return { status, assignee, archived, doneAt, erased };
}

/** Every update about every inquiry, from all staff groups, in the order they count: (sentAt, messageId). */
export async function staffUpdates(ctx: ClientContext): Promise<Map<string, StaffUpdate[]>> {
  const byInquiry = new Map<string, StaffUpdate[]>();
  for (const record of await ctx.store.listConversations()) {
    if (record.kind !== "inquiry_staff") continue;
    for (const message of await ctx.store.listMessages(record.conversationId)) {
      const body = readContent(message)?.body;
      if (body?.case !== "inquiryUpdate") continue;
      const id = b64(body.value.inquiryGroupId);
      byInquiry.set(id, [...(byInquiry.get(id) ?? []), { message, update: body.value }]);
    }
  }
  for (const list of byInquiry.values()) {
    list.sort((a, b) => a.message.sentAt - b.message.sentAt || (a.message.messageId < b.message.messageId ? -1 : 1));
  }
  return byInquiry;
}

/** The customer in an inquiry's group and the contact point their certificate names. */
export function customerOf(record: ConversationRecord): { accountId: string; name: string; contactPointId: string } {
  const guest = readRoster(restoreConversation(record.state)).find((m) => isGuest(m.credential));
  const issuer = guest?.credential.accountCertificate.issuer;
  if (guest === undefined || issuer?.kind !== "guest") throw new ClientError("inquiry_unknown", record.conversationId);
  return {
    accountId: b64(guest.credential.accountId),
    name: guest.credential.displayName,
    contactPointId: b64(issuer.contactPointId),
  };
}

interface InquiryLines {
  /** The message that carries the Inquiry, once it arrived. */
  readonly found: { message: MessageRecord; inquiry: Inquiry } | undefined;
  /** When the customer sent each chat line (their clock, as authenticated in the content). */
  readonly customerWrote: readonly number[];
}

async function readInquiryLines(ctx: ClientContext, record: ConversationRecord): Promise<InquiryLines> {
  const customer = customerOf(record).accountId;
  let found: InquiryLines["found"];
  const customerWrote: number[] = [];
  for (const message of await ctx.store.listMessages(record.conversationId)) {
    const body = readContent(message)?.body;
    if (body === undefined) continue;
    if (body.case === "inquiry" && found === undefined) found = { message, inquiry: body.value };
    if (message.senderAccountId === customer && isChatLine(body)) customerWrote.push(message.sentAt);
  }
  return { found, customerWrote };
}

/** An inquiry's state as the staff's updates and the customer's later lines make it. */
export async function inquiryState(
  ctx: ClientContext,
  record: ConversationRecord,
  updates: readonly StaffUpdate[],
): Promise<InquiryState> {
  return foldUpdates(updates, (await readInquiryLines(ctx, record)).customerWrote);
}

async function summarise(
  ctx: ClientContext,
  record: ConversationRecord,
  updates: readonly StaffUpdate[],
): Promise<InquirySummary> {
  const customer = customerOf(record);
  const contactPoint: ContactPoint | undefined = ctx.organisation().contactPoints.get(customer.contactPointId);
  const { found, customerWrote } = await readInquiryLines(ctx, record);
  const { status, assignee, archived, doneAt } = foldUpdates(updates, customerWrote);
  const inquiry = found?.inquiry;
  const contact = {
    ...(inquiry?.contactName === undefined ? {} : { name: inquiry.contactName }),
    ...(inquiry?.contactPhone === undefined ? {} : { phone: inquiry.contactPhone }),
    ...(inquiry?.contactEmail === undefined ? {} : { email: inquiry.contactEmail }),
    ...(inquiry?.contactAddress === undefined ? {} : { address: inquiry.contactAddress }),
  };
  return {
    conversationId: record.conversationId,
    contactPointId: customer.contactPointId,
    contactPointName: contactPoint?.name ?? "",
    customerName: inquiry?.contactName ?? customer.name,
    contact,
    text: inquiry?.text ?? "",
    messageId: found?.message.messageId,
    files: inquiry?.attachments.length ?? 0,
    locale: inquiry?.locale ?? "",
    status,
    assignee,
    archived,
    doneAt,
    receivedAt: found?.message.sentAt ?? record.lastActivityAt,
    lastActivityAt: record.lastActivityAt,
    unread: record.unread,
  };
}

/** Every inquiry this device is in, newest activity first. */
export async function listInbox(ctx: ClientContext): Promise<InquirySummary[]> {
  const updates = await staffUpdates(ctx);
  const out: InquirySummary[] = [];
  for (const record of await ctx.store.listConversations()) {
    if (record.kind !== "inquiry") continue;
    out.push(await summarise(ctx, record, updates.get(record.conversationId) ?? []));
  }
  return out;
}

export async function readInquiry(ctx: ClientContext, conversationId: string): Promise<InquirySummary> {
  const record = await ctx.store.getConversation(conversationId);
  if (record?.kind !== "inquiry") throw new ClientError("inquiry_unknown", conversationId);
  const updates = await staffUpdates(ctx);
  return summarise(ctx, record, updates.get(conversationId) ?? []);
}

/** The internal notes about an inquiry, oldest first. Only staff groups hold them: the customer never has them. */
export async function listNotes(ctx: ClientContext, conversationId: string): Promise<InquiryNote[]> {
  const updates = (await staffUpdates(ctx)).get(conversationId) ?? [];
  return updates.flatMap(({ message, update }) =>
    update.note === undefined
      ? []
      : [
          {
            messageId: message.messageId,
            authorAccountId: message.senderAccountId,
            authorName: message.senderName,
            text: update.note,
            sentAt: message.sentAt,
          },
        ],
  );
}

/** The staff group of an inquiry: the active one with the smallest id among those holding its updates. */
async function findStaffGroup(ctx: ClientContext, conversationId: string): Promise<string | undefined> {
  const updates = (await staffUpdates(ctx)).get(conversationId) ?? [];
  const groups = new Set(updates.map((u) => u.message.conversationId));
  const active: string[] = [];
  for (const id of groups) if ((await ctx.store.getConversation(id))?.active === true) active.push(id);
  return active.sort()[0];
}

/**
 * Makes the staff group of an inquiry: this device and the contact point's
 * other staff (as this device's organisation view names them), named after
 * the customer so it reads well in a plain chat list too.
 */
async function createStaffGroup(ctx: ClientContext, inquiry: ConversationRecord): Promise<string> {
  const customer = customerOf(inquiry);
  const contactPoint = ctx.organisation().contactPoints.get(customer.contactPointId);
  const own = ctx.profile().accountId;
  const others = (contactPoint?.staff ?? []).map(b64).filter((id) => id !== own);
  const name = `Anfrage: ${customer.name}`.slice(0, 64).trim();
  let record: ConversationRecord;
  if (others.length > 0) {
    record = await createConversationWith(ctx, others, name);
  } else {
    // Alone on the contact point: nobody to tell yet; the group exists on this device only.
    const created = await createConversation(ctx.device(), ctx.trust);
    const named = (await renameConversation(created, name, ctx.trust)).conversation;
    record = conversationRecord(ctx, named, undefined);
  }
  const marked: ConversationRecord = { ...record, kind: "inquiry_staff" };
  await ctx.serial.run(async () => {
    const current = (await ctx.store.getConversation(record.conversationId)) ?? record;
    const next = { ...current, kind: "inquiry_staff" as const };
    await ctx.store.apply({
      conversations: [next],
      ...(others.length > 0 ? {} : { messages: [eventMessage(ctx, next.conversationId, { type: "created" })] }),
    });
  });
  ctx.events.emit("conversation", marked);
  return record.conversationId;
}

export interface InquiryChange {
  readonly status?: InquiryStatus;
  /** An account id, or null for nobody. */
  readonly assignee?: string | null;
  readonly note?: string;
  readonly archived?: boolean;
  /** Only true: the customer's data was erased (BoteClient.eraseInquiry). */
  readonly erased?: true;
}

/** Tells the other staff (never the customer) about a change to an inquiry. */
export async function updateInquiry(
  ctx: ClientContext,
  conversationId: string,
  change: InquiryChange,
): Promise<MessageRecord | undefined> {
  const inquiry = await ctx.store.getConversation(conversationId);
  if (inquiry?.kind !== "inquiry") throw new ClientError("inquiry_unknown", conversationId);
  if (isGuest(ctx.device().credential)) throw new ClientError("inquiry_unknown", "customers keep no staff notes");
  const staffGroup = (await findStaffGroup(ctx, conversationId)) ?? (await createStaffGroup(ctx, inquiry));
  const assignee =
    change.assignee === undefined
      ? undefined
      : change.assignee === null
        ? new Uint8Array(0)
        : (decodeBase64url(change.assignee) ?? new Uint8Array(1));
  const value = create(InquiryUpdateSchema, {
    inquiryGroupId: decodeBase64url(conversationId) ?? new Uint8Array(0),
    ...(change.status === undefined ? {} : { status: INQUIRY_STATUS[change.status] }),
    ...(assignee === undefined ? {} : { assigneeAccountId: assignee }),
    ...(change.note === undefined ? {} : { note: change.note }),
    ...(change.archived === undefined ? {} : { archived: change.archived }),
    ...(change.erased === undefined ? {} : { erased: true }),
  });
  return sendContent(ctx, staffGroup, { case: "inquiryUpdate", value });
}
