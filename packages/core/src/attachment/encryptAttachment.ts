import { sha256 } from "@noble/hashes/sha2.js";
import { ATTACHMENT_KEY_BYTES } from "@bote/protocol";
import { AttachmentError } from "./attachmentError.js";
import {
  DEFAULT_CHUNK_SIZE,
  chunkAdditionalData,
  chunkNonce,
  cutIntoPieces,
  importAttachmentKey,
  isValidChunkSize,
} from "./framing.js";

/** What the `Attachment` message carries besides the blob id, for decryptAttachment. */
export interface AttachmentSecrets {
  /** AES-256-GCM key, 32 bytes, for this file only. */
  readonly key: Uint8Array;
  /** SHA-256 of the ciphertext exactly as uploaded. */
  readonly digest: Uint8Array;
  /** Plaintext size in bytes. */
  readonly size: number;
  /** Plaintext bytes per chunk (`chunk_size`). */
  readonly chunkSize: number;
}

export interface EncryptAttachmentOptions {
  /** Plaintext bytes per chunk, 4 KiB to 16 MiB; 64 KiB when left out. */
  readonly chunkSize?: number;
}

export interface EncryptedAttachment {
  /** The bytes to upload, one sealed chunk at a time. Read it once, to the end. */
  readonly ciphertext: AsyncIterable<Uint8Array>;
  /**
   * Resolves once `ciphertext` has been read to the end; rejects with the
   * source's error, or AttachmentError "incomplete" when reading stopped early.
   */
  readonly done: Promise<AttachmentSecrets>;
}

/**
 * Encrypts a file with a fresh AES-256-GCM key while it streams: at most two
 * chunks are held at a time. Pieces of any size go in; sealed chunks of the
 * framing in docs/PROTOCOL.md §14 come out. Throws "invalid_chunk_size" at once.
 */
export function encryptAttachment(
  plaintext: AsyncIterable<Uint8Array>,
  options: EncryptAttachmentOptions = {},
): EncryptedAttachment {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!isValidChunkSize(chunkSize)) {
    throw new AttachmentError("invalid_chunk_size", `chunk size ${chunkSize} is not 4 KiB to 16 MiB`);
  }
  const key = globalThis.crypto.getRandomValues(new Uint8Array(ATTACHMENT_KEY_BYTES));
  let settle!: { resolve: (secrets: AttachmentSecrets) => void; reject: (error: unknown) => void };
  const done = new Promise<AttachmentSecrets>((resolve, reject) => (settle = { resolve, reject }));
  // A caller may only await the ciphertext; a rejection of `done` must not go unhandled then.
  done.catch(() => undefined);
  return { ciphertext: sealChunks(plaintext, key, chunkSize, settle), done };
}

async function* sealChunks(
  plaintext: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  chunkSize: number,
  settle: { resolve: (secrets: AttachmentSecrets) => void; reject: (error: unknown) => void },
): AsyncGenerator<Uint8Array, void, undefined> {
  let finished = false;
  try {
    const cryptoKey = await importAttachmentKey(key, "encrypt");
    const hash = sha256.create();
    let index = 0;
    let size = 0;
    const seal = async (chunk: Uint8Array, final: boolean): Promise<Uint8Array> => {
      const algorithm = { name: "AES-GCM", iv: chunkNonce(index), additionalData: chunkAdditionalData(final) } as const;
      const sealed = new Uint8Array(await globalThis.crypto.subtle.encrypt(algorithm, cryptoKey, chunk));
      index += 1;
      hash.update(sealed);
      return sealed;
    };
    // A full chunk is final only if nothing follows it, so each waits for the next piece.
    let held: Uint8Array | undefined;
    for await (const piece of cutIntoPieces(plaintext, chunkSize)) {
      if (held !== undefined) yield await seal(held, false);
      size += piece.length;
      held = piece;
    }
    yield await seal(held ?? new Uint8Array(0), true);
    finished = true;
    settle.resolve({ key, digest: hash.digest(), size, chunkSize });
  } catch (error) {
    finished = true;
    settle.reject(error);
    throw error;
  } finally {
    if (!finished) {
      settle.reject(new AttachmentError("incomplete", "the ciphertext was not read to the end"));
    }
  }
}
