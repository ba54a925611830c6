/**
 * The WebSocket frame codec and its parse gate. Frames are Protocol Buffers
 * (proto/bote/v1/relay.proto); decoding bounds sizes and checks every field
 * before a frame reaches the server or client logic.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ClientFrameSchema, ServerFrameSchema, type ClientFrame, type ServerFrame } from "./gen/bote/v1/relay_pb.js";
import { BoteError } from "./errors.js";
import type { HotSend } from "./hotFrames.js";
import {
  CAPABILITY_BYTES,
  ID_BYTES,
  MAX_ACKS_PER_FRAME,
  MAX_FRAME_BYTES,
  MAX_GROUP_ID_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_RECIPIENTS,
} from "./limits.js";

export * from "./gen/bote/v1/relay_pb.js";

type FrameCase<F extends { frame: { case: string | undefined } }> = Exclude<F["frame"], { case: undefined }>;
export type ClientFrameBody = FrameCase<ClientFrame>;
export type ServerFrameBody = FrameCase<ServerFrame>;

export function encodeClientFrame(body: ClientFrameBody): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { frame: body }));
}

export function encodeServerFrame(body: ServerFrameBody): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { frame: body }));
}

function decodeFrame<F extends ClientFrame | ServerFrame>(
  schema: typeof ClientFrameSchema | typeof ServerFrameSchema,
  bytes: Uint8Array,
): FrameCase<F> {
  if (bytes.length > MAX_FRAME_BYTES) throw new BoteError("frame_too_large");
  let frame: F;
  try {
    frame = fromBinary(schema, bytes) as F;
  } catch {
    throw new BoteError("frame_malformed");
  }
  if (frame.frame.case === undefined) throw new BoteError("frame_unknown");
  return frame.frame as FrameCase<F>;
}

/**
 * Decodes and checks a frame from a client; throws BoteError with the path of
 * the fault. A send is checked separately (checkSend) so that its failure can
 * be answered with its request id.
 */
export function decodeClientFrame(bytes: Uint8Array): ClientFrameBody {
  const body = decodeFrame<ClientFrame>(ClientFrameSchema, bytes);
  switch (body.case) {
    case "send":
      break;
    case "ack":
      if (body.value.entryIds.length === 0 || body.value.entryIds.length > MAX_ACKS_PER_FRAME)
        throw new BoteError("frame_malformed", "ack.entryIds");
      break;
    case "hello":
      if (body.value.sessionToken.length > 128) throw new BoteError("frame_malformed", "hello.sessionToken");
      break;
    case "ping":
      break;
  }
  return body;
}

export function decodeServerFrame(bytes: Uint8Array): ServerFrameBody {
  return decodeFrame<ServerFrame>(ServerFrameSchema, bytes);
}

function checkRecipients(recipients: HotSend["recipients"], path: string): void {
  if (recipients.length === 0) throw new BoteError("frame_malformed", path);
  if (recipients.length > MAX_RECIPIENTS) throw new BoteError("too_many_recipients", path);
  recipients.forEach((r, i) => {
    if (r.mailboxId.length !== ID_BYTES) throw new BoteError("frame_malformed", `${path}.${i}.mailboxId`);
    if (r.capability.length !== CAPABILITY_BYTES) throw new BoteError("frame_malformed", `${path}.${i}.capability`);
  });
}

export function checkSend(send: HotSend): void {
  if (send.messageId.length !== ID_BYTES) throw new BoteError("frame_malformed", "send.messageId");
  checkRecipients(send.recipients, "send.recipients");
  if (send.payload.length === 0) throw new BoteError("frame_malformed", "send.payload");
  let total = send.payload.length;
  if (send.commit !== undefined) {
    const g = send.commit.groupId.length;
    if (g === 0 || g > MAX_GROUP_ID_BYTES) throw new BoteError("frame_malformed", "send.commit.groupId");
  }
  if (send.welcome !== undefined) {
    if (send.commit === undefined) throw new BoteError("frame_malformed", "send.welcome");
    checkRecipients(send.welcome.recipients, "send.welcome.recipients");
    if (send.welcome.payload.length === 0) throw new BoteError("frame_malformed", "send.welcome.payload");
    if (send.recipients.length + send.welcome.recipients.length > MAX_RECIPIENTS)
      throw new BoteError("too_many_recipients", "send.welcome.recipients");
    total += send.welcome.payload.length;
  }
  if (total > MAX_PAYLOAD_BYTES) throw new BoteError("payload_too_large", "send.payload");
}
