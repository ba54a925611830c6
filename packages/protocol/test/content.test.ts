import { it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { clone, create, toBinary } from "@bufbuild/protobuf";
import {
  Attachment_Kind,
  BoteError,
  ContentSchema,
  MAX_DISAPPEARING_SECONDS,
  InquiryUpdate_Status,
  Receipt_Kind,
  decodeContent,
  encodeContent,
  type Content,
  type ContentBody,
  CONTENT_VERSION,
  MAX_ATTACHMENT_CONTENT_BYTES,
  MAX_CHUNK_BYTES,
  MAX_EMOJI_CHARS,
  MAX_FILE_NAME_CHARS,
  MAX_IMAGE_DIMENSION,
  MAX_INQUIRY_ATTACHMENTS,
  MAX_MEDIA_DURATION_MS,
  MAX_RECEIPT_TARGETS,
  MAX_TEXT_CHARS,
  MAX_THUMBNAIL_BYTES,
  MIN_CHUNK_BYTES,
} from "@bote/protocol";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// ---- arbitraries for valid contents ----------------------------------------

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const id = bytesOf(16);
const key32 = bytesOf(32);
/** Full Unicode code points (no lone surrogates), normalised to NFC as the codec does. */
const nfc = (min: number, max: number) =>
  fc
    .string({ unit: "binary", minLength: min, maxLength: max })
    .map((s) => s.normalize("NFC"))
    .filter((s) => s.length >= min && s.length <= max);
const noControl = (s: string) => !/\p{Cc}/u.test(s);
const u53 = fc.bigInt({ min: 0n, max: MAX_SAFE });

const textBody = fc
  .record({ text: nfc(1, 300), replyTo: id }, { requiredKeys: ["text"] })
  .map((value) => ({ case: "text" as const, value }));
const attachmentBody = fc
  .record(
    {
      blobId: key32,
      key: key32,
      digest: key32,
      size: u53,
      mediaType: fc.stringMatching(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,20}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,30}$/),
      fileName: nfc(0, 40).filter((s) => noControl(s) && !/[/\\]/.test(s) && s !== "." && s !== ".."),
      width: fc.integer({ min: 1, max: MAX_IMAGE_DIMENSION }),
      height: fc.integer({ min: 1, max: MAX_IMAGE_DIMENSION }),
      thumbnail: fc.uint8Array({ minLength: 1, maxLength: 600 }),
      caption: nfc(0, 100),
      chunkSize: fc.integer({ min: MIN_CHUNK_BYTES, max: MAX_CHUNK_BYTES }),
    },
    { requiredKeys: ["blobId", "key", "digest", "size", "mediaType", "fileName", "caption", "chunkSize"] },
  )
  .map((value) => ({ case: "attachment" as const, value }));
const reactionBody = fc
  .record({ targetMessageId: id, emoji: nfc(0, 8).filter(noControl) })
  .map((value) => ({ case: "reaction" as const, value }));
const editBody = fc
  .record({ targetMessageId: id, text: nfc(1, 300) })
  .map((value) => ({ case: "edit" as const, value }));
const deleteBody = fc.record({ targetMessageId: id }).map((value) => ({ case: "delete" as const, value }));
const receiptBody = fc
  .record({
    kind: fc.constantFrom(Receipt_Kind.DELIVERED, Receipt_Kind.READ),
    targetMessageIds: fc.array(id, { minLength: 1, maxLength: 50 }),
  })
  .map((value) => ({ case: "receipt" as const, value }));

const organisationKeyBody = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((signKey) => ({ case: "organisationKey" as const, value: { signKey } }));

const disappearingTimerBody = fc
  .integer({ min: 0, max: MAX_DISAPPEARING_SECONDS })
  .map((seconds) => ({ case: "disappearingTimer" as const, value: { seconds } }));

