import {
  AttachmentError,
  type UploadRecord,
  ciphertextSize,
  decryptAttachment,
  encryptAttachment,
  DEFAULT_CHUNK_SIZE,
  type MessageRecord,
} from "@bote/core";
import { create } from "@bufbuild/protobuf";
import {
  Attachment_Kind,
  AttachmentSchema,
  BLOB_ID_BYTES,
  BoteError,
  decodeContent,
  MAX_THUMBNAIL_BYTES,
  type Attachment,
} from "@bote/protocol";
import { ClientError, isOffline } from "./clientError.js";
import { checkAttachmentSize, checkExternalChat } from "./policy.js";
import type { ClientContext } from "./context.js";
import { checkFileContent, peekHead } from "./fileContent.js";
import { b64 } from "./ids.js";
import { requireConversation, sendContent, sendWaitingLine, storeWaitingLine } from "./outgoing.js";
import { readContent } from "./records.js";
import { bytesFrom } from "./ServerApi.js";
import { applyWaiting, checkQueueRoom, waitingState } from "./waitingLines.js";

export interface OutgoingFile {
  /** Read once, while it is encrypted and uploaded: a large file is never held in memory. */
  readonly stream: AsyncIterable<Uint8Array>;
  readonly size: number;
  readonly fileName: string;
  readonly mediaType: string;
  readonly caption?: string;
  /** Pixel size of an image or video, for the layout before the file is downloaded. */
  readonly width?: number;
  readonly height?: number;
  /** A small preview image (at most MAX_THUMBNAIL_BYTES), sent inside the encrypted message. */
  readonly thumbnail?: Uint8Array;
  /** "voice" for a voice message, played in the chat (audio/ogg, audio/webm or audio/mp4); default "file". */
  readonly kind?: "file" | "voice";
  /** Length of a voice message in milliseconds, when known. */
  readonly durationMs?: number;
  /** Called as the file is read, encrypted and handed to the upload (for a progress bar); bytes of the plaintext. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Encrypt the whole file into the store first, so it is sent even when it
   * was picked offline, after a restart too: the message shows at once as
   * queued, and the upload (events "upload") and the send follow on the next
   * connection. For photos and documents of a phone, which fit in memory; a
   * large file is better streamed (the default).
   */
  readonly queue?: boolean;
}

async function* counted(
  stream: AsyncIterable<Uint8Array>,
  total: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  let done = 0;
  for await (const chunk of stream) {
    done += chunk.length;
    onProgress?.(done, total);
    yield chunk;
  }
}

/**
 * Encrypts a file under a fresh key while uploading it, then sends the key,
 * digest, size, type and name inside the MLS message. The server holds only
 * ciphertext under an unguessable id. A file whose first bytes contradict
 * its photo media type is refused before the upload (photo_not_an_image).
 */
export async function sendFile(
  ctx: ClientContext,
  conversationId: string,
  file: OutgoingFile,
): Promise<MessageRecord | undefined> {
  // Checked before the upload: the content's parse gate would refuse it only after the bytes went out.
  if (file.thumbnail !== undefined && file.thumbnail.length > MAX_THUMBNAIL_BYTES) {
    throw new ClientError("thumbnail_too_large", `${file.thumbnail.length} bytes`);
  }
  checkAttachmentSize(ctx, file.size);
  const conversation = await ctx.store.getConversation(conversationId);
  if (conversation !== undefined) checkExternalChat(ctx, conversation);
  const { head, stream } = await peekHead(file.stream);
  checkFileContent(file.mediaType, head, file.kind);
  if (file.queue === true) return queueFile(ctx, conversationId, { ...file, stream });
  const value = await uploadChecked(ctx, { ...file, stream });
  return sendContent(ctx, conversationId, { case: "attachment", value });
}

/**
 * Encrypts and uploads a file and returns the attachment that names it,
 * for a content that carries files of its own (an inquiry's photos).
 */
export async function uploadAttachment(ctx: ClientContext, file: OutgoingFile): Promise<Attachment> {
  if (file.thumbnail !== undefined && file.thumbnail.length > MAX_THUMBNAIL_BYTES) {
    throw new ClientError("thumbnail_too_large", `${file.thumbnail.length} bytes`);
  }
  const { head, stream } = await peekHead(file.stream);
  checkFileContent(file.mediaType, head, file.kind);
  return uploadChecked(ctx, { ...file, stream });
}

