/**
 * The customer page on the SDK: the guest's profile and its inquiry live in
 * an IndexedDB database named by the return link's secret (the store seals
 * its records under a key this browser keeps), so the link leads back here
 * and nowhere else.
 */
import { signal } from "@preact/signals";
import type { MessageRecord } from "@bote/core";
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

function threadMessage(record: MessageRecord, self: string): ThreadMessage | undefined {
  if (record.kind !== "content" || record.deleted) return undefined;
  const body = readContent(record)?.body;
  const base = {
    id: record.messageId,
    fromCustomer: record.senderAccountId === self,
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

async function thread(client: BoteClient, conversationId: string, name: string): Promise<InquiryThread> {
  const self = client.profile.accountId;
  const messages = signal<readonly ThreadMessage[]>([]);
  const reload = async () => {
    const records = await client.listMessages(conversationId);
    messages.value = records.flatMap((r) => threadMessage(r, self) ?? []);
  };
  client.on("message", (record) => {
    if (record.conversationId === conversationId) void reload();
  });
  const gone = signal(false);
  // Erased while this page is open (its socket closes for good), or before it was opened (its login fails).
  client.on("deactivated", () => (gone.value = true));
  await reload();
  void client.connect().catch((error: unknown) => {
    if (error instanceof ClientError && error.code === "inquiry_gone") gone.value = true;
    else console.warn("bote: inquiry connection", error);
  });
  return {
    contactPointName: name,
    messages,
    gone,
    async reply(text) {
      await client.sendText(conversationId, text);
      await reload();
    },
  };
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
