/** The hand-written hot-frame codec against protobuf-es, on random frames. */
import { it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { create } from "@bufbuild/protobuf";
import {
  AckSchema,
  EntrySchema,
  RecipientErrorSchema,
  SendResultSchema,
  DeliverSchema,
  MAX_ACKS_PER_FRAME,
  CommitGuardSchema,
  SendSchema,
  decodeAckFrame,
  decodeClientFrame,
  decodeSendFrame,
  encodeClientFrame,
  encodeDeliverFrame,
  encodeSendResultFrame,
  encodeServerFrame,
} from "@bote/protocol";

const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const entryId = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ maxLength: 40, unit: "grapheme" });

it("encodes a SendResult frame byte for byte as protobuf-es does", () => {
  fc.assert(
    fc.property(
      uint32,
      text,
      fc.array(fc.record({ index: uint32, code: text }), { maxLength: 5 }),
      fc.boolean(),
      uint64,
      (requestId, errorCode, rejected, duplicate, currentEpoch) => {
        const hand = encodeSendResultFrame({ requestId, errorCode, rejected, duplicate, currentEpoch });
        const real = encodeServerFrame({
          case: "sendResult",
          value: create(SendResultSchema, {
            requestId,
            errorCode,
            rejected: rejected.map((r) => create(RecipientErrorSchema, r)),
            duplicate,
            currentEpoch,
          }),
        });
        assert.deepEqual(hand, real);
      },
    ),
    { numRuns: 500 },
  );
});

it("encodes a Deliver frame byte for byte as protobuf-es does", () => {
  const entry = fc.record({
    entryId,
    mailboxId: fc.uint8Array({ maxLength: 40 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 8 }), fc.boolean(), (entries, caughtUp) => {
      const hand = encodeDeliverFrame(entries, caughtUp);
      const real = encodeServerFrame({
        case: "deliver",
        value: create(DeliverSchema, {
          entries: entries.map((e) => create(EntrySchema, { ...e, entryId: BigInt(e.entryId) })),
          caughtUp,
        }),
      });
      assert.deepEqual(hand, real);
    }),
    { numRuns: 500 },
  );
});

it("reads an Ack frame's ids as protobuf-es does, and leaves every other frame to it", () => {
  const safe = entryId.map(BigInt);
  fc.assert(
    fc.property(fc.array(fc.oneof(safe, safe, uint64), { minLength: 1, maxLength: MAX_ACKS_PER_FRAME }), (ids) => {
      const bytes = encodeClientFrame({ case: "ack", value: create(AckSchema, { entryIds: ids }) });
      const real = decodeClientFrame(bytes);
      assert.equal(real.case, "ack");
      const fast = decodeAckFrame(bytes);
      // An id no entry can have (2^53 or more) leaves the frame to protobuf-es.
      if (ids.some((id) => id > BigInt(Number.MAX_SAFE_INTEGER))) assert.equal(fast, undefined);
      else assert.deepEqual(fast, real.case === "ack" ? real.value.entryIds.map(Number) : undefined);
    }),
    { numRuns: 500 },
  );
  // Empty, too many ids, truncated, or not an ack: decodeClientFrame decides (and refuses).
  const ack = (ids: bigint[]) => encodeClientFrame({ case: "ack", value: create(AckSchema, { entryIds: ids }) });
  const tooMany = ack(Array.from({ length: MAX_ACKS_PER_FRAME + 1 }, (_, i) => BigInt(i + 1)));
  for (const bytes of [ack([]), tooMany, ack([300n]).subarray(0, 4), new Uint8Array([0x1a, 0x03, 0x08, 0x01, 0x02])]) {
    assert.equal(decodeAckFrame(bytes), undefined);
  }
  const ping = encodeClientFrame({ case: "ping", value: { $typeName: "bote.v1.Ping", nonce: 7n } });
  assert.equal(decodeAckFrame(ping), undefined);
  // A varint that overflows uint64 is no id.
  const overflow = new Uint8Array([0x1a, 0x0c, 0x0a, 0x0a, 255, 255, 255, 255, 255, 255, 255, 255, 255, 2]);
  assert.equal(decodeAckFrame(overflow), undefined);
});

it("reads an Ack whose ids protobuf-es wrote unpacked through the fallback alone", () => {
  // Field 1 as two separate varints (0x08): valid protobuf, not the packed form.
  const unpacked = new Uint8Array([0x1a, 0x04, 0x08, 0x05, 0x08, 0x06]);
  assert.equal(decodeAckFrame(unpacked), undefined);
  const real = decodeClientFrame(unpacked);
  assert.deepEqual(real.case === "ack" && real.value.entryIds, [5n, 6n]);
});

/** A Send's fields the relay reads, from protobuf-es's message. */
function sendFields(frame: ReturnType<typeof decodeClientFrame>) {
  assert.equal(frame.case, "send");
  const s = frame.value;
  return {
    requestId: s.requestId,
    messageId: s.messageId,
    recipients: s.recipients.map((r) => ({ mailboxId: r.mailboxId, capability: r.capability })),
    payload: s.payload,
  };
}

it("reads a Send frame as protobuf-es does, and leaves commits, Welcomes and odd frames to it", () => {
  const recipient = fc.record({
    mailboxId: fc.uint8Array({ maxLength: 20 }),
    capability: fc.uint8Array({ maxLength: 40 }),
  });
  const guard = fc.record({ groupId: fc.uint8Array({ minLength: 1, maxLength: 32 }), epoch: uint64 });
  fc.assert(
    fc.property(
      uint32,
      fc.uint8Array({ maxLength: 20 }),
      fc.array(recipient, { maxLength: 6 }),
      fc.uint8Array({ maxLength: 400 }),
      fc.option(guard, { freq: 4 }),
      (requestId, messageId, recipients, payload, commit) => {
        const value = create(SendSchema, { requestId, messageId, recipients, payload });
        if (commit !== null) value.commit = create(CommitGuardSchema, commit);
        const bytes = encodeClientFrame({ case: "send", value });
        const fast = decodeSendFrame(bytes);
        if (commit !== null) return assert.equal(fast, undefined);
        assert.deepEqual(fast, sendFields(decodeClientFrame(bytes)));
      },
    ),
    { numRuns: 500 },
  );
  // Whatever the hand decoder takes from a damaged frame, protobuf-es reads alike.
  const base = encodeClientFrame({
    case: "send",
    value: create(SendSchema, {
      requestId: 300,
      messageId: new Uint8Array(16).fill(1),
      recipients: [{ mailboxId: new Uint8Array(16).fill(2), capability: new Uint8Array(33).fill(3) }],
      payload: new Uint8Array(256).fill(4),
    }),
  });
  fc.assert(
    fc.property(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
      const bytes = base.slice();
      bytes[at] = byte;
      const fast = decodeSendFrame(bytes);
      if (fast === undefined) return;
      assert.deepEqual(fast, sendFields(decodeClientFrame(bytes)));
    }),
    { numRuns: 2000 },
  );
  // Fields out of order or twice: valid protobuf, read by protobuf-es alone.
  const twice = new Uint8Array([0x12, 0x04, 0x08, 0x01, 0x08, 0x02]);
  assert.equal(decodeSendFrame(twice), undefined);
  assert.equal(sendFields(decodeClientFrame(twice)).requestId, 2);
  const backwards = new Uint8Array([0x12, 0x05, 0x22, 0x01, 0x07, 0x08, 0x01]);
  assert.equal(decodeSendFrame(backwards), undefined);
  assert.equal(decodeAckFrame(backwards), undefined);
});