const photoOrPdf = attachmentBody.chain((a) =>
  fc.constantFrom("image/jpeg", "image/png", "application/pdf").map((mediaType) => ({ ...a.value, mediaType })),
);
const inquiryBody = fc
  .record(
    {
      text: nfc(1, 300),
      contactName: nfc(1, 40).filter(noControl),
      contactPhone: fc.stringMatching(/^\+?[0-9 ]{1,20}$/),
      contactEmail: fc.constantFrom("kundin@example.org", "a@b"),
      contactAddress: fc.constantFrom("Hauptstr. 1\n50667 Köln", "Am Hang 3"),
      consentAtMs: fc.bigInt({ min: 1n, max: MAX_SAFE }),
      contactPointId: id,
      attachments: fc.array(photoOrPdf, { maxLength: 3 }),
      locale: fc.constantFrom("de", "en", "de-AT"),
    },
    { requiredKeys: ["text", "consentAtMs", "contactPointId", "attachments", "locale"] },
  )
  .map((value) => ({ case: "inquiry" as const, value }));
const inquiryUpdateBody = fc
  .record(
    {
      inquiryGroupId: id,
      status: fc.constantFrom(
        InquiryUpdate_Status.NEW,
        InquiryUpdate_Status.IN_PROGRESS,
        InquiryUpdate_Status.QUOTE_SENT,
        InquiryUpdate_Status.DONE,
      ),
      assigneeAccountId: fc.oneof(id, fc.constant(new Uint8Array(0))),
      note: nfc(1, 200),
      archived: fc.boolean(),
      erased: fc.constant(true),
    },
    { requiredKeys: ["inquiryGroupId", "note"] },
  )
  .map((value) => ({ case: "inquiryUpdate" as const, value }));

const content = fc
  .record(
    {
      messageId: id,
      sentAtMs: u53,
      editedAtMs: u53,
      body: fc.oneof(
        textBody,
        attachmentBody,
        reactionBody,
        editBody,
        deleteBody,
        receiptBody,
        organisationKeyBody,
        inquiryBody,
        inquiryUpdateBody,
        disappearingTimerBody,
      ),
    },
    { requiredKeys: ["messageId", "sentAtMs", "body"] },
  )
  .map((init) => create(ContentSchema, { version: CONTENT_VERSION, ...init }));

