import { sha256 } from "@noble/hashes/sha2.js";
import { ATTACHMENT_KEY_BYTES, DIGEST_BYTES } from "@bote/protocol";
import { AttachmentError } from "./attachmentError.js";
import type { AttachmentSecrets } from "./encryptAttachment.js";
import {
  TAG_BYTES,
  chunkAdditionalData,
  chunkNonce,
  cutIntoPieces,
  framedSize,
  importAttachmentKey,
  isValidChunkSize,
} from "./framing.js";

/**
 * Decrypts a downloaded attachment while it streams, yielding the plaintext
 * chunk by chunk; every chunk is GCM-checked before it is yielded. The size
 * and the SHA-256 digest of the whole ciphertext can only be checked at the
 * end, and then the iterator throws an AttachmentError. So write the
 * plaintext to a temporary file and keep it only when the iterator completes;
 * the last chunk is yielded only after every check passed.
 *
 * Throws "invalid_secrets" at once; while iterating "corrupt_chunk",
 * "truncated", "size_mismatch" or "digest_mismatch". A `chunkSize` of 0 (the
 * unchunked form in content.proto) is not supported and is "invalid_secrets".
 */
export function decryptAttachment(
  ciphertext: AsyncIterable<Uint8Array>,
  secrets: AttachmentSecrets,
): AsyncIterable<Uint8Array> {
  const { key, digest, size, chunkSize } = secrets;
  if (!isValidChunkSize(chunkSize)) {
    throw new AttachmentError("invalid_secrets", `chunk size ${chunkSize} is not 4 KiB to 16 MiB`);
  }
  const expected = framedSize(size, chunkSize);
  if (expected === undefined) throw new AttachmentError("invalid_secrets", `size ${size} cannot be framed`);
  if (digest.length !== DIGEST_BYTES) throw new AttachmentError("invalid_secrets", "the digest is not 32 bytes");
  if (key.length !== ATTACHMENT_KEY_BYTES) throw new AttachmentError("invalid_secrets", "the key is not 32 bytes");
  return openChunks(ciphertext, key.slice(), { digest: digest.slice(), expected, chunkSize });
}

async function* openChunks(
  ciphertext: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  frame: { digest: Uint8Array; expected: number; chunkSize: number },
): AsyncGenerator<Uint8Array, void, undefined> {
  const cryptoKey = await importAttachmentKey(key, "decrypt");
  const hash = sha256.create();
  let index = 0;
  const open = async (sealed: Uint8Array, final: boolean): Promise<Uint8Array> => {
    const algorithm = { name: "AES-GCM", iv: chunkNonce(index), additionalData: chunkAdditionalData(final) } as const;
    try {
      return new Uint8Array(await globalThis.crypto.subtle.decrypt(algorithm, cryptoKey, sealed));
    } catch (cause) {
      throw new AttachmentError("corrupt_chunk", `chunk ${index} failed its GCM check`, { cause });
    }
  };
  // Every chunk but the last is chunkSize + 16 bytes. A piece is opened only
  // once the next one arrived, so only the end of a stream of exactly the
  // length the size implies is opened as final, and a stream that ends early
  // is classified (truncated, or a wrong size) before a GCM check fails on it.
  let received = 0;
  let pending: Uint8Array | undefined;
  for await (const piece of cutIntoPieces(ciphertext, frame.chunkSize + TAG_BYTES)) {
    received += piece.length;
    if (received > frame.expected) {
      throw new AttachmentError(
        "size_mismatch",
        `the ciphertext is longer than the ${frame.expected} bytes the size implies`,
      );
    }
    hash.update(piece);
    if (pending !== undefined) {
      yield await open(pending, false);
      index += 1;
    }
    pending = piece;
  }
  const matches = equalBytes(hash.digest(), frame.digest);
  if (received < frame.expected || pending === undefined) {
    throw matches
      ? new AttachmentError("size_mismatch", "the blob is the one uploaded, but the size in the message is wrong")
      : new AttachmentError("truncated", `the ciphertext ended after ${received} of ${frame.expected} bytes`);
  }
  const last = await open(pending, true);
  if (!matches) throw new AttachmentError("digest_mismatch", "the ciphertext is not the one the digest names");
  yield last;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
