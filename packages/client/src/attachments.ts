import {
  AttachmentError,
  ciphertextSize,
  decryptAttachment,
  encryptAttachment,
  DEFAULT_CHUNK_SIZE,
  type MessageRecord,
} from "@bote/core";
import { create } from "@bufbuild/protobuf";
import { Attachment_Kind, AttachmentSchema, decodeContent, MAX_THUMBNAIL_BYTES, type Attachment } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { checkFileContent, peekHead } from "./fileContent.js";
import { b64 } from "./ids.js";
import { sendContent } from "./outgoing.js";
import { bytesFrom } from "./ServerApi.js";

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
  const { head, stream } = await peekHead(file.stream);
  checkFileContent(file.mediaType, head, file.kind);
  const encrypted = encryptAttachment(counted(stream, file.size, file.onProgress), {
    chunkSize: DEFAULT_CHUNK_SIZE,
  });
  const uploaded = await ctx.session.api.uploadBlob(
    encrypted.ciphertext,
    ciphertextSize(file.size, DEFAULT_CHUNK_SIZE),
  );
  const secrets = await encrypted.done;
  if (secrets.size !== file.size) throw new ClientError("file_too_large", "the file changed while it was read");
  const value = create(AttachmentSchema, {
    blobId: bytesFrom(uploaded.blobId, "blobId"),
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
  return sendContent(ctx, conversationId, { case: "attachment", value });
}

/** The attachment a stored message carries, or a not_an_attachment error. */
export function readAttachment(message: MessageRecord): Attachment {
  if (message.kind !== "content") throw new ClientError("not_an_attachment");
  const content = decodeContent(message.body);
  if (content.body.case !== "attachment") throw new ClientError("not_an_attachment");
  return content.body.value;
}

/**
 * Streams the decrypted file. Every chunk is authenticated as it comes; the
 * digest of the whole download is checked at the end, so a caller writes to
 * a temporary file and keeps it only when the stream completes.
 */
export async function* downloadFile(ctx: ClientContext, message: MessageRecord): AsyncGenerator<Uint8Array> {
  const attachment = readAttachment(message);
  const ciphertext = await ctx.session.api.downloadBlob(b64(attachment.blobId));
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