function assertRejected(fn: () => unknown, code: string, path: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BoteError, `expected a BoteError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.path, path);
    return true;
  });
}

// ---- properties --------------------------------------------------------------

it("round-trips arbitrary valid contents of every kind", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(content, (c) => {
      seen.add(c.body.case ?? "none");
      assert.deepEqual(decodeContent(encodeContent(c)), c);
    }),
    { seed: 0x0b07e, numRuns: 600 },
  );
  assert.deepEqual([...seen].sort(), [
    "attachment",
    "delete",
    "disappearingTimer",
    "edit",
    "inquiry",
    "inquiryUpdate",
    "organisationKey",
    "reaction",
    "receipt",
    "text",
  ]);
});

const isTypedContentError = (e: unknown) =>
  e instanceof BoteError && (e.code === "content_malformed" || e.code === "content_unsupported");

it("arbitrary bytes decode or throw only the typed content error", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      try {
        const c = decodeContent(bytes);
        // Whatever passes the gate is valid: it encodes again.
        encodeContent(c);
      } catch (e) {
        assert.ok(isTypedContentError(e), String(e));
      }
    }),
    { seed: 1701, numRuns: 3000 },
  );
});

it("valid encodings with corrupted bytes decode or throw only the typed content error", () => {
  fc.assert(
    fc.property(
      content,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      (c, flips) => {
        const bytes = encodeContent(c);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        try {
          encodeContent(decodeContent(bytes));
        } catch (e) {
          assert.ok(isTypedContentError(e), String(e));
        }
      },
    ),
    { seed: 4711, numRuns: 1000 },
  );
});

type Mutation = readonly [path: string, mutate: (c: Content) => void, code?: string];
const wrongLength = (n: number) =>
  fc
    .integer({ min: 0, max: 64 })
    .filter((l) => l !== n)
    .map((l) => new Uint8Array(l));
const tooBig = (max: number) => fc.integer({ min: max + 1, max: 0xffffffff });
const badMediaTypes = ["", "image", "Image/JPEG", "image/jpeg; charset=x", "a/b/c", "/png", "image/", " image/png"];
const badFileNames = [
  "a/b.txt",
  "..\\x",
  "line\nbreak",
  "nul\u0000",
  "del\u007f",
  "c1\u0085",
  ".",
  "..",
  "x".repeat(MAX_FILE_NAME_CHARS + 1),
];

/** Mutations that take one field of a valid content out of bounds, with the path the gate must name. */
function mutations(body: ContentBody): fc.Arbitrary<Mutation>[] {
  const common: fc.Arbitrary<Mutation>[] = [
    wrongLength(16).map((b): Mutation => ["messageId", (c) => (c.messageId = b)]),
    fc.constant<Mutation>(["version", (c) => (c.version = 0)]),
    fc
      .integer({ min: 2, max: 0xffffffff })
      .map((v): Mutation => ["version", (c) => (c.version = v), "content_unsupported"]),
    fc.bigInt({ min: MAX_SAFE + 1n, max: 2n ** 64n - 1n }).map((v): Mutation => ["sentAtMs", (c) => (c.sentAtMs = v)]),
    fc
      .bigInt({ min: MAX_SAFE + 1n, max: 2n ** 64n - 1n })
      .map((v): Mutation => ["editedAtMs", (c) => (c.editedAtMs = v)]),
    fc.constant<Mutation>(["body", (c) => (c.body = { case: undefined }), "content_unsupported"]),
  ];
  const v = <T>(c: Content) => c.body.value as T;
  type B<K extends ContentBody["case"]> = Extract<ContentBody, { case: K }>["value"];
  const longText = fc.integer({ min: MAX_TEXT_CHARS + 1, max: MAX_TEXT_CHARS + 50 }).map((n) => "ä".repeat(n));
  switch (body.case) {
    case "text":
      return [
        ...common,
        fc.constant<Mutation>(["text.text", (c) => (v<B<"text">>(c).text = "")]),
        longText.map((t): Mutation => ["text.text", (c) => (v<B<"text">>(c).text = t)]),
        wrongLength(16).map((b): Mutation => ["text.replyTo", (c) => (v<B<"text">>(c).replyTo = b)]),
      ];
    case "attachment": {
      const a = (c: Content) => v<B<"attachment">>(c);
      return [
        ...common,
        wrongLength(32).map((b): Mutation => ["attachment.blobId", (c) => (a(c).blobId = b)]),
        wrongLength(32).map((b): Mutation => ["attachment.key", (c) => (a(c).key = b)]),
        wrongLength(32).map((b): Mutation => ["attachment.digest", (c) => (a(c).digest = b)]),
        fc
          .bigInt({ min: MAX_SAFE + 1n, max: 2n ** 64n - 1n })
          .map((s): Mutation => ["attachment.size", (c) => (a(c).size = s)]),
        fc.constantFrom(...badMediaTypes).map((t): Mutation => ["attachment.mediaType", (c) => (a(c).mediaType = t)]),
        fc.constantFrom(...badFileNames).map((n): Mutation => ["attachment.fileName", (c) => (a(c).fileName = n)]),
        fc
          .oneof(fc.constant(0), tooBig(MAX_IMAGE_DIMENSION))
          .map((w): Mutation => ["attachment.width", (c) => (a(c).width = w)]),
        fc
          .oneof(fc.constant(0), tooBig(MAX_IMAGE_DIMENSION))
          .map((h): Mutation => ["attachment.height", (c) => (a(c).height = h)]),
        fc
          .constantFrom(0, MAX_THUMBNAIL_BYTES + 1)
          .map((n): Mutation => ["attachment.thumbnail", (c) => (a(c).thumbnail = new Uint8Array(n))]),
        longText.map((t): Mutation => ["attachment.caption", (c) => (a(c).caption = t)]),
        fc
          .oneof(fc.integer({ min: 0, max: MIN_CHUNK_BYTES - 1 }), tooBig(MAX_CHUNK_BYTES))
          .map((s): Mutation => ["attachment.chunkSize", (c) => (a(c).chunkSize = s)]),
      ];
    }
    case "reaction":
      return [
        ...common,
        wrongLength(16).map((b): Mutation => [
          "reaction.targetMessageId",
          (c) => (v<B<"reaction">>(c).targetMessageId = b),
        ]),
        fc
          .constantFrom("x".repeat(MAX_EMOJI_CHARS + 1), "👍\n", "\u0007")
          .map((e): Mutation => ["reaction.emoji", (c) => (v<B<"reaction">>(c).emoji = e)]),
      ];
    case "edit":
      return [
        ...common,
        wrongLength(16).map((b): Mutation => ["edit.targetMessageId", (c) => (v<B<"edit">>(c).targetMessageId = b)]),
        fc.constant<Mutation>(["edit.text", (c) => (v<B<"edit">>(c).text = "")]),
        longText.map((t): Mutation => ["edit.text", (c) => (v<B<"edit">>(c).text = t)]),
      ];
    case "delete":
      return [
        ...common,
        wrongLength(16).map((b): Mutation => [
          "delete.targetMessageId",
          (c) => (v<B<"delete">>(c).targetMessageId = b),
        ]),
      ];
    case "disappearingTimer":
      return [
        ...common,
        fc
          .integer({ min: MAX_DISAPPEARING_SECONDS + 1, max: 0xffffffff })
          .map((n): Mutation => ["disappearingTimer.seconds", (c) => (v<B<"disappearingTimer">>(c).seconds = n)]),
      ];
    case "organisationKey":
      return [
        ...common,
        wrongLength(32).map((b): Mutation => [
          "organisationKey.signKey",
          (c) => (v<B<"organisationKey">>(c).signKey = b),
        ]),
      ];
    case "receipt": {
      const r = (c: Content) => v<B<"receipt">>(c);
      return [
        ...common,
        fc
          .oneof(fc.constant(0), fc.integer({ min: 3, max: 1000 }))
          .map((k): Mutation => ["receipt.kind", (c) => (r(c).kind = k as Receipt_Kind)]),
        fc.constant<Mutation>(["receipt.targetMessageIds", (c) => (r(c).targetMessageIds = [])]),
        fc.constant<Mutation>([
          "receipt.targetMessageIds",
          (c) => (r(c).targetMessageIds = Array.from({ length: MAX_RECEIPT_TARGETS + 1 }, () => new Uint8Array(16))),
        ]),
        fc
          .tuple(fc.nat(), wrongLength(16))
          .map(([i, b]): Mutation => [
            "receipt.targetMessageIds.*",
            (c) => (r(c).targetMessageIds[i % r(c).targetMessageIds.length] = b),
          ]),
      ];
    }
    case "inquiry": {
      const q = (c: Content) => v<B<"inquiry">>(c);
      return [
        ...common,
        fc.constant<Mutation>(["inquiry.text", (c) => (q(c).text = "")]),
        longText.map((t): Mutation => ["inquiry.text", (c) => (q(c).text = t)]),
        fc
          .constantFrom("", "Ta\nmara", "x".repeat(201))
          .map((n): Mutation => ["inquiry.contactName", (c) => (q(c).contactName = n)]),
        fc
          .constantFrom("", "0221\u0007", "1".repeat(65))
          .map((n): Mutation => ["inquiry.contactPhone", (c) => (q(c).contactPhone = n)]),
        fc
          .constantFrom("kundin", "a@b@c", "a b@c", "@")
          .map((e): Mutation => ["inquiry.contactEmail", (c) => (q(c).contactEmail = e)]),
        fc
          .constantFrom("", "Str.\u0000", "x".repeat(1001))
          .map((a): Mutation => ["inquiry.contactAddress", (c) => (q(c).contactAddress = a)]),
        fc.constantFrom(0n, MAX_SAFE + 1n).map((t): Mutation => ["inquiry.consentAtMs", (c) => (q(c).consentAtMs = t)]),
        wrongLength(16).map((b): Mutation => ["inquiry.contactPointId", (c) => (q(c).contactPointId = b)]),
        fc
          .constantFrom("", "deutsch", "DE", "de_DE", "de-at")
          .map((l): Mutation => ["inquiry.locale", (c) => (q(c).locale = l)]),
        fc.constant<Mutation>([
          "inquiry.attachments",
          (c) => {
            const one = create(ContentSchema, {
              body: { case: "attachment", value: { mediaType: "image/jpeg" } },
            }).body.value as B<"attachment">;
            q(c).attachments = Array.from({ length: MAX_INQUIRY_ATTACHMENTS + 1 }, () => one);
          },
        ]),
      ];
    }
    case "inquiryUpdate": {
      const u = (c: Content) => v<B<"inquiryUpdate">>(c);
      return [
        ...common,
        wrongLength(16).map((b): Mutation => ["inquiryUpdate.inquiryGroupId", (c) => (u(c).inquiryGroupId = b)]),
        fc.constant<Mutation>(["inquiryUpdate.status", (c) => (u(c).status = InquiryUpdate_Status.UNSPECIFIED)]),
        fc
          .integer({ min: 5, max: 1000 })
          .map((k): Mutation => [
            "inquiryUpdate.status",
            (c) => (u(c).status = k as InquiryUpdate_Status),
            "content_unsupported",
          ]),
        wrongLength(16)
          .filter((b) => b.length !== 0)
          .map((b): Mutation => ["inquiryUpdate.assigneeAccountId", (c) => (u(c).assigneeAccountId = b)]),
        longText.map((t): Mutation => ["inquiryUpdate.note", (c) => (u(c).note = t)]),
        fc.constant<Mutation>(["inquiryUpdate.erased", (c) => (u(c).erased = false)]),
        fc.constant<Mutation>([
          "inquiryUpdate",
          (c) => {
            const value = u(c);
            delete value.status;
            delete value.assigneeAccountId;
            delete value.note;
            delete value.archived;
            delete value.erased;
          },
        ]),
      ];
    }
  }
}

it("every single field out of bounds is rejected with its path, when encoding and when decoding", () => {
  const pathsSeen = new Set<string>();
  fc.assert(
    fc.property(
      content.chain((c) => fc.tuple(fc.constant(c), fc.oneof(...mutations(c.body as ContentBody)))),
      ([valid, [path, mutate, code = "content_malformed"]]) => {
        const bad = clone(ContentSchema, valid);
        mutate(bad);
        let expected = path;
        if (path === "receipt.targetMessageIds.*") {
          const ids = (bad.body.value as { targetMessageIds: Uint8Array[] }).targetMessageIds;
          expected = `receipt.targetMessageIds.${ids.findIndex((t) => t.length !== 16)}`;
        }
        pathsSeen.add(path);
        assertRejected(() => encodeContent(bad), code, expected);
        // A peer that skips the checks: the receiver's gate catches it.
        assertRejected(() => decodeContent(toBinary(ContentSchema, bad)), code, expected);
      },
    ),
    { seed: 20261126, numRuns: 1500 },
  );
  assert.equal(pathsSeen.size, 27 + 16, "every mutation was exercised");
});

it("a text or file carries the disappearing timer it was sent under; nothing else may", () => {
  const text = { case: "text" as const, value: { text: "Bis gleich" } };
  const at = { messageId: new Uint8Array(16).fill(4), sentAtMs: 5n };
  assert.equal(decodeContent(encodeContent({ ...at, expireAfterS: 3600, body: text })).expireAfterS, 3600);
  assert.equal(decodeContent(encodeContent({ ...at, body: text })).expireAfterS, undefined);
  for (const bad of [0, MAX_DISAPPEARING_SECONDS + 1]) {
    assertRejected(() => encodeContent({ ...at, expireAfterS: bad, body: text }), "content_malformed", "expireAfterS");
  }
  const reaction = { case: "reaction" as const, value: { targetMessageId: new Uint8Array(16), emoji: "👍" } };
  assertRejected(
    () =>
      decodeContent(
        toBinary(ContentSchema, create(ContentSchema, { version: 1, ...at, expireAfterS: 60, body: reaction })),
      ),
    "content_malformed",
    "expireAfterS",
  );
});

// ---- examples ----------------------------------------------------------------

const messageId = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

it("a German text with umlauts and an emoji, replying to a message", () => {
  const bytes = encodeContent({
    messageId,
    sentAtMs: 1_795_000_000_000n,
    body: {
      case: "text",
      value: { text: "Grüße aus Köln – schönes Wochenende! 🎉", replyTo: new Uint8Array(16).fill(9) },
    },
  });
  const c = decodeContent(bytes);
  assert.equal(c.version, CONTENT_VERSION);
  assert.deepEqual(c.messageId, messageId);
  assert.equal(c.sentAtMs, 1_795_000_000_000n);
  assert.equal(c.body.case, "text");
  assert.equal(c.body.value.text, "Grüße aus Köln – schönes Wochenende! 🎉");
  assert.deepEqual(c.body.value.replyTo, new Uint8Array(16).fill(9));
});

it("a photo attachment", () => {
  const thumbnail = Uint8Array.from({ length: 2048 }, (_, i) => i % 251);
  const c = decodeContent(
    encodeContent({
      messageId,
      sentAtMs: 1n,
      body: {
        case: "attachment",
        value: {
          blobId: new Uint8Array(32).fill(1),
          key: new Uint8Array(32).fill(2),
          digest: new Uint8Array(32).fill(3),
          size: 2_345_678n,
          mediaType: "image/jpeg",
          fileName: "IMG_2041.jpg",
          width: 4032,
          height: 3024,
          thumbnail,
          caption: "Baustelle Süd, 3. OG",
          chunkSize: 64 * 1024,
        },
      },
    }),
  );
  assert.equal(c.body.case, "attachment");
  const a = c.body.value;
  assert.equal(a.mediaType, "image/jpeg");
  assert.equal(a.fileName, "IMG_2041.jpg");
  assert.equal(a.width, 4032);
  assert.equal(a.height, 3024);
  assert.deepEqual(a.thumbnail, thumbnail);
  assert.equal(a.size, 2_345_678n);
  assert.equal(a.chunkSize, 65536);
});

it("a voice message: kind VOICE with an audio container and its length; other kinds are for newer clients", () => {
  const base = {
    blobId: new Uint8Array(32).fill(1),
    key: new Uint8Array(32).fill(2),
    digest: new Uint8Array(32).fill(3),
    size: 9_000n,
    mediaType: "audio/ogg",
    fileName: "notiz.ogg",
    chunkSize: 64 * 1024,
  };
  const voice = (value: { mediaType?: string; kind?: number; durationMs?: number }) => ({
    messageId,
    body: { case: "attachment" as const, value: { ...base, kind: Attachment_Kind.VOICE, durationMs: 3_000, ...value } },
  });
  const c = decodeContent(encodeContent(voice({})));
  assert.equal(c.body.case, "attachment");
  assert.equal(c.body.value.kind, Attachment_Kind.VOICE);
  assert.equal(c.body.value.durationMs, 3_000);
  // A file is the default: what a sender from before voice messages means.
  const file = decodeContent(encodeContent({ messageId, body: { case: "attachment", value: base } }));
  assert.equal(file.body.case === "attachment" && file.body.value.kind, Attachment_Kind.FILE);
  const refused = (code: string, path: string) => (err: unknown) =>
    err instanceof BoteError && err.code === code && err.path === path;
  assert.throws(
    () => encodeContent(voice({ mediaType: "image/jpeg" })),
    refused("content_malformed", "attachment.mediaType"),
  );
  assert.throws(
    () => encodeContent(voice({ mediaType: "audio/mpeg" })),
    refused("content_malformed", "attachment.mediaType"),
  );
  assert.throws(
    () => encodeContent(voice({ durationMs: MAX_MEDIA_DURATION_MS + 1 })),
    refused("content_malformed", "attachment.durationMs"),
  );
  assert.throws(() => encodeContent(voice({ kind: 7 })), refused("content_unsupported", "attachment.kind"));
  const future = toBinary(ContentSchema, create(ContentSchema, { version: CONTENT_VERSION, ...voice({ kind: 7 }) }));
  assert.throws(() => decodeContent(future), refused("content_unsupported", "attachment.kind"));
});

it("normalises texts to NFC and measures them after normalisation", () => {
  const decomposed = "Mu\u0308ller"; // "Müller" with a combining diaeresis
  const c = decodeContent(encodeContent({ messageId, body: { case: "text", value: { text: decomposed } } }));
  assert.equal(c.body.case === "text" && c.body.value.text, "Müller");
  // 16,000 "ü" written decomposed are 32,000 code units but 16,000 after NFC.
  const long = "u\u0308".repeat(MAX_TEXT_CHARS);
  assert.doesNotThrow(() =>
    encodeContent({ messageId, body: { case: "edit", value: { targetMessageId: messageId, text: long } } }),
  );
  assertRejected(
    () => encodeContent({ messageId, body: { case: "text", value: { text: "a\ud800b" } } }),
    "content_malformed",
    "content",
  );
});

it("does not modify the content it encodes", () => {
  const c = create(ContentSchema, { version: 1, messageId, body: { case: "text", value: { text: "e\u0301" } } });
  encodeContent(c);
  assert.equal(c.body.case === "text" && c.body.value.text, "e\u0301");
});

it("bounds the encoded size: 64 KiB without an attachment, 128 KiB with one", () => {
  const valid = encodeContent({ messageId, body: { case: "delete", value: { targetMessageId: messageId } } });
  // Unknown field 100 (length-delimited) padding a small content past 64 KiB.
  const pad = (n: number) => {
    const len: number[] = [];
    for (let x = n; ; x >>>= 7) {
      if (x < 0x80) {
        len.push(x);
        break;
      }
      len.push((x & 0x7f) | 0x80);
    }
    return Uint8Array.from([0xa2, 0x06, ...len, ...new Uint8Array(n)]);
  };
  const withPad = (n: number) => Uint8Array.from([...valid, ...pad(n)]);
  assert.equal(decodeContent(withPad(1000)).body.case, "delete", "unknown fields are skipped");
  assertRejected(() => decodeContent(withPad(70_000)), "content_malformed", "content");
  assertRejected(() => decodeContent(new Uint8Array(MAX_ATTACHMENT_CONTENT_BYTES + 1)), "content_malformed", "content");
  assertRejected(() => decodeContent(new Uint8Array()), "content_malformed", "version");
});

it("a body case from a newer schema and a newer version are unsupported, not malformed", () => {
  const head = toBinary(ContentSchema, create(ContentSchema, { version: 1, messageId }));
  // Field 20, length-delimited and empty: a body case this client does not know.
  assertRejected(() => decodeContent(Uint8Array.from([...head, 0xa2, 0x01, 0x00])), "content_unsupported", "body");
  const newer = toBinary(
    ContentSchema,
    create(ContentSchema, { version: 2, messageId, body: { case: "delete", value: { targetMessageId: messageId } } }),
  );
  assertRejected(() => decodeContent(newer), "content_unsupported", "version");
});

it("an inquiry with contact details, a photo and a PDF; no voice message or other file types", () => {
  const file = (mediaType: string, kind = Attachment_Kind.FILE) => ({
    blobId: new Uint8Array(32).fill(1),
    key: new Uint8Array(32).fill(2),
    digest: new Uint8Array(32).fill(3),
    size: 1000n,
    mediaType,
    fileName: "",
    caption: "",
    chunkSize: 64 * 1024,
    kind,
  });
  const inquiry = (attachments: ReturnType<typeof file>[]) => ({
    messageId,
    sentAtMs: 1n,
    body: {
      case: "inquiry" as const,
      value: {
        text: "Das Dach ist undicht, siehe Foto.",
        contactName: "Tamara Kunde",
        contactPhone: "+49 221 123456",
        contactAddress: "Hauptstr. 1\n50667 Köln",
        consentAtMs: 1_795_000_000_000n,
        contactPointId: new Uint8Array(16).fill(7),
        attachments,
        locale: "de",
      },
    },
  });
  const c = decodeContent(encodeContent(inquiry([file("image/jpeg"), file("application/pdf")])));
  assert.equal(c.body.case, "inquiry");
  assert.equal(c.body.value.contactName, "Tamara Kunde");
  assert.equal(c.body.value.contactEmail, undefined);
  assert.deepEqual(
    c.body.value.attachments.map((a) => a.mediaType),
    ["image/jpeg", "application/pdf"],
  );
  assertRejected(
    () => encodeContent(inquiry([file("text/html")])),
    "content_malformed",
    "inquiry.attachments.0.mediaType",
  );
  assertRejected(
    () => encodeContent(inquiry([file("image/png"), file("audio/ogg", Attachment_Kind.VOICE)])),
    "content_malformed",
    "inquiry.attachments.1.kind",
  );
});

it("an inquiry update: unassigning is an empty account id; an update that sets nothing is malformed", () => {
  const update = (value: object) => ({
    messageId,
    sentAtMs: 1n,
    body: { case: "inquiryUpdate" as const, value: { inquiryGroupId: new Uint8Array(16).fill(4), ...value } },
  });
  const c = decodeContent(
    encodeContent(update({ status: InquiryUpdate_Status.QUOTE_SENT, assigneeAccountId: new Uint8Array(0) })),
  );
  assert.equal(c.body.case, "inquiryUpdate");
  assert.equal(c.body.value.status, InquiryUpdate_Status.QUOTE_SENT);
  assert.deepEqual(c.body.value.assigneeAccountId, new Uint8Array(0));
  assert.equal(c.body.value.note, undefined);
  assertRejected(() => encodeContent(update({})), "content_malformed", "inquiryUpdate");
});