async function uploadChecked(ctx: ClientContext, file: OutgoingFile): Promise<Attachment> {
  const encrypted = encryptAttachment(counted(file.stream, file.size, file.onProgress), {
    chunkSize: DEFAULT_CHUNK_SIZE,
  });
  const uploaded = await ctx.session.api.uploadBlob(
    encrypted.ciphertext,
    ciphertextSize(file.size, DEFAULT_CHUNK_SIZE),
  );
  const secrets = await encrypted.done;
  if (secrets.size !== file.size) throw new ClientError("file_too_large", "the file changed while it was read");
  return attachmentOf(file, secrets, bytesFrom(uploaded.blobId, "blobId"));
}

function attachmentOf(
  file: OutgoingFile,
  secrets: { key: Uint8Array; digest: Uint8Array; size: number; chunkSize: number },
  blobId: Uint8Array,
): Attachment {
  return create(AttachmentSchema, {
    blobId,
    key: secrets.key,
    digest: secrets.digest,
    size: BigInt(secrets.size),
    mediaType: file.mediaType,
    fileName: file.fileName,
    caption: file.caption ?? "",
    chunkSize: secrets.chunkSize,
    ...(file.width === undefined ? {} : { width: file.width }),
    ...(file.height === undefined ? {} : { height: file.height }),
    ...(file.thumbnail === undefined || file.thumbnail.length === 0 ? {} : { thumbnail: file.thumbnail }),
    kind: file.kind === "voice" ? Attachment_Kind.VOICE : Attachment_Kind.FILE,
    ...(file.durationMs === undefined ? {} : { durationMs: Math.round(file.durationMs) }),
  });
}

/**
 * Encrypts the file into the store beside its message (queued, the
 * attachment's blob id all zeros until the upload), in one batch, then lets
 * the drain upload and send it at once; offline, on the next connection.
 */
async function queueFile(ctx: ClientContext, conversationId: string, file: OutgoingFile): Promise<MessageRecord> {
  // Checked before the file is read into memory, and again as it is stored, beside files queued meanwhile.
  await checkQueueRoom(ctx, ciphertextSize(file.size, DEFAULT_CHUNK_SIZE));
  const encrypted = encryptAttachment(counted(file.stream, file.size, file.onProgress), {
    chunkSize: DEFAULT_CHUNK_SIZE,
  });
  const pieces: Uint8Array[] = [];
  for await (const piece of encrypted.ciphertext) pieces.push(piece);
  const secrets = await encrypted.done;
  if (secrets.size !== file.size) throw new ClientError("file_too_large", "the file changed while it was read");
  const ciphertext = concat(pieces);
  // All zeros until the upload names the blob: no blob has that id, and the message is not sent before.
  const attachment = attachmentOf(file, secrets, new Uint8Array(BLOB_ID_BYTES));
  const message = await ctx.serial.run(async () => {
    const record = await requireConversation(ctx, conversationId);
    await checkQueueRoom(ctx, ciphertext.length);
    return storeWaitingLine(ctx, record, { case: "attachment", value: attachment }, ciphertext);
  });
  ctx.events.emit("message", message);
  await sendUploads(ctx);
  return (await ctx.store.getMessage(message.messageId)) ?? message;
}

/** Whether an attachment is one of this device's files still waiting for its upload (its blob id all zeros). */
export function isWaiting(attachment: Attachment): boolean {
  return attachment.blobId.every((b) => b === 0);
}

/** A waiting file is read from the store, offline too: its sender can open it before it was uploaded. */
async function waitingCiphertext(ctx: ClientContext, messageId: string): Promise<AsyncIterable<Uint8Array>> {
  const upload = (await ctx.store.listUploads()).find((u) => u.messageId === messageId);
  if (upload === undefined) throw new ClientError("not_an_attachment", "the file was never uploaded");
  return piecesOf(upload.ciphertext);
}

/** Stored bytes in pieces of 64 KiB, with `onPiece` told the bytes handed on so far. */
async function* piecesOf(bytes: Uint8Array, onPiece?: (done: number) => void): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 65_536) {
    const piece = bytes.subarray(at, at + 65_536);
    yield piece;
    onPiece?.(at + piece.length);
    // A turn of the event loop between pieces, so a page paints the progress bar.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    all.set(piece, at);
    at += piece.length;
  }
  return all;
}

/**
 * Sends one waiting line: a file is uploaded first, then its message is
 * encrypted with the blob id and sent; a line that only waited its turn is
 * encrypted and sent as it is. The upload record goes in the batch that
 * queues the send. Reports progress as "upload" events (ciphertext bytes
 * handed to the upload).
 */
