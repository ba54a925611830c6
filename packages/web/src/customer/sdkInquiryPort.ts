/**
 * The customer page on the SDK: the guest's profile and its inquiry live in
 * an IndexedDB database named by the return link's secret (the store seals
 * its records under a key this browser keeps), so the link leads back here
 * and nowhere else.
 */
import { computed, signal } from "@preact/signals";
import type { MessageRecord } from "@bote/core";
import { isErrorCode, type ErrorCode } from "@bote/protocol/light";
import {
  BoteClient,
  ClientError,
  openInquiry,
  readContactPoint,
  readContent,
  sendInquiry,
  type GuestOptions,
  type OutgoingFile,
} from "@bote/client";
import { browserTransport } from "../platform/browserTransport.js";
import { bytesStream } from "../app/state/files.js";
import { IndexedDbClientStore } from "../store/IndexedDbClientStore.js";
import { language } from "../app/i18n/i18n.js";
import {
  describeError,
  type ContactPointInfo,
  type Delivery,
  type InquiryPort,
  type InquiryThread,
  type ThreadMessage,
} from "./inquiryPort.js";
import type { PickedFile } from "./picked.js";

const transport = browserTransport();

const guestOptions: GuestOptions = {
  transport,
  // The return link's key is for stores without a key of their own; this one has the browser's.
  openStore: (name) => IndexedDbClientStore.open(`bote-inquiry-${name}`),
  removeStore: (name) => IndexedDbClientStore.delete(`bote-inquiry-${name}`),
};

function pageUrl(slug: string): string {
  return new URL(`/k/${slug}`, location.origin).toString();
}

function outgoing(file: PickedFile, onSent: () => void): OutgoingFile {
  const bytes = file.kind === "photo" ? file.photo.bytes : file.bytes;
  let reported = false;
  const onProgress = (done: number, total: number) => {
    if (done >= total && !reported) {
      reported = true;
      onSent();
    }
  };
  return file.kind === "photo"
    ? {
        stream: bytesStream(bytes),
        size: bytes.length,
        fileName: file.photo.fileName,
        mediaType: file.photo.mediaType,
        width: file.photo.width,
        height: file.photo.height,
        thumbnail: file.photo.thumbnail,
        onProgress,
      }
    : { stream: bytesStream(bytes), size: bytes.length, fileName: file.name, mediaType: "application/pdf", onProgress };
}

/** "queued" until the relay answered the send; the team's receipts (delivered, read) change nothing here. */
function delivery(record: MessageRecord, refusal: ErrorCode | undefined): Delivery {
  if (record.direction !== "out") return { kind: "sent" };
  if (record.status === "queued") return { kind: "sending" };
  if (record.status === "failed") return { kind: "failed", code: refusal };
  return { kind: "sent" };
}

function threadMessage(record: MessageRecord, self: string, refusal: ErrorCode | undefined): ThreadMessage | undefined {
  if (record.kind !== "content" || record.deleted) return undefined;
  const body = readContent(record)?.body;
  const base = {
    id: record.messageId,
    fromCustomer: record.senderAccountId === self,
    delivery: delivery(record, refusal),
    senderName: record.senderName,
    sentAtMs: record.sentAt,
  };
  const files = (list: readonly { mediaType: string; fileName: string; thumbnail?: Uint8Array }[]) => ({
    photos: list
      .filter((a) => a.thumbnail !== undefined && a.mediaType.startsWith("image/"))
      .map((a) => URL.createObjectURL(new Blob([a.thumbnail as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }))),
    documents: list.filter((a) => !a.mediaType.startsWith("image/")).map((a) => a.fileName),
  });
  if (body?.case === "text") return { ...base, text: body.value.text, photos: [], documents: [] };
  if (body?.case === "inquiry") return { ...base, text: body.value.text, ...files(body.value.attachments) };
  if (body?.case === "attachment") return { ...base, text: body.value.caption, ...files([body.value]) };
  // Reactions, receipts and edits change other lines; the customer's page shows lines only.
  return undefined;
}

/**
 * The thread follows the SDK's events: each carries a line as it is stored
 * now (new, sent, refused, edited, deleted), merged by id into what the
 * first read found. Events that come during that read are merged after it,
 * in order, so a line's last state wins.
 */
