/**
 * The raw frames of the two baselines (ceiling.ts, durable.ts): the same four
 * hot frames as Bote's protocol — send, send-result, deliver, ack — as fixed
 * little-endian records after a one-byte kind, with no Protocol Buffers, no
 * message id and no capability. A client says who it is in the URL
 * (`?c=INDEX`, its index among the load clients), so there is no Hello.
 *
 *   send         [1][u32 request id][u32 recipient index][payload…]
 *   send-result  [2] then per result  [u32 request id][u8 ok]
 *   deliver      [3] then per entry   [u32 entry id][u32 length][payload]
 *   ack          [4] then per entry   [u32 entry id]
 */
import type { ServerFrameHandler } from "./wire.js";

export const SEND = 1;
export const SEND_RESULT = 2;
export const DELIVER = 3;
export const ACK = 4;

export const SEND_HEADER_BYTES = 9;
export const SEND_RESULT_BYTES = 5;
export const ENTRY_HEADER_BYTES = 8;
export const ACK_BYTES = 4;

/** The load client's index from a baseline's request URL; undefined when it is missing or malformed. */
export function clientIndexOf(url: string | undefined): number | undefined {
  const m = /[?&]c=(\d{1,9})(?:&|$)/.exec(url ?? "");
  return m === null ? undefined : Number(m[1]);
}

export function rawUrl(wsUrl: string, index: number): string {
  return `${wsUrl}?c=${index}`;
}

export function encodeRawSend(requestId: number, recipient: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(SEND_HEADER_BYTES + payload.length);
  frame[0] = SEND;
  frame.writeUInt32LE(requestId, 1);
  frame.writeUInt32LE(recipient, 5);
  frame.set(payload, SEND_HEADER_BYTES);
  return frame;
}

export function encodeRawAck(entryIds: readonly number[], from = 0, to = entryIds.length): Buffer {
  const frame = Buffer.allocUnsafe(1 + ACK_BYTES * (to - from));
  frame[0] = ACK;
  for (let i = from; i < to; i++) frame.writeUInt32LE(entryIds[i]!, 1 + ACK_BYTES * (i - from));
  return frame;
}

/** One deliver frame for `entries` (entry id, payload), or one entry when the relay forwards at once. */
export function encodeRawDeliver(ids: readonly number[], payloads: readonly Uint8Array[]): Buffer {
  let bytes = 1;
  for (const p of payloads) bytes += ENTRY_HEADER_BYTES + p.length;
  const frame = Buffer.allocUnsafe(bytes);
  frame[0] = DELIVER;
  let o = 1;
  for (let i = 0; i < ids.length; i++) {
    const p = payloads[i]!;
    frame.writeUInt32LE(ids[i]!, o);
    frame.writeUInt32LE(p.length, o + 4);
    frame.set(p, o + ENTRY_HEADER_BYTES);
    o += ENTRY_HEADER_BYTES + p.length;
  }
  return frame;
}

export function encodeRawSendResults(requestIds: readonly number[], ok: readonly boolean[]): Buffer {
  const frame = Buffer.allocUnsafe(1 + SEND_RESULT_BYTES * requestIds.length);
  frame[0] = SEND_RESULT;
  for (let i = 0; i < requestIds.length; i++) {
    frame.writeUInt32LE(requestIds[i]!, 1 + SEND_RESULT_BYTES * i);
    frame[5 + SEND_RESULT_BYTES * i] = ok[i]! ? 1 : 0;
  }
  return frame;
}

/** The client side: send-results and deliveries go to the same handler as Bote's decoded frames. */
export function decodeRawServerFrame(frame: Buffer, handler: ServerFrameHandler): void {
  const kind = frame[0];
  if (kind === SEND_RESULT) {
    if ((frame.length - 1) % SEND_RESULT_BYTES !== 0) throw new Error(`send-result of ${frame.length} bytes`);
    for (let o = 1; o < frame.length; o += SEND_RESULT_BYTES)
      handler.onSendResult(frame.readUInt32LE(o), frame[o + 4] === 1);
    return;
  }
  if (kind !== DELIVER) throw new Error(`unknown raw frame kind ${kind}`);
  for (let o = 1; o < frame.length;) {
    if (o + ENTRY_HEADER_BYTES > frame.length) throw new Error("truncated deliver");
    const start = o + ENTRY_HEADER_BYTES;
    const end = start + frame.readUInt32LE(o + 4);
    if (end > frame.length) throw new Error("truncated deliver");
    handler.onEntry(frame.readUInt32LE(o), frame, start, end);
    o = end;
  }
}
