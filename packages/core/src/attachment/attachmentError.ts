export type AttachmentErrorCode =
  /** A chunk size outside 4 KiB to 16 MiB, or not an integer. */
  | "invalid_chunk_size"
  /** A plaintext size that is negative, not an integer, or too large to frame. */
  | "invalid_size"
  /** Key, digest, size or chunk size of a received attachment out of bounds. */
  | "invalid_secrets"
  /** A chunk failed its GCM check: flipped bytes, wrong key, chunks swapped or out of place. */
  | "corrupt_chunk"
  /** The ciphertext ended before the size promised, and it is not the uploaded blob. */
  | "truncated"
  /** The ciphertext is longer than the size says, or it is the uploaded blob but the size is wrong. */
  | "size_mismatch"
  /** Every chunk opened, but the SHA-256 of the ciphertext is not the digest in the message. */
  | "digest_mismatch"
  /** The ciphertext was not read to the end, so there is no digest to report. */
  | "incomplete";

/** The one error type attachment encryption throws, so callers can switch on `code`. */
export class AttachmentError extends Error {
  override readonly name = "AttachmentError";

  constructor(
    readonly code: AttachmentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
