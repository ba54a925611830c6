/**
 * A relay batch as one ArrayBuffer, to hand it to the writer's thread by
 * transfer. Structured clone would copy each Uint8Array's whole backing
 * buffer: a mailbox id decoded from a frame, or a sealed entry cut from
 * Node's 8 kB pool, would drag kilobytes along with its 32 bytes.
 */
import { isOpenPart, type Bytes, type OpenRelayBatch, type RelayBatch, type SendOp } from "../ServerStore.js";

const EMPTY = new Uint8Array(0);

/**
 * Each part as its payload and its recipients, each recipient as its mailbox
 * id and sealed entry. An open part (not sealed yet, OpenSendOp) has its
 * payload once and empty entries, which the writer's thread seals; a sealed
 * part has an empty payload.
 */
export function packBatch(batch: RelayBatch | OpenRelayBatch): ArrayBuffer {
  let size = 8;
  for (const send of batch.sends) {
    size += 4 + send.sendKey.length + 8 + 1 + 1;
    if (send.commit !== undefined) size += 4 + send.commit.groupKey.length + 8;
    for (const part of send.parts) {
      if (isOpenPart(part)) {
        size += 8 + part.payload.length;
        for (const id of part.mailboxIds) size += 8 + id.length;
      } else {
        size += 8;
        for (const r of part) size += 8 + r.mailboxId.length + r.sealed.length;
      }
    }
  }
  for (const ack of batch.acks) {
    size += 8 + 8 * ack.entryIds.length;
    for (const id of ack.mailboxIds) size += 4 + id.length;
  }
  const w = new Packer(size);
  w.u32(batch.sends.length);
  w.u32(batch.acks.length);
  for (const send of batch.sends) {
    w.bytes(send.sendKey);
    w.f64(send.expiresAt);
    w.u8(send.commit === undefined ? 0 : 1);
    if (send.commit !== undefined) {
      w.bytes(send.commit.groupKey);
      w.view.setBigUint64(w.at, send.commit.epoch);
      w.at += 8;
    }
    w.u8(send.parts.length);
    for (const part of send.parts) {
      if (isOpenPart(part)) {
        w.bytes(part.payload);
        w.u32(part.mailboxIds.length);
        for (const id of part.mailboxIds) {
          w.bytes(id);
          w.bytes(EMPTY);
        }
      } else {
        w.bytes(EMPTY);
        w.u32(part.length);
        for (const r of part) {
          w.bytes(r.mailboxId);
          w.bytes(r.sealed);
        }
      }
    }
  }
  for (const ack of batch.acks) {
    w.u32(ack.mailboxIds.length);
    for (const id of ack.mailboxIds) w.bytes(id);
    w.u32(ack.entryIds.length);
    for (const id of ack.entryIds) w.f64(id);
  }
  return w.buffer;
}

/**
 * The batch again, the entries of open parts sealed by `seal` on the way;
 * its other byte fields are views of the buffer, not copies.
 */
export function unpackBatch(buffer: ArrayBuffer, seal?: (mailboxId: Bytes, payload: Bytes) => Bytes): RelayBatch {
  const r = new Unpacker(buffer);
  const sendCount = r.u32();
  const ackCount = r.u32();
  const sends: SendOp[] = [];
  for (let i = 0; i < sendCount; i++) {
    const sendKey = r.bytes();
    const expiresAt = r.f64();
    let commit: SendOp["commit"];
    if (r.u8() === 1) {
      const groupKey = r.bytes();
      commit = { groupKey, epoch: r.view.getBigUint64(r.at) };
      r.at += 8;
    }
    const parts: SendOp["parts"] = [];
    const partCount = r.u8();
    for (let p = 0; p < partCount; p++) {
      const payload = r.bytes();
      const recipients: SendOp["parts"][number] = [];
      const n = r.u32();
      for (let k = 0; k < n; k++) {
        const mailboxId = r.bytes();
        let sealed: Bytes = r.bytes();
        // A sealed entry is never empty (AtRestKeys.SEAL_OVERHEAD): empty means "seal the payload".
        if (sealed.length === 0) {
          if (seal === undefined) throw new Error("an open batch reached a writer without secrets");
          sealed = seal(mailboxId, payload);
        }
        recipients.push({ mailboxId, sealed });
      }
      parts.push(recipients);
    }
    sends.push(commit === undefined ? { sendKey, parts, expiresAt } : { sendKey, parts, commit, expiresAt });
  }
  const acks: RelayBatch["acks"] = [];
  for (let i = 0; i < ackCount; i++) {
    const mailboxIds: Bytes[] = [];
    const m = r.u32();
    for (let k = 0; k < m; k++) mailboxIds.push(r.bytes());
    const entryIds: number[] = [];
    const n = r.u32();
    for (let k = 0; k < n; k++) entryIds.push(r.f64());
    acks.push({ mailboxIds, entryIds });
  }
  return { sends, acks };
}

class Packer {
  readonly buffer: ArrayBuffer;
  readonly view: DataView;
  private readonly array: Uint8Array;
  at = 0;

  constructor(size: number) {
    this.buffer = new ArrayBuffer(size);
    this.view = new DataView(this.buffer);
    this.array = new Uint8Array(this.buffer);
  }

  u8(v: number): void {
    this.view.setUint8(this.at, v);
    this.at += 1;
  }

  u32(v: number): void {
    this.view.setUint32(this.at, v);
    this.at += 4;
  }

  f64(v: number): void {
    this.view.setFloat64(this.at, v);
    this.at += 8;
  }

  bytes(v: Bytes): void {
    this.u32(v.length);
    this.array.set(v, this.at);
    this.at += v.length;
  }
}

class Unpacker {
  readonly view: DataView;
  at = 0;

  constructor(private readonly buffer: ArrayBuffer) {
    this.view = new DataView(buffer);
  }

  u8(): number {
    return this.view.getUint8(this.at++);
  }

  u32(): number {
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.at);
    this.at += 8;
    return v;
  }

  /** A Buffer view: better-sqlite3 binds Buffers as blobs. */
  bytes(): Buffer {
    const length = this.u32();
    const v = Buffer.from(this.buffer, this.at, length);
    this.at += length;
    return v;
  }
}
