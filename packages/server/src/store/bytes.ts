/** Byte helpers shared by the store adapters. */
import type { Bytes } from "./ServerStore.js";

/** A Buffer view of the same memory: drivers want Buffers, callers hand us Uint8Arrays. */
export function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toHex(bytes: Bytes): string {
  return asBuffer(bytes).toString("hex");
}

/**
 * MLS epochs are uint64, both databases store int64. An epoch whose successor
 * does not fit is refused up front: binding it would throw inside commitBatch
 * and abort every other send of the batch.
 */
export const MAX_STORABLE_EPOCH = 2n ** 63n - 2n;

export function isStorableEpoch(epoch: bigint): boolean {
  return epoch >= 0n && epoch <= MAX_STORABLE_EPOCH;
}