async function thread(client: BoteClient, conversationId: string, name: string): Promise<InquiryThread> {
  const self = client.profile.accountId;
  const lines = signal<readonly ThreadMessage[]>([]);
  const refusals = new Map<string, ErrorCode>();
  const merge = (record: MessageRecord) => {
    const line = threadMessage(record, self, refusals.get(record.messageId));
    const known = lines.value.some((m) => m.id === record.messageId);
    if (line === undefined) {
      if (known) lines.value = lines.value.filter((m) => m.id !== record.messageId);
    } else {
      lines.value = known ? lines.value.map((m) => (m.id === line.id ? line : m)) : [...lines.value, line];
    }
  };
  let early: MessageRecord[] | undefined = [];
  client.on("message", (record) => {
    if (record.conversationId !== conversationId) return;
    if (early === undefined) merge(record);
    else early.push(record);
  });
  // The server refused a line for good: why comes right after the line's "failed".
  client.on("problem", ({ code, messageId }) => {
    if (messageId === undefined || !isErrorCode(code)) return;
    refusals.set(messageId, code);
    lines.value = lines.value.map((m) =>
      m.id === messageId && m.delivery.kind === "failed" ? { ...m, delivery: { kind: "failed", code } } : m,
    );
  });
  const gone = signal(false);
  // Erased while this page is open (its socket closes for good), or before it was opened (its login fails).
  client.on("deactivated", () => (gone.value = true));
  lines.value = (await client.listMessages(conversationId)).flatMap((r) => threadMessage(r, self, undefined) ?? []);
  for (const record of early) merge(record);
  early = undefined;
  void client.connect().catch((error: unknown) => {
    if (error instanceof ClientError && error.code === "inquiry_gone") gone.value = true;
    else console.warn("bote: inquiry connection", error);
  });
  return {
    contactPointName: name,
    // What waits in the outbox of an erased inquiry can never leave: not sent, and nothing to keep the page open for.
    messages: computed(() =>
      gone.value
        ? lines.value.map((m) =>
            m.delivery.kind === "sending" ? { ...m, delivery: { kind: "failed", code: undefined } } : m,
          )
        : lines.value,
    ),
    gone,
    async reply(text) {
      await client.sendText(conversationId, text);
    },
  };
}

/**
 * Resolves once the relay took the customer's lines. sendInquiry returns
 * with the inquiry still in the outbox when the connection broke just
 * before it went; the client sends it on its reconnect. Until then the page
 * must not say that it arrived. Rejects with the server's reason when it
 * refused the inquiry for good.
 */
async function taken(client: BoteClient, conversationId: string): Promise<void> {
  const refusals = new Map<string, string>();
  let wake = () => {};
  const offMessage = client.on("message", (record) => {
    if (record.conversationId === conversationId) wake();
  });
  const offProblem = client.on("problem", ({ code, messageId }) => {
    if (messageId !== undefined) refusals.set(messageId, code);
  });
  try {
    for (;;) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const mine = (await client.listMessages(conversationId)).filter(
        (r) => r.direction === "out" && r.kind === "content",
      );
      const failed = mine.find((r) => r.status === "failed");
      if (failed !== undefined) {
        // The problem event follows the "failed" in the same turn, so its code is here by now.
        const code = refusals.get(failed.messageId);
        throw new ClientError(code !== undefined && isErrorCode(code) ? code : "delivery_failed");
      }
      if (!mine.some((r) => r.status === "queued")) return;
      await woken;
    }
  } finally {
    offMessage();
    offProblem();
  }
}

let current: { client: BoteClient; conversationId: string; name: string } | undefined;

export const inquiryPort: InquiryPort = {
  async loadContactPoint(slug) {
    try {
      const page = await readContactPoint(pageUrl(slug), transport);
      const c = page.contactPoint;
      const info: ContactPointInfo = {
        slug: c.slug,
        name: c.name,
        organisationName: page.organisation.name,
        open: c.open,
        greeting: c.greeting,
        openingHours: c.openingHours,
        privacyText: c.privacyText,
        requiredFields: c.requiredFields,
        retentionDays: c.retentionDays,
      };
      return info;
    } catch (error) {
      if (error instanceof ClientError && error.code === "contact_point_unknown") return undefined;
      if (error instanceof ClientError && error.code === "contact_point_closed") {
        return closedPlaceholder(slug);
      }
      throw error;
    }
  },

  async sendInquiry(contactPoint, inquiry) {
    let done = 0;
    const sent = await sendInquiry(
      pageUrl(contactPoint.slug),
      {
        text: inquiry.text,
        ...inquiry.contact,
        files: inquiry.files.map((f) => outgoing(f, () => inquiry.onFileSent(++done))),
        consent: true,
        locale: language.value,
        onProofOfWork: (p) => inquiry.onProtecting(!p.done),
      },
      guestOptions,
    );
    // Only while the page waits for the relay to take it: a customer should know why it takes long.
    const offConnection = sent.client.on("connection", (state) => inquiry.onOffline(state !== "open"));
    try {
      await taken(sent.client, sent.conversationId);
    } catch (error) {
      await sent.client.close().catch(() => undefined);
      throw error;
    } finally {
      offConnection();
      inquiry.onOffline(false);
    }
    current = { client: sent.client, conversationId: sent.conversationId, name: contactPoint.organisationName };
    return { returnLink: sent.returnLink };
  },

  async openInquiry(returnLink) {
    try {
      // Right after sending, this page load still holds the inquiry's client.
      if (current !== undefined) {
        return await thread(current.client, current.conversationId, current.name);
      }
      const opened = await openInquiry(returnLink, guestOptions);
      current = { ...opened, name: opened.client.profile.organisationName };
      return await thread(opened.client, opened.conversationId, current.name);
    } catch (error) {
      if (error instanceof ClientError && error.code === "return_link_invalid") return undefined;
      throw error;
    }
  },

  describeError,
};

/** A closed contact point: the server names nothing more than that it is closed. */
function closedPlaceholder(slug: string): ContactPointInfo {
  return {
    slug,
    name: "",
    organisationName: "",
    open: false,
    greeting: "",
    openingHours: "",
    privacyText: "",
    requiredFields: [],
    retentionDays: 0,
  };
}
