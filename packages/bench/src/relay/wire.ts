/**
 * A hand-written codec for the few frames the load generator sends and
 * receives per message (Send, Ack; SendResult, Deliver). It writes and reads
 * the same Protocol Buffers bytes as @bote/protocol's codec — `selfCheck`
 * proves that against the real codec at every start — but without building a
 * message object per frame, so that the generator is not what a benchmark
 * measures. Anything else (HelloOk, Error, Pong) goes through the real codec.
 */
import {
  CAPABILITY_BYTES,
  ID_BYTES,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  varintSize,
  writeVarint,
  type ServerFrameBody,
} from "@bote/protocol";

/** The encoded `recipients` field (tag, length, Recipient) for one mailbox; built once per client. */
export function encodeRecipientField(mailboxId: Uint8Array, capability: Uint8Array): Buffer {
  if (mailboxId.length !== ID_BYTES || capability.length !== CAPABILITY_BYTES) throw new Error("bad recipient");
  const inner = 2 + ID_BYTES + 2 + CAPABILITY_BYTES;
  const out = Buffer.alloc(2 + inner);
  let o = 0;
  out[o++] = 0x1a; // Send.recipients = 3, length-delimited
  out[o++] = inner;
  out[o++] = 0x0a; // Recipient.mailbox_id = 1
  out[o++] = ID_BYTES;
  out.set(mailboxId, o);
  o += ID_BYTES;
  out[o++] = 0x12; // Recipient.capability = 2
  out[o++] = CAPABILITY_BYTES;
  out.set(capability, o);
  return out;
}

export interface EncodedSend {
  frame: Buffer;
  /** Where the payload starts inside `frame`, for the caller to stamp it. */
  payloadOffset: number;
}

/**
 * One ClientFrame{send}: request id, a 16-byte message id taken from
 * `messageIds` at `idOffset`, one recipient, and a copy of `payload`.
 */
export function encodeSend(
  requestId: number,
  messageIds: Uint8Array,
  idOffset: number,
  recipientField: Uint8Array,
  payload: Uint8Array,
): EncodedSend {
  // proto3 leaves a zero field out, and so do we, byte for byte like the real codec.
  const requestIdLen = requestId === 0 ? 0 : 1 + varintSize(requestId);
  const bodyLen = requestIdLen + 2 + ID_BYTES + recipientField.length + 1 + varintSize(payload.length) + payload.length;
  const frame = Buffer.allocUnsafe(1 + varintSize(bodyLen) + bodyLen);
  let o = 0;
  frame[o++] = 0x12; // ClientFrame.send = 2
  o = writeVarint(frame, o, bodyLen);
  if (requestId !== 0) {
    frame[o++] = 0x08; // Send.request_id = 1
    o = writeVarint(frame, o, requestId);
  }
  frame[o++] = 0x12; // Send.message_id = 2
  frame[o++] = ID_BYTES;
  frame.set(messageIds.subarray(idOffset, idOffset + ID_BYTES), o);
  o += ID_BYTES;
  frame.set(recipientField, o);
  o += recipientField.length;
  frame[o++] = 0x22; // Send.payload = 4
  o = writeVarint(frame, o, payload.length);
  frame.set(payload, o);
  return { frame, payloadOffset: o };
}

/** One ClientFrame{ack} with packed entry ids (at most MAX_ACKS_PER_FRAME; the caller splits). */
export function encodeAck(entryIds: readonly number[], from = 0, to = entryIds.length): Buffer {
  let idsLen = 0;
  for (let i = from; i < to; i++) idsLen += varintSize(entryIds[i]!);
  const ackLen = 1 + varintSize(idsLen) + idsLen;
  const frame = Buffer.allocUnsafe(1 + varintSize(ackLen) + ackLen);
  let o = 0;
  frame[o++] = 0x1a; // ClientFrame.ack = 3
  o = writeVarint(frame, o, ackLen);
  frame[o++] = 0x0a; // Ack.entry_ids = 1, packed
  o = writeVarint(frame, o, idsLen);
  for (let i = from; i < to; i++) o = writeVarint(frame, o, entryIds[i]!);
  return frame;
}

/** What the fast decoder calls back with; payload is a view into the frame, valid during the call only. */
export interface ServerFrameHandler {
  onSendResult(requestId: number, ok: boolean): void;
  onEntry(entryId: number, frame: Buffer, payloadStart: number, payloadEnd: number): void;
  /** Any other frame, decoded by the real codec. */
  onOther(body: ServerFrameBody): void;
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    public end: number,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error("truncated varint");
      const b = this.buf[this.pos++]!;
      result += (b & 127) * mul;
      if (b < 128) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error("varint too long");
    }
  }

  /** Returns the end of a length-delimited field whose content starts at `pos`. */
  lengthDelimited(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) throw new Error("truncated field");
    return end;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.pos = this.lengthDelimited();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Error(`wire type ${wireType}`);
    }
  }
}

