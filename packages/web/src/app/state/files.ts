/**
 * Files of a chat: sending (photos re-encoded unless sent as a file) with
 * upload progress, and downloading with progress into `blob:` URLs. The
 * decrypted bytes live only in this tab's memory — never in a cache the
 * service worker or the browser keeps.
 */
import { signal } from "@preact/signals";
import { ClientError } from "@bote/client/light";
import type { BoteClient } from "@bote/client";
import { MEDIA_SIGNATURE_BYTES, sniffImageType } from "@bote/core/light";
import { PHOTO_MEDIA_TYPES, type Attachment } from "@bote/protocol/light";
import {
  isPhoto,
  PhotoError,
  preparePhoto,
  previewPhoto,
  type PhotoPreview,
  type PreparedPhoto,
} from "../../media/photo.js";
import type { VoiceRecorder } from "../../media/voiceRecorder.js";
import { runAction } from "./actions.js";
import type { FileLine } from "./lines.js";
import { requireClient } from "./session.js";

export interface Transfer {
  readonly id: string;
  readonly conversationId: string;
  readonly fileName: string;
  readonly done: number;
  readonly total: number;
}

/** Files being prepared and encrypted, shown as bubbles with a progress bar until the message is stored. */
export const uploads = signal<readonly Transfer[]>([]);
/** Uploads of stored (queued) messages by message id, shown as a progress bar on the message. */
export const sending = signal<ReadonlyMap<string, Transfer>>(new Map());
/** Downloads in flight by message id. */
export const downloads = signal<ReadonlyMap<string, Transfer>>(new Map());

const fullUrls = new Map<string, string>();
const thumbnailUrls = new Map<string, string>();

function setUpload(transfer: Transfer | undefined, id: string): void {
  const others = uploads.value.filter((u) => u.id !== id);
  uploads.value = transfer === undefined ? others : [...others, transfer];
}

function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  // Chunks of 64 KiB so the progress bar moves with the encryption.
  for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
  if (bytes.length === 0) yield bytes;
}

