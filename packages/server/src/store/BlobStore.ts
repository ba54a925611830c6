/**
 * Where blob content lives: files under DATA/blobs (embedded) or PostgreSQL
 * (distributed). Metadata (size, expiry) lives in ServerStore; content here
 * is end-to-end ciphertext the server cannot read.
 */
export interface BlobStore {
  /**
   * Writes the chunks under id and returns the size. Rejects with
   * BoteError("blob_too_large") as soon as more than maxBytes arrive; then
   * nothing is left behind.
   */
  write(id: Uint8Array, chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number>;
  /** The content in order; undefined if there is none. */
  read(id: Uint8Array): Promise<AsyncIterable<Uint8Array> | undefined>;
  delete(id: Uint8Array): Promise<void>;
  /** Writes, syncs and removes a tiny probe (the readiness check); rejects when nothing can be stored. */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}
