import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  BoteError,
  SendSchema,
  checkSend,
  decodeBase64url,
  decodeClientFrame,
  decodeServerFrame,
  encodeBase64url,
  encodeClientFrame,
  encodeServerFrame,
  padPayload,
  paddedLength,
  unpadPayload,
  MAX_RECIPIENTS,
} from "@bote/protocol";

const bytes = (n: number) => new Uint8Array(randomBytes(n));

it("round-trips base64url for every length and rejects non-canonical text", () => {
  for (let n = 0; n < 70; n++) {
    const b = bytes(n);
    const text = encodeBase64url(b);
    assert.equal(text, Buffer.from(b).toString("base64url"));
    assert.deepEqual(decodeBase64url(text), b);
  }
  assert.equal(decodeBase64url("a"), undefined);
  assert.equal(decodeBase64url("ab+/"), undefined);
  assert.equal(decodeBase64url("AB"), undefined, "leftover bits must be zero");
  assert.equal(decodeBase64url("AA=="), undefined);
});

it("pads to buckets and strips the padding again", () => {
  assert.equal(paddedLength(0), 256);
  assert.equal(paddedLength(255), 256);
  assert.equal(paddedLength(256), 512);
  assert.equal(paddedLength(65535), 65536);
  assert.equal(paddedLength(65536), 131072);
  for (const n of [0, 1, 200, 255, 256, 1000, 70000]) {
    const p = bytes(n);
    const padded = padPayload(p);
    assert.equal(padded.length, paddedLength(n));
    assert.deepEqual(unpadPayload(padded), p);
  }
  assert.equal(unpadPayload(new Uint8Array(10)), undefined);
  assert.equal(unpadPayload(new Uint8Array([1, 2, 3])), undefined);
});

it("pads into memory that was not zeroed, as a server cuts it from a pool", () => {
  for (const n of [0, 1, 200, 255, 256, 70_000]) {
    const p = bytes(n);
    const padded = padPayload(p, (length) => new Uint8Array(length).fill(0xaa));
    assert.deepEqual(padded, padPayload(p));
  }
});

it("round-trips client and server frames", () => {
  const send = create(SendSchema, {
    requestId: 7,
    messageId: bytes(16),
    recipients: [{ mailboxId: bytes(16), capability: bytes(33) }],
    payload: bytes(200),
    commit: { groupId: bytes(32), epoch: 41n },
  });
  const decoded = decodeClientFrame(encodeClientFrame({ case: "send", value: send }));
  assert.equal(decoded.case, "send");
  if (decoded.case === "send") {
    assert.deepEqual(decoded.value.payload, send.payload);
    assert.equal(decoded.value.commit?.epoch, 41n);
    checkSend(decoded.value);
  }
  const frame = encodeServerFrame({
    case: "deliver",
    value: {
      $typeName: "bote.v1.Deliver",
      entries: [{ $typeName: "bote.v1.Entry", entryId: 9n, mailboxId: bytes(16), payload: bytes(256) }],
      caughtUp: true,
    },
  });
  const back = decodeServerFrame(frame);
  assert.equal(back.case === "deliver" && back.value.entries[0]!.entryId, 9n);
});

it("rejects malformed, unknown and oversized frames with their codes", () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof BoteError ? e.code : "other";
    }
    return "none";
  };
  assert.equal(
    code(() => decodeClientFrame(new Uint8Array([0xff, 0xff, 0xff]))),
    "frame_malformed",
  );
  assert.equal(
    code(() => decodeClientFrame(new Uint8Array([0x7a, 0x00]))),
    "frame_unknown",
  );
  assert.equal(
    code(() => decodeClientFrame(new Uint8Array(0))),
    "frame_unknown",
  );
  assert.equal(
    code(() => decodeClientFrame(new Uint8Array(6 * 1024 * 1024))),
    "frame_too_large",
  );
  const base = { requestId: 1, messageId: bytes(16), payload: bytes(10) };
  const r = { mailboxId: bytes(16), capability: bytes(33) };
  assert.equal(
    code(() => checkSend(create(SendSchema, { ...base, recipients: [] }))),
    "frame_malformed",
  );
  assert.equal(
    code(() => checkSend(create(SendSchema, { ...base, recipients: Array(MAX_RECIPIENTS + 1).fill(r) }))),
    "too_many_recipients",
  );
  assert.equal(
    code(() =>
      checkSend(create(SendSchema, { ...base, recipients: [r], welcome: { recipients: [r], payload: bytes(3) } })),
    ),
    "frame_malformed",
    "a Welcome needs a commit",
  );
});
