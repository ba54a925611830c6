/**
 * What `bote send --file` makes of a file, decided by its content rather than
 * its name:
 * - a JPEG or PNG photo goes without GPS position, camera and other metadata
 *   (the SDK's cleanPhoto), unless --original sends it as taken;
 * - another image format (HEIC, WebP, GIF, …) is refused, since its metadata
 *   would go along, unless --original;
 * - bytes named like a photo must be one (the SDK refuses them otherwise);
 * - a recording in a voice container (.ogg, .opus, .webm, .m4a) goes as a
 *   voice message with its length (the SDK refuses bytes that are no audio);
 * - with --as-file any file goes as it is, as a plain file.
 */
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { Readable } from "node:stream";
import { ClientError, cleanPhoto, type OutgoingFile } from "@bote/client";
import { MEDIA_SIGNATURE_BYTES, sniffImageType } from "@bote/core";
import { MAX_IMAGE_DIMENSION } from "@bote/protocol";
import { parseFile } from "music-metadata";
import type { Language } from "../messages.js";
import { clientMessages } from "./clientMessages.js";

/** Types by extension for files sent as files; never a photo or voice type, which only the content decides. */
const DOCUMENT_TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".txt": "text/plain",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** What a name promises; the SDK holds the content to it. */
const PHOTO_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".gif": "image/gif",
};

/** Recordings sent as voice messages, by their container. */
const VOICE_TYPES: Record<string, string> = {
  ".ogg": "audio/ogg",
  ".oga": "audio/ogg",
  ".opus": "audio/ogg",
  ".webm": "audio/webm",
  ".weba": "audio/webm",
  ".m4a": "audio/mp4",
};

/**
 * The length of a recording in milliseconds, read by music-metadata (Ogg, WebM
 * and MP4 containers); undefined when the file does not say, and `video: true`
 * for a recording with pictures, which is no voice message.
 */
async function probeRecording(path: string): Promise<{ durationMs?: number; video: boolean }> {
  try {
    const { format } = await parseFile(path, { duration: true, skipCovers: true });
    const seconds = format.duration;
    const video = format.hasVideo === true;
    return seconds === undefined || !Number.isFinite(seconds)
      ? { video }
      : { durationMs: Math.round(seconds * 1000), video };
  } catch {
    // Not readable as a recording: the SDK's check of the first bytes decides.
    return { video: false };
  }
}

export interface SendChoice {
  /** Send the bytes as a plain file: never shown as a photo or played as a voice message. */
  readonly asFile: boolean;
  /** Send a photo as taken, with its metadata (GPS position, camera). */
  readonly original: boolean;
}

async function readHead(path: string): Promise<Uint8Array> {
  const file = await open(path);
  try {
    const head = new Uint8Array(MEDIA_SIGNATURE_BYTES);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The file for the SDK's sendFile; `size` as stat found it. */
export async function outgoingFile(
  path: string,
  size: number,
  caption: string,
  choice: SendChoice,
): Promise<OutgoingFile> {
  const extension = extname(path).toLowerCase();
  const asItIs = (mediaType: string): OutgoingFile => ({
    stream: createReadStream(path, { highWaterMark: 256 * 1024 }),
    size,
    fileName: basename(path),
    mediaType,
    caption,
  });
  if (choice.asFile) return asItIs(DOCUMENT_TYPES[extension] ?? "application/octet-stream");
  const voiceType = VOICE_TYPES[extension];
  if (voiceType !== undefined) {
    const recording = await probeRecording(path);
    if (recording.video) throw new ClientError("voice_not_audio", "a recording with pictures");
    return {
      ...asItIs(voiceType),
      kind: "voice",
      ...(recording.durationMs === undefined ? {} : { durationMs: recording.durationMs }),
    };
  }
  const image = sniffImageType(await readHead(path));
  if (image === undefined) {
    // A name like a photo's goes to the SDK as one, which refuses bytes that are none.
    return asItIs(PHOTO_TYPES[extension] ?? DOCUMENT_TYPES[extension] ?? "application/octet-stream");
  }
  if (choice.original) return asItIs(image);
  if (image !== "image/jpeg" && image !== "image/png") throw new ClientError("photo_metadata_unsupported", image);
  // A photo is a few MB: read whole, cleaned in memory.
  const photo = cleanPhoto(await readFile(path));
  return {
    stream: Readable.from([photo.bytes]),
    size: photo.bytes.length,
    fileName: basename(path),
    mediaType: photo.mediaType,
    caption,
    // A PNG may be wider than the protocol's 65,535 px: then it travels without its size.
    ...(photo.width <= MAX_IMAGE_DIMENSION && photo.height <= MAX_IMAGE_DIMENSION
      ? { width: photo.width, height: photo.height }
      : {}),
  };
}

/** The SDK's refusals of a file that the CLI tells in its own words: naming the file and the flag that helps. */
type RefusalCode = keyof ReturnType<typeof clientMessages>["fileRefused"];

function isRefusal(code: string): code is RefusalCode {
  return Object.hasOwn(clientMessages("de").fileRefused, code);
}

/** A refusal of the SDK, with the same code, told in the CLI's words. */
export class FileRefusal extends ClientError {
  constructor(
    private readonly refusal: RefusalCode,
    private readonly fileName: string,
    options: { cause: unknown },
  ) {
    super(refusal, fileName, options);
  }

  override text(language: Language): string {
    return clientMessages(language).fileRefused[this.refusal](this.fileName);
  }
}

/** Runs a send; an SDK refusal of the file comes back as a FileRefusal. */
export async function explainRefusal<T>(path: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof ClientError && isRefusal(err.code))
      throw new FileRefusal(err.code, basename(path), { cause: err });
    throw err;
  }
}