async function* toAsync(items: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const item of items) {
    yield item;
    // Let the page paint the progress bar between pieces.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Bytes already in memory as the SDK's file stream, in pieces so progress shows. */
export function bytesStream(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return toAsync(pieces(bytes));
}

async function* readBlob(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

export interface Outgoing {
  readonly file: File;
  /** Send the original bytes, with their metadata (the "as file" choice). */
  readonly asFile: boolean;
  readonly caption: string;
}

/** Follows the SDK's uploads of queued files: also those picked offline, sent on the reconnect. */
export function followUploads(client: BoteClient): void {
  client.on("upload", ({ messageId, conversationId, done, total }) => {
    const next = new Map(sending.value);
    if (done >= total) next.delete(messageId);
    else next.set(messageId, { id: messageId, conversationId, fileName: "", done, total });
    sending.value = next;
  });
}

/** Stops the recording and sends it: queued like any file, so it goes out on the reconnect too. */
export async function sendVoice(conversationId: string, recorder: VoiceRecorder): Promise<void> {
  await runAction("send", async () => {
    const recording = await recorder.stop();
    await requireClient().sendFile(conversationId, {
      stream: toAsync(pieces(recording.bytes)),
      size: recording.bytes.length,
      fileName: recording.fileName,
      mediaType: recording.mediaType,
      kind: "voice",
      durationMs: recording.durationMs,
      queue: true,
    });
  });
}

/** Sends the picked files one after another; a failure stops the rest and says why. */
export async function sendFiles(conversationId: string, items: readonly Outgoing[]): Promise<void> {
  await runAction("send", async () => {
    for (const item of items) await sendOne(conversationId, item);
  });
}

async function sendOne(conversationId: string, { file, asFile, caption }: Outgoing): Promise<void> {
  const id = crypto.randomUUID();
  // Once encrypted, the file is a queued message in the chat, with its own upload progress.
  const progress = (done: number, total: number) =>
    setUpload(done >= total ? undefined : { id, conversationId, fileName: file.name, done, total }, id);
  progress(0, file.size);
  try {
    const photo = asFile || !isPhoto(file.type) ? undefined : await preparedOrOriginal(file);
    if (photo !== undefined) {
      await requireClient().sendFile(conversationId, {
        stream: toAsync(pieces(photo.bytes)),
        size: photo.bytes.length,
        fileName: photo.fileName,
        mediaType: photo.mediaType,
        width: photo.width,
        height: photo.height,
        thumbnail: photo.thumbnail,
        caption,
        onProgress: progress,
        queue: true,
      });
    } else {
      const mediaType = await typeOfBytes(file);
      // An image sent as it is (the "original", a GIF) still gets a preview, or it shows as an empty box.
      const preview = mediaType.startsWith("image/") ? await previewOrNone(file) : undefined;
      await requireClient().sendFile(conversationId, {
        stream: readBlob(file),
        size: file.size,
        fileName: file.name,
        mediaType,
        ...preview,
        caption,
        onProgress: progress,
        queue: true,
      });
    }
  } finally {
    setUpload(undefined, id);
  }
}

/**
 * A picture this browser cannot decode goes out as the file it is, but only
 * if its bytes are that kind of image: a file that is no image at all (a
 * text named .jpg) is refused as a photo, and the person can send it as a file.
 */
async function preparedOrOriginal(file: File): Promise<PreparedPhoto | undefined> {
  try {
    return await preparePhoto(file);
  } catch (err) {
    if (!(err instanceof PhotoError)) throw err;
    if ((await typeOfBytes(file)) !== normalisedType(file.type)) throw new ClientError("photo_not_an_image", file.type);
    return undefined;
  }
}

/**
 * The type a file is sent under: its own, unless it claims a photo type its
 * first bytes contradict — then the image type the bytes are, or
 * application/octet-stream, so the recipient gets a file and no broken photo.
 */
async function typeOfBytes(file: File): Promise<string> {
  const claimed = normalisedType(file.type);
  if (!PHOTO_MEDIA_TYPES.has(claimed)) return claimed;
  const head = new Uint8Array(await file.slice(0, MEDIA_SIGNATURE_BYTES).arrayBuffer());
  const actual = sniffImageType(head);
  return actual ?? "application/octet-stream";
}

/** An image this browser cannot decode (HEIC, a broken file) goes without a preview. */
async function previewOrNone(file: File): Promise<PhotoPreview | undefined> {
  try {
    return await previewPhoto(file);
  } catch (err) {
    if (err instanceof PhotoError) return undefined;
    throw err;
  }
}

/** The protocol wants "type/subtype" in lower case without parameters. */
function normalisedType(type: string): string {
  const bare = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(bare) ? bare : "application/octet-stream";
}

export function thumbnailUrl(messageId: string, attachment: Attachment): string | undefined {
  if (attachment.thumbnail === undefined) return undefined;
  let url = thumbnailUrls.get(messageId);
  if (url === undefined) {
    url = URL.createObjectURL(new Blob([attachment.thumbnail as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }));
    thumbnailUrls.set(messageId, url);
  }
  return url;
}

/** A message that disappeared: its decrypted photo and preview leave this tab's memory too. */
export function forgetFile(messageId: string): void {
  for (const urls of [fullUrls, thumbnailUrls]) {
    const url = urls.get(messageId);
    if (url !== undefined) URL.revokeObjectURL(url);
    urls.delete(messageId);
  }
}

export function downloadedUrl(messageId: string): string | undefined {
  return fullUrls.get(messageId);
}

/** Downloads, checks and decrypts a file once per tab; the same promise for concurrent callers. */
const pending = new Map<string, Promise<string>>();

export function download(messageId: string, attachment: Attachment, conversationId: string): Promise<string> {
  const ready = fullUrls.get(messageId);
  if (ready !== undefined) return Promise.resolve(ready);
  let running = pending.get(messageId);
  if (running === undefined) {
    running = fetchFile(messageId, attachment, conversationId).finally(() => pending.delete(messageId));
    pending.set(messageId, running);
  }
  return running;
}

/** A file line's decrypted file as a `blob:` URL (a voice message to play); undefined, with a toast, if it failed. */
export function openFile({ record, attachment }: FileLine): Promise<string | undefined> {
  return runAction("download", () => download(record.messageId, attachment, record.conversationId));
}

/** Downloads a file line's file and hands it to the browser to save. */
export async function saveFile(line: FileLine): Promise<void> {
  const url = await openFile(line);
  if (url === undefined) return;
  const a = document.createElement("a");
  a.href = url;
  a.download = line.attachment.fileName || "datei";
  a.click();
}

async function fetchFile(messageId: string, attachment: Attachment, conversationId: string): Promise<string> {
  const total = Number(attachment.size);
  const set = (done: number | undefined) => {
    const next = new Map(downloads.value);
    if (done === undefined) next.delete(messageId);
    else next.set(messageId, { id: messageId, conversationId, fileName: attachment.fileName, done, total });
    downloads.value = next;
  };
  set(0);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  try {
    await requireClient().download(messageId, async (stream) => {
      let done = 0;
      for await (const chunk of stream) {
        parts.push(chunk as Uint8Array<ArrayBuffer>);
        done += chunk.length;
        set(done);
      }
    });
  } finally {
    set(undefined);
  }
  const url = URL.createObjectURL(new Blob(parts, { type: attachment.mediaType || "application/octet-stream" }));
  fullUrls.set(messageId, url);
  return url;
}