async function sendWaiting(ctx: ClientContext, upload: UploadRecord): Promise<void> {
  const queued = await ctx.store.getMessage(upload.messageId);
  if (queued === undefined || queued.deleted) {
    await applyWaiting(ctx, { uploadsDelete: [upload.messageId] });
    return;
  }
  const attachment = readContent(queued)?.body;
  if (attachment?.case !== "attachment" || !isWaiting(attachment.value)) {
    await sendWaitingLine(ctx, upload.messageId);
    return;
  }
  const total = upload.ciphertext.length;
  const report = (done: number) =>
    ctx.events.emit("upload", { messageId: upload.messageId, conversationId: upload.conversationId, done, total });
  report(0);
  const uploaded = await ctx.session.api.uploadBlob(piecesOf(upload.ciphertext, report), total);
  await sendWaitingLine(ctx, upload.messageId, bytesFrom(uploaded.blobId, "blobId"));
}

/** What no later attempt can change: the chat is gone, or the server will never take the file. */
const HOPELESS: ReadonlySet<string> = new Set([
  "conversation_inactive",
  "contact_unknown",
  "not_an_attachment",
  "file_too_large",
  "blob_too_large",
  // The organisation's policy lowered the limit after the file was queued.
  "blob_over_policy",
  "body_too_large",
]);

/**
 * Sends every waiting line, oldest first, one drain per client at a time: a
 * call while one runs joins it, and a line added meanwhile is sent in its
 * turn. A line whose chat is gone or that the server will never take shows
 * as failed and is dropped; on any other failure (offline, rate limited, a
 * server error) the drain stops, so nothing overtakes the line, until the
 * next connection.
 */
export function sendUploads(ctx: ClientContext): Promise<void> {
  const state = waitingState(ctx);
  if (state.drain !== undefined) {
    state.again = true;
    return state.drain;
  }
  const drain = (async () => {
    try {
      do state.again = false;
      while ((await drainOnce(ctx)) && state.again);
    } finally {
      state.drain = undefined;
    }
  })();
  state.drain = drain;
  return drain;
}

/** One pass over the waiting lines; false when it stopped at one that has to wait. */
async function drainOnce(ctx: ClientContext): Promise<boolean> {
  for (const upload of await ctx.store.listUploads()) {
    try {
      await sendWaiting(ctx, upload);
    } catch (err) {
      if (isOffline(err)) return false;
      const code = err instanceof ClientError || err instanceof BoteError ? err.code : "internal";
      if (!HOPELESS.has(code)) {
        ctx.events.emit("problem", { code, detail: `upload of message ${upload.messageId} failed; tried again later` });
        return false;
      }
      const message = await ctx.store.getMessage(upload.messageId);
      const failed = message === undefined ? undefined : { ...message, status: "failed" as const };
      await applyWaiting(ctx, {
        uploadsDelete: [upload.messageId],
        ...(failed === undefined ? {} : { messages: [failed] }),
      });
      if (failed !== undefined) ctx.events.emit("message", failed);
      ctx.events.emit("problem", { code, detail: `upload of message ${upload.messageId} failed` });
    }
  }
  return true;
}

/** The attachment a stored message carries (an inquiry's `index`th file), or a not_an_attachment error. */
export function readAttachment(message: MessageRecord, index = 0): Attachment {
  if (message.kind !== "content") throw new ClientError("not_an_attachment");
  const content = decodeContent(message.body);
  if (content.body.case === "inquiry") {
    const file = content.body.value.attachments[index];
    if (file === undefined) throw new ClientError("not_an_attachment");
    return file;
  }
  if (content.body.case !== "attachment" || index !== 0) throw new ClientError("not_an_attachment");
  return content.body.value;
}

/**
 * Streams the decrypted file. Every chunk is authenticated as it comes; the
 * digest of the whole download is checked at the end, so a caller writes to
 * a temporary file and keeps it only when the stream completes.
 */
export async function* downloadFile(ctx: ClientContext, message: MessageRecord, index = 0): AsyncGenerator<Uint8Array> {
  const attachment = readAttachment(message, index);
  const ciphertext = isWaiting(attachment)
    ? await waitingCiphertext(ctx, message.messageId)
    : await ctx.session.api.downloadBlob(b64(attachment.blobId));
  try {
    yield* decryptAttachment(ciphertext, {
      key: attachment.key,
      digest: attachment.digest,
      size: Number(attachment.size),
      chunkSize: attachment.chunkSize,
    });
  } catch (err) {
    if (err instanceof AttachmentError) throw new ClientError("attachment_corrupt", err.code, { cause: err });
    throw err;
  }
}