/** Decodes one ServerFrame, taking the fast path for SendResult and Deliver. */
export function decodeServerFrameFast(frame: Buffer, handler: ServerFrameHandler): void {
  const r = new Reader(frame, frame.length);
  const tag = r.varint();
  const field = tag >>> 3;
  if ((tag & 7) !== 2 || (field !== 2 && field !== 3)) return handler.onOther(decodeServerFrame(frame));
  const bodyEnd = r.lengthDelimited();
  if (bodyEnd !== frame.length) return handler.onOther(decodeServerFrame(frame));
  if (field === 2) {
    // SendResult
    let requestId = 0;
    let ok = true;
    while (r.pos < bodyEnd) {
      const t = r.varint();
      const f = t >>> 3;
      if (f === 1 && (t & 7) === 0) requestId = r.varint();
      else if ((f === 2 || f === 3) && (t & 7) === 2) {
        // A non-empty error_code or any rejected recipient is a failure.
        const end = r.lengthDelimited();
        if (f === 3 || end > r.pos) ok = false;
        r.pos = end;
      } else r.skip(t & 7);
    }
    return handler.onSendResult(requestId, ok);
  }
  // Deliver: repeated Entry entries = 1
  while (r.pos < bodyEnd) {
    const t = r.varint();
    if (t !== 0x0a) {
      r.skip(t & 7);
      continue;
    }
    const entryEnd = r.lengthDelimited();
    let entryId = 0;
    let payloadStart = 0;
    let payloadEnd = 0;
    while (r.pos < entryEnd) {
      const et = r.varint();
      if (et === 0x08) entryId = r.varint();
      else if (et === 0x1a) {
        payloadEnd = r.lengthDelimited();
        payloadStart = r.pos;
        r.pos = payloadEnd;
      } else r.skip(et & 7);
    }
    r.pos = entryEnd;
    handler.onEntry(entryId, frame, payloadStart, payloadEnd);
  }
}

/** Throws unless the fast codec agrees with @bote/protocol's codec on every frame kind it handles. */
export function selfCheck(): void {
  const mailboxId = Uint8Array.from({ length: ID_BYTES }, (_, i) => i + 1);
  const capability = Uint8Array.from({ length: CAPABILITY_BYTES }, (_, i) => 200 - i);
  const messageIds = Uint8Array.from({ length: 40 }, (_, i) => i * 3);
  const payload = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 255);
  for (const requestId of [0, 1, 127, 128, 300_000, 4_294_967_295]) {
    const { frame } = encodeSend(requestId, messageIds, 4, encodeRecipientField(mailboxId, capability), payload);
    const body = decodeClientFrame(frame);
    if (body.case !== "send") throw new Error("selfCheck: not a send");
    const s = body.value;
    const expected = encodeClientFrame({
      case: "send",
      value: {
        $typeName: "bote.v1.Send",
        requestId,
        messageId: messageIds.subarray(4, 4 + ID_BYTES),
        recipients: [{ $typeName: "bote.v1.Recipient", mailboxId, capability }],
        payload,
      },
    });
    if (
      s.requestId !== requestId ||
      !Buffer.from(s.messageId).equals(messageIds.subarray(4, 20)) ||
      s.recipients.length !== 1 ||
      !Buffer.from(s.recipients[0]!.mailboxId).equals(mailboxId) ||
      !Buffer.from(s.recipients[0]!.capability).equals(capability) ||
      !Buffer.from(s.payload).equals(payload) ||
      !Buffer.from(expected).equals(frame)
    )
      throw new Error(`selfCheck: send ${requestId} differs`);
  }
  const ids = [1, 127, 128, 70_000, 2 ** 40 + 3];
  const ack = decodeClientFrame(encodeAck(ids));
  if (ack.case !== "ack" || ack.value.entryIds.map(Number).join() !== ids.join())
    throw new Error("selfCheck: ack differs");

  const seen: string[] = [];
  const handler: ServerFrameHandler = {
    onSendResult: (id, ok) => seen.push(`r${id}:${ok}`),
    onEntry: (id, f, a, b) => seen.push(`e${id}:${Buffer.from(f.subarray(a, b)).toString("hex")}`),
    onOther: (b) => seen.push(`o:${b.case}`),
  };
  const sendResult = (requestId: number, errorCode: string, rejected: number) =>
    Buffer.from(
      encodeServerFrame({
        case: "sendResult",
        value: {
          $typeName: "bote.v1.SendResult",
          requestId,
          errorCode,
          rejected: Array.from({ length: rejected }, (_, index) => ({
            $typeName: "bote.v1.RecipientError" as const,
            index,
            code: "capability_invalid",
          })),
          duplicate: false,
          currentEpoch: 0n,
        },
      }),
    );
  decodeServerFrameFast(sendResult(5, "", 0), handler);
  decodeServerFrameFast(sendResult(6, "capability_invalid", 0), handler);
  decodeServerFrameFast(sendResult(7, "", 1), handler);
  decodeServerFrameFast(
    Buffer.from(
      encodeServerFrame({
        case: "deliver",
        value: {
          $typeName: "bote.v1.Deliver",
          entries: [
            { $typeName: "bote.v1.Entry", entryId: 9n, mailboxId, payload: Uint8Array.of(1, 2) },
            { $typeName: "bote.v1.Entry", entryId: 300n, mailboxId, payload: Uint8Array.of(3) },
          ],
          // The fast path skips fields it does not need.
          caughtUp: true,
        },
      }),
    ),
    handler,
  );
  decodeServerFrameFast(
    Buffer.from(
      encodeServerFrame({
        case: "helloOk",
        value: { $typeName: "bote.v1.HelloOk", protocolVersion: 1, receiving: true, pingIntervalSeconds: 0 },
      }),
    ),
    handler,
  );
  const want = "r5:true,r6:false,r7:false,e9:0102,e300:03,o:helloOk";
  if (seen.join() !== want) throw new Error(`selfCheck: server frames decoded as ${seen.join()}`);
}
