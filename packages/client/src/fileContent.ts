/**
 * The SDK's check that a file is what it is sent as, before a byte of it is
 * uploaded: bytes under a photo type must be that image, or the recipients
 * get a broken album, and a voice message must be audio they can play. It reads only the file's first bytes, so a large file
 * still streams.
 */
import { matchesMediaType, MEDIA_SIGNATURE_BYTES, MediaError, stripPhotoMetadata, type CleanPhoto } from "@bote/core";
import { PHOTO_MEDIA_TYPES, VOICE_MEDIA_TYPES } from "@bote/protocol";
import { ClientError } from "./clientError.js";

/**
 * Throws ClientError photo_not_an_image when the first bytes of a file
 * contradict its photo media type, and voice_not_audio when a voice message
 * is not in one of the voice containers or its bytes are not.
 */
export function checkFileContent(mediaType: string, head: Uint8Array, kind: "file" | "voice" = "file"): void {
  if (kind === "voice") {
    if (!VOICE_MEDIA_TYPES.has(mediaType) || matchesMediaType(mediaType, head) !== true) {
      throw new ClientError("voice_not_audio", mediaType);
    }
  } else if (PHOTO_MEDIA_TYPES.has(mediaType) && matchesMediaType(mediaType, head) !== true) {
    throw new ClientError("photo_not_an_image", mediaType);
  }
}

/**
 * A JPEG or PNG photo without GPS position, camera data and other metadata
 * (core's stripPhotoMetadata), for clients that cannot re-encode photos as
 * the browser does. Throws ClientError photo_not_an_image for damaged bytes
 * and photo_metadata_unsupported for other formats (HEIC, WebP, GIF, …).
 */
export function cleanPhoto(bytes: Uint8Array): CleanPhoto {
  try {
    return stripPhotoMetadata(bytes);
  } catch (err) {
    if (!(err instanceof MediaError)) throw err;
    const code = err.code === "not_an_image" ? "photo_not_an_image" : "photo_metadata_unsupported";
    throw new ClientError(code, err.message, { cause: err });
  }
}

/**
 * Splits a stream into its first `count` bytes (fewer if it is shorter) and
 * the whole stream again, so the head can be checked before the stream is
 * consumed for the upload.
 */
export async function peekHead(
  stream: AsyncIterable<Uint8Array>,
  count = MEDIA_SIGNATURE_BYTES,
): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < count) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    taken.push(next.value);
    length += next.value.length;
  }
  const head = new Uint8Array(Math.min(count, length));
  let at = 0;
  for (const piece of taken) {
    if (at >= head.length) break;
    const part = piece.subarray(0, head.length - at);
    head.set(part, at);
    at += part.length;
  }
  async function* again(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { head, stream: again() };
}
