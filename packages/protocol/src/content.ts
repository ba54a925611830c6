/**
 * The end-to-end message content codec and its parse gate
 * (proto/bote/v1/content.proto). Only clients call it: the content travels
 * inside an MLS application message and the server never sees it. Both
 * directions check every field, so a client cannot send what its peers would
 * reject; text fields are normalised to NFC. Failures are BoteError with code
 * "content_malformed" (or "content_unsupported" for a newer version or an
 * unknown body case) and the path of the faulty field, e.g. "attachment.key".
 */
import { clone, create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  Attachment_Kind,
  ContentSchema,
  Receipt_Kind,
  type Attachment,
  type Content,
} from "./gen/bote/v1/content_pb.js";
import { BoteError } from "./errors.js";
import {
  ATTACHMENT_KEY_BYTES,
  BLOB_ID_BYTES,
  CONTENT_VERSION,
  DIGEST_BYTES,
  ID_BYTES,
  MAX_ATTACHMENT_CONTENT_BYTES,
  MAX_CHUNK_BYTES,
  MAX_CONTENT_BYTES,
  MAX_EMOJI_CHARS,
  MAX_FILE_NAME_CHARS,
  MAX_IMAGE_DIMENSION,
  MAX_MEDIA_DURATION_MS,
  MAX_MEDIA_TYPE_CHARS,
  MAX_RECEIPT_TARGETS,
  MAX_TEXT_CHARS,
  MAX_THUMBNAIL_BYTES,
  MIN_CHUNK_BYTES,
} from "./limits.js";

export * from "./gen/bote/v1/content_pb.js";

export type ContentBody = Exclude<Content["body"], { case: undefined }>;

/** The media types clients show as photos (in albums); any other attachment of kind FILE is a file to download. */
export const PHOTO_MEDIA_TYPES: ReadonlySet<string> = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);
/** The containers a voice message (kind VOICE) comes in: Ogg (Opus), WebM and MP4 (M4A). */
export const VOICE_MEDIA_TYPES: ReadonlySet<string> = new Set(["audio/ogg", "audio/webm", "audio/mp4"]);
/** What encodeContent takes: a Content message or its init shape (version defaults to CONTENT_VERSION). */
export type ContentInit = MessageInitShape<typeof ContentSchema>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** RFC 6838 type/subtype names, lower case, no parameters. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
// Control characters (C0, DEL, C1) and lone surrogates.
const CONTROL = /[\p{Cc}\p{Cs}]/u;
const LONE_SURROGATE = /\p{Cs}/u;

function fail(path: string): never {
  throw new BoteError("content_malformed", path);
}

function checkId(id: Uint8Array, path: string): void {
  if (id.length !== ID_BYTES) fail(path);
}

function checkBytes(b: Uint8Array, n: number, path: string): void {
  if (b.length !== n) fail(path);
}

/** NFC-normalises and bounds a text; lone surrogates (not UTF-8-encodable) are rejected. */
function checkText(text: string, min: number, max: number, path: string): string {
  if (LONE_SURROGATE.test(text)) fail(path);
  const nfc = text.normalize("NFC");
  if (nfc.length < min || nfc.length > max) fail(path);
  return nfc;
}

function checkAttachment(a: Attachment): void {
  checkBytes(a.blobId, BLOB_ID_BYTES, "attachment.blobId");
  checkBytes(a.key, ATTACHMENT_KEY_BYTES, "attachment.key");
  checkBytes(a.digest, DIGEST_BYTES, "attachment.digest");
  if (a.size > MAX_SAFE) fail("attachment.size");
  if (a.mediaType.length > MAX_MEDIA_TYPE_CHARS || !MEDIA_TYPE.test(a.mediaType)) fail("attachment.mediaType");
  a.fileName = checkText(a.fileName, 0, MAX_FILE_NAME_CHARS, "attachment.fileName");
  if (CONTROL.test(a.fileName) || /[/\\]/.test(a.fileName) || a.fileName === "." || a.fileName === "..")
    fail("attachment.fileName");
  if (a.width !== undefined && (a.width < 1 || a.width > MAX_IMAGE_DIMENSION)) fail("attachment.width");
  if (a.height !== undefined && (a.height < 1 || a.height > MAX_IMAGE_DIMENSION)) fail("attachment.height");
  if (a.thumbnail !== undefined && (a.thumbnail.length === 0 || a.thumbnail.length > MAX_THUMBNAIL_BYTES))
    fail("attachment.thumbnail");
  a.caption = checkText(a.caption, 0, MAX_TEXT_CHARS, "attachment.caption");
  if (a.chunkSize < MIN_CHUNK_BYTES || a.chunkSize > MAX_CHUNK_BYTES) fail("attachment.chunkSize");
  switch (a.kind) {
    case Attachment_Kind.FILE:
      break;
    case Attachment_Kind.VOICE:
      if (!VOICE_MEDIA_TYPES.has(a.mediaType)) fail("attachment.mediaType");
      break;
    default:
      // A kind added by a newer schema: "please update", as for a new body case.
      throw new BoteError("content_unsupported", "attachment.kind");
  }
  if (a.durationMs !== undefined && a.durationMs > MAX_MEDIA_DURATION_MS) fail("attachment.durationMs");
}

