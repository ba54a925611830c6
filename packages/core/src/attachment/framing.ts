// The framing of a chunked attachment (docs/PROTOCOL.md §14, "Attachment
// chunk framing"). The key encrypts one file only, so the chunk index is a
// safe nonce; the final flag in the additional data makes a shortened or
// lengthened file fail.
import { ATTACHMENT_KEY_BYTES, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES } from "@bote/protocol";
import { AttachmentError } from "./attachmentError.js";

export const DEFAULT_CHUNK_SIZE = 64 * 1024;
/** The GCM tag at the end of every sealed chunk. */
export const TAG_BYTES = 16;
const NONCE_BYTES = 12;
const LABEL = new TextEncoder().encode("bote-attachment-v1");

export function isValidChunkSize(chunkSize: number): boolean {
  return Number.isInteger(chunkSize) && chunkSize >= MIN_CHUNK_BYTES && chunkSize <= MAX_CHUNK_BYTES;
}

/** Number of chunks: ceil(size / chunkSize), and one (empty) chunk for an empty file. */
export function countChunks(plaintextSize: number, chunkSize: number): number {
  return plaintextSize === 0 ? 1 : Math.ceil(plaintextSize / chunkSize);
}

/** Plaintext size plus one tag per chunk, or undefined when the arguments cannot be framed. */
export function framedSize(plaintextSize: number, chunkSize: number): number | undefined {
  if (!isValidChunkSize(chunkSize) || !Number.isSafeInteger(plaintextSize) || plaintextSize < 0) return undefined;
  const total = plaintextSize + TAG_BYTES * countChunks(plaintextSize, chunkSize);
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Bytes the uploader sends for a file of `plaintextSize` bytes, e.g. for
 * Content-Length: `plaintextSize + 16 × max(1, ceil(plaintextSize / chunkSize))`.
 */
export function ciphertextSize(plaintextSize: number, chunkSize: number = DEFAULT_CHUNK_SIZE): number {
  if (!isValidChunkSize(chunkSize)) {
    throw new AttachmentError("invalid_chunk_size", `chunk size ${chunkSize} is not 4 KiB to 16 MiB`);
  }
  const total = framedSize(plaintextSize, chunkSize);
  if (total === undefined)
    throw new AttachmentError("invalid_size", `plaintext size ${plaintextSize} cannot be framed`);
  return total;
}

/** 4 zero bytes, then the chunk index as uint64 big-endian. */
export function chunkNonce(index: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES);
  const view = new DataView(nonce.buffer);
  view.setUint32(4, Math.floor(index / 2 ** 32));
  view.setUint32(8, index >>> 0);
  return nonce;
}

/** "bote-attachment-v1", then 0x01 for the final chunk and 0x00 for every other. */
export function chunkAdditionalData(final: boolean): Uint8Array {
  const aad = new Uint8Array(LABEL.length + 1);
  aad.set(LABEL);
  aad[LABEL.length] = final ? 1 : 0;
  return aad;
}

export function importAttachmentKey(key: Uint8Array, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  if (key.length !== ATTACHMENT_KEY_BYTES) throw new AttachmentError("invalid_secrets", "the key is not 32 bytes");
  return globalThis.crypto.subtle.importKey("raw", key, "AES-GCM", false, [usage]);
}

/**
 * Cuts a stream of pieces of any size into pieces of exactly `size` bytes;
 * only the last may be shorter. Never yields an empty piece. Every piece is a
 * fresh copy, so the source may reuse its buffers.
 */
export async function* cutIntoPieces(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let piece = new Uint8Array(size);
  let filled = 0;
  for await (const input of source) {
    let offset = 0;
    while (offset < input.length) {
      const take = Math.min(size - filled, input.length - offset);
      piece.set(input.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield piece;
        piece = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield piece.subarray(0, filled);
}
