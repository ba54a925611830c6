/**
 * A hand-written codec for the frames the relay writes or reads once per
 * message: SendResult and Deliver out, Send and Ack in. It produces and accepts the
 * same Protocol Buffers bytes as frames.ts (test/hotFrames.test.ts compares
 * them on random frames) without a message object or a BigInt per frame:
 * protobuf-es objects and their garbage were a fifth of the relay's time
 * (issue 15). Every other frame goes through frames.ts.
 */
import { MAX_ACKS_PER_FRAME, MAX_FRAME_BYTES } from "./limits.js";

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes a non-negative integer below 2^53 as a varint; returns the offset after it. */
export function writeVarint(buf: Uint8Array, offset: number, n: number): number {
  while (n >= 128) {
    buf[offset++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

function bigVarintSize(n: bigint): number {
  let size = 1;
  while (n >= 128n) {
    n >>= 7n;
    size++;
  }
  return size;
}

function writeBigVarint(buf: Uint8Array, offset: number, n: bigint): number {
  while (n >= 128n) {
    buf[offset++] = Number(n & 127n) | 128;
    n >>= 7n;
  }
  buf[offset++] = Number(n);
  return offset;
}

/** Error codes and the like: ASCII in practice, but encoded as UTF-8 like any proto string. */
const utf8 = new TextEncoder();

export interface HotSendResult {
  requestId: number;
  /** "" for success. */
  errorCode: string;
  rejected: readonly { index: number; code: string }[];
  duplicate: boolean;
  currentEpoch: bigint;
}

/** ServerFrame{send_result}, byte for byte as encodeServerFrame writes it. */
export function encodeSendResultFrame(result: HotSendResult): Uint8Array {
  const errorCode = result.errorCode === "" ? undefined : utf8.encode(result.errorCode);
  const rejected = result.rejected.map((r) => {
    const code = r.code === "" ? undefined : utf8.encode(r.code);
    const size = (r.index === 0 ? 0 : 1 + varintSize(r.index)) + (code ? 1 + varintSize(code.length) + code.length : 0);
    return { index: r.index, code, size };
  });
  let body = 0;
  if (result.requestId !== 0) body += 1 + varintSize(result.requestId);
  if (errorCode !== undefined) body += 1 + varintSize(errorCode.length) + errorCode.length;
  for (const r of rejected) body += 1 + varintSize(r.size) + r.size;
  if (result.duplicate) body += 2;
  if (result.currentEpoch !== 0n) body += 1 + bigVarintSize(result.currentEpoch);
  const out = new Uint8Array(1 + varintSize(body) + body);
  out[0] = 0x12; // ServerFrame.send_result = 2
  let o = writeVarint(out, 1, body);
  if (result.requestId !== 0) {
    out[o++] = 0x08;
    o = writeVarint(out, o, result.requestId);
  }
  if (errorCode !== undefined) o = writeBytes(out, o, 0x12, errorCode);
  for (const r of rejected) {
    out[o++] = 0x1a;
    o = writeVarint(out, o, r.size);
    if (r.index !== 0) {
      out[o++] = 0x08;
      o = writeVarint(out, o, r.index);
    }
    if (r.code !== undefined) o = writeBytes(out, o, 0x12, r.code);
  }
  if (result.duplicate) {
    out[o++] = 0x20;
    out[o++] = 1;
  }
  if (result.currentEpoch !== 0n) {
    out[o++] = 0x28;
    writeBigVarint(out, o, result.currentEpoch);
  }
  return out;
}

export interface HotEntry {
  /** Below 2^53, as the server makes them. */
  entryId: number;
  mailboxId: Uint8Array;
  payload: Uint8Array;
}

function entrySize(e: HotEntry): number {
  return (
    (e.entryId === 0 ? 0 : 1 + varintSize(e.entryId)) +
    (e.mailboxId.length === 0 ? 0 : 1 + varintSize(e.mailboxId.length) + e.mailboxId.length) +
    (e.payload.length === 0 ? 0 : 1 + varintSize(e.payload.length) + e.payload.length)
  );
}

/** ServerFrame{deliver}, byte for byte as encodeServerFrame writes it. */
export function encodeDeliverFrame(entries: readonly HotEntry[], caughtUp: boolean): Uint8Array {
  const sizes = entries.map(entrySize);
  let body = caughtUp ? 2 : 0;
  for (const size of sizes) body += 1 + varintSize(size) + size;
  const out = new Uint8Array(1 + varintSize(body) + body);
  out[0] = 0x1a; // ServerFrame.deliver = 3
  let o = writeVarint(out, 1, body);
  entries.forEach((e, i) => {
    out[o++] = 0x0a;
    o = writeVarint(out, o, sizes[i]!);
    if (e.entryId !== 0) {
      out[o++] = 0x08;
      o = writeVarint(out, o, e.entryId);
    }
    if (e.mailboxId.length !== 0) o = writeBytes(out, o, 0x12, e.mailboxId);
    if (e.payload.length !== 0) o = writeBytes(out, o, 0x1a, e.payload);
  });
  if (caughtUp) {
    out[o++] = 0x10;
    out[o++] = 1;
  }
  return out;
}

function writeBytes(out: Uint8Array, o: number, tag: number, bytes: Uint8Array): number {
  out[o++] = tag;
  o = writeVarint(out, o, bytes.length);
  out.set(bytes, o);
  return o + bytes.length;
}

/**
 * The entry ids of a ClientFrame{ack} in the packed form every encoder
 * writes; undefined for any other frame, or anything unusual (an id of
 * 2^53 or more, which no entry has), which then takes decodeClientFrame and
 * its checks and errors.
 */
export function decodeAckFrame(bytes: Uint8Array): number[] | undefined {
  if (bytes.length > MAX_FRAME_BYTES || bytes[0] !== 0x1a) return undefined;
  const r = new VarintReader(bytes);
  r.pos = 1;
  const ackLen = r.varint();
  if (ackLen === undefined || r.pos + ackLen !== bytes.length) return undefined;
  if (bytes[r.pos++] !== 0x0a) return undefined;
  const idsLen = r.varint();
  if (idsLen === undefined || r.pos + idsLen !== bytes.length) return undefined;
  const ids: number[] = [];
  while (r.pos < bytes.length) {
    const id = r.varint();
    if (id === undefined || id > Number.MAX_SAFE_INTEGER || ids.length === MAX_ACKS_PER_FRAME) return undefined;
    ids.push(id);
  }
  return ids.length === 0 ? undefined : ids;
}

/** What the relay reads of a Send; protobuf-es's Send has these fields too. */
export interface HotSend {
  requestId: number;
  messageId: Uint8Array;
  recipients: { mailboxId: Uint8Array; capability: Uint8Array }[];
  payload: Uint8Array;
  commit?: { groupId: Uint8Array; epoch: bigint };
  welcome?: { recipients: { mailboxId: Uint8Array; capability: Uint8Array }[]; payload: Uint8Array };
}

/**
 * ClientFrame{send} as protobuf-es writes a message (no commit, no welcome):
 * fields once each and in field order, recipients in a row. Byte fields are
 * views of the frame, as protobuf-es returns them. Anything else, even if
 * valid, gives undefined, and decodeClientFrame reads it with its errors.
 */
export function decodeSendFrame(bytes: Uint8Array): HotSend | undefined {
  if (bytes.length > MAX_FRAME_BYTES || bytes[0] !== 0x12) return undefined;
  const r = new VarintReader(bytes);
  r.pos = 1;
  const sendLen = r.varint();
  if (sendLen === undefined || r.pos + sendLen !== bytes.length) return undefined;
  const end = bytes.length;
  let requestId = 0;
  let messageId = EMPTY;
  let payload = EMPTY;
  const recipients: HotSend["recipients"] = [];
  if (bytes[r.pos] === 0x08) {
    r.pos++;
    const id = r.varint();
    if (id === undefined || id > 0xffffffff) return undefined;
    requestId = id;
  }
  if (bytes[r.pos] === 0x12) {
    const field = r.bytes(end);
    if (field === undefined) return undefined;
    messageId = field;
  }
  while (bytes[r.pos] === 0x1a) {
    const recipient = r.bytes(end);
    if (recipient === undefined) return undefined;
    const inner = new VarintReader(recipient);
    let mailboxId = EMPTY;
    let capability = EMPTY;
    if (recipient[inner.pos] === 0x0a) {
      const field = inner.bytes(recipient.length);
      if (field === undefined) return undefined;
      mailboxId = field;
    }
    if (recipient[inner.pos] === 0x12) {
      const field = inner.bytes(recipient.length);
      if (field === undefined) return undefined;
      capability = field;
    }
    if (inner.pos !== recipient.length) return undefined;
    recipients.push({ mailboxId, capability });
  }
  if (bytes[r.pos] === 0x22) {
    const field = r.bytes(end);
    if (field === undefined) return undefined;
    payload = field;
  }
  if (r.pos !== end) return undefined;
  return { requestId, messageId, recipients, payload };
}

const EMPTY: Uint8Array = new Uint8Array(0);

class VarintReader {
  pos = 0;
  constructor(private readonly bytes_: Uint8Array) {}

  /** Undefined when truncated or longer than 10 bytes; exact below 2^53 only. */
  varint(): number | undefined {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes_.length) return undefined;
      const b = this.bytes_[this.pos++]!;
      // A tenth byte above 1 overflows uint64: frames.ts refuses that frame.
      if (i === 9 && b > 1) return undefined;
      result += (b & 127) * mul;
      if (b < 128) return result;
      mul *= 128;
    }
    return undefined;
  }

  /** A length-delimited field after its tag: a view of its bytes, or undefined when it runs past `end`. */
  bytes(end: number): Uint8Array | undefined {
    this.pos++;
    const length = this.varint();
    if (length === undefined || this.pos + length > end) return undefined;
    const out = this.bytes_.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