/** Checks a content in place (normalising its texts to NFC); throws BoteError with the faulty field's path. */
function checkContent(c: Content): void {
  if (c.version !== CONTENT_VERSION) {
    if (c.version > CONTENT_VERSION) throw new BoteError("content_unsupported", "version");
    fail("version");
  }
  checkId(c.messageId, "messageId");
  if (c.sentAtMs > MAX_SAFE) fail("sentAtMs");
  if (c.editedAtMs !== undefined && c.editedAtMs > MAX_SAFE) fail("editedAtMs");
  const body = c.body;
  switch (body.case) {
    case undefined:
      // Absent, or a case added by a newer schema (kept as an unknown field).
      throw new BoteError("content_unsupported", "body");
    case "text":
      body.value.text = checkText(body.value.text, 1, MAX_TEXT_CHARS, "text.text");
      if (body.value.replyTo !== undefined) checkId(body.value.replyTo, "text.replyTo");
      break;
    case "attachment":
      checkAttachment(body.value);
      break;
    case "reaction":
      checkId(body.value.targetMessageId, "reaction.targetMessageId");
      body.value.emoji = checkText(body.value.emoji, 0, MAX_EMOJI_CHARS, "reaction.emoji");
      if (CONTROL.test(body.value.emoji)) fail("reaction.emoji");
      break;
    case "edit":
      checkId(body.value.targetMessageId, "edit.targetMessageId");
      body.value.text = checkText(body.value.text, 1, MAX_TEXT_CHARS, "edit.text");
      break;
    case "delete":
      checkId(body.value.targetMessageId, "delete.targetMessageId");
      break;
    case "organisationKey":
      checkBytes(body.value.signKey, 32, "organisationKey.signKey");
      break;
    case "receipt": {
      const kind = body.value.kind;
      if (kind !== Receipt_Kind.DELIVERED && kind !== Receipt_Kind.READ) fail("receipt.kind");
      const targets = body.value.targetMessageIds;
      if (targets.length === 0 || targets.length > MAX_RECEIPT_TARGETS) fail("receipt.targetMessageIds");
      targets.forEach((t, i) => checkId(t, `receipt.targetMessageIds.${i}`));
      break;
    }
  }
}

function maxBytes(c: Content): number {
  return c.body.case === "attachment" ? MAX_ATTACHMENT_CONTENT_BYTES : MAX_CONTENT_BYTES;
}

/**
 * Checks and encodes a content. Texts are NFC-normalised first; the input is
 * not modified. Throws BoteError("content_malformed", path) for a field out
 * of bounds and ("content_malformed", "content") when the result is too large
 * or a value cannot be encoded at all (a string with a lone surrogate).
 */
export function encodeContent(content: ContentInit): Uint8Array {
  let c: Content;
  try {
    c = clone(ContentSchema, create(ContentSchema, content));
  } catch {
    // protobuf-es refuses values its wire format cannot carry (a string with a lone surrogate).
    fail("content");
  }
  if (content.version === undefined) c.version = CONTENT_VERSION;
  checkContent(c);
  const bytes = toBinary(ContentSchema, c, { writeUnknownFields: false });
  if (bytes.length > maxBytes(c)) fail("content");
  return bytes;
}

/**
 * The parse gate for decrypted content: bounds the size, decodes and checks
 * every field. Returns the content with a known body case; throws only
 * BoteError ("content_malformed" or "content_unsupported") with the path of
 * the fault. Callers drop a content whose messageId they have seen before.
 */
export function decodeContent(bytes: Uint8Array): Content & { body: ContentBody } {
  if (bytes.length > MAX_ATTACHMENT_CONTENT_BYTES) fail("content");
  let c: Content;
  try {
    c = fromBinary(ContentSchema, bytes, { readUnknownFields: false });
  } catch {
    fail("content");
  }
  checkContent(c);
  if (bytes.length > maxBytes(c)) fail("content");
  return c as Content & { body: ContentBody };
}
