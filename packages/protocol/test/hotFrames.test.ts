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
  decodeAckFrame,
  decodeClientFrame,
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
