/** Byte helpers shared by the store adapters. */
import { randomFillSync } from "node:crypto";
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

/** Ids are cut from one random buffer: one getrandom call for many entries. */
const ID_POOL = 8 * 1024;
const idPool = Buffer.alloc(ID_POOL);
let idAt = ID_POOL;

/** A random entry id in [1, 2^53): safe as a JavaScript number, and unrelated to any other. */
export function randomEntryId(): number {
  for (;;) {
    if (idAt >= ID_POOL) {
      randomFillSync(idPool);
      idAt = 0;
    }
    const id = (idPool.readUInt32BE(idAt) & 0x1fffff) * 2 ** 32 + idPool.readUInt32BE(idAt + 4);
    idAt += 8;
    if (id !== 0) return id;
  }
}

/**
 * Where a new mailbox's seq line starts: at random, so that neither its
 * positions nor their likeness to another mailbox's say how much it received.
 */
export function randomSeqStart(): number {
  return randomEntryId() % 2 ** 45;
}
