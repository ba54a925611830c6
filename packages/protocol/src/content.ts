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
  InquiryUpdate_Status,
  Receipt_Kind,
  type Attachment,
  type Content,
  type Inquiry,
  type InquiryUpdate,
} from "./gen/bote/v1/content_pb.js";
import { BoteError } from "./errors.js";
import { PHOTO_MEDIA_TYPES, VOICE_MEDIA_TYPES } from "./mediaTypes.js";
import {
  ATTACHMENT_KEY_BYTES,
  BLOB_ID_BYTES,
  CONTENT_VERSION,
  DIGEST_BYTES,
  ID_BYTES,
  INQUIRY_DOCUMENT_MEDIA_TYPE,
  MAX_ATTACHMENT_CONTENT_BYTES,
  MAX_CHUNK_BYTES,
  MAX_CONTACT_ADDRESS_CHARS,
  MAX_CONTACT_EMAIL_CHARS,
  MAX_CONTACT_NAME_CHARS,
  MAX_CONTACT_PHONE_CHARS,
  MAX_CONTENT_BYTES,
  MAX_DISAPPEARING_SECONDS,
  MAX_EMOJI_CHARS,
  MAX_FILE_NAME_CHARS,
  MAX_IMAGE_DIMENSION,
  MAX_INQUIRY_ATTACHMENTS,
  MAX_MEDIA_DURATION_MS,
  MAX_MEDIA_TYPE_CHARS,
  MAX_RECEIPT_TARGETS,
  MAX_TEXT_CHARS,
  MAX_THUMBNAIL_BYTES,
  MIN_CHUNK_BYTES,
} from "./limits.js";

export * from "./gen/bote/v1/content_pb.js";
export * from "./mediaTypes.js";

export type ContentBody = Exclude<Content["body"], { case: undefined }>;

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

function checkAttachment(a: Attachment, at = "attachment"): void {
  checkBytes(a.blobId, BLOB_ID_BYTES, `${at}.blobId`);
  checkBytes(a.key, ATTACHMENT_KEY_BYTES, `${at}.key`);
  checkBytes(a.digest, DIGEST_BYTES, `${at}.digest`);
  if (a.size > MAX_SAFE) fail(`${at}.size`);
  if (a.mediaType.length > MAX_MEDIA_TYPE_CHARS || !MEDIA_TYPE.test(a.mediaType)) fail(`${at}.mediaType`);
  a.fileName = checkText(a.fileName, 0, MAX_FILE_NAME_CHARS, `${at}.fileName`);
  if (CONTROL.test(a.fileName) || /[/\\]/.test(a.fileName) || a.fileName === "." || a.fileName === "..")
    fail(`${at}.fileName`);
  if (a.width !== undefined && (a.width < 1 || a.width > MAX_IMAGE_DIMENSION)) fail(`${at}.width`);
  if (a.height !== undefined && (a.height < 1 || a.height > MAX_IMAGE_DIMENSION)) fail(`${at}.height`);
  if (a.thumbnail !== undefined && (a.thumbnail.length === 0 || a.thumbnail.length > MAX_THUMBNAIL_BYTES))
    fail(`${at}.thumbnail`);
  a.caption = checkText(a.caption, 0, MAX_TEXT_CHARS, `${at}.caption`);
  if (a.chunkSize < MIN_CHUNK_BYTES || a.chunkSize > MAX_CHUNK_BYTES) fail(`${at}.chunkSize`);
  switch (a.kind) {
    case Attachment_Kind.FILE:
      break;
    case Attachment_Kind.VOICE:
      if (!VOICE_MEDIA_TYPES.has(a.mediaType)) fail(`${at}.mediaType`);
      break;
    default:
      // A kind added by a newer schema: "please update", as for a new body case.
      throw new BoteError("content_unsupported", `${at}.kind`);
  }
  if (a.durationMs !== undefined && a.durationMs > MAX_MEDIA_DURATION_MS) fail(`${at}.durationMs`);
}

const LOCALE = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;
// Line breaks are allowed in an address only.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BUT_NEWLINE = /[\p{Cs}\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;

/** An optional contact detail: absent, or NFC within bounds without control characters. */
function checkDetail(value: string, min: number, max: number, path: string, lines = false): string {
  const nfc = checkText(value, min, max, path);
  if ((lines ? CONTROL_BUT_NEWLINE : CONTROL).test(nfc)) fail(path);
  return nfc;
}

function checkInquiry(q: Inquiry): void {
  q.text = checkText(q.text, 1, MAX_TEXT_CHARS, "inquiry.text");
  if (q.contactName !== undefined)
    q.contactName = checkDetail(q.contactName, 1, MAX_CONTACT_NAME_CHARS, "inquiry.contactName");
  if (q.contactPhone !== undefined)
    q.contactPhone = checkDetail(q.contactPhone, 1, MAX_CONTACT_PHONE_CHARS, "inquiry.contactPhone");
  if (q.contactEmail !== undefined)
    q.contactEmail = checkDetail(q.contactEmail, 3, MAX_CONTACT_EMAIL_CHARS, "inquiry.contactEmail");
  if (q.contactEmail !== undefined && !/^[^@\s]+@[^@\s]+$/u.test(q.contactEmail)) fail("inquiry.contactEmail");
  if (q.contactAddress !== undefined)
    q.contactAddress = checkDetail(q.contactAddress, 1, MAX_CONTACT_ADDRESS_CHARS, "inquiry.contactAddress", true);
  if (q.consentAtMs === 0n || q.consentAtMs > MAX_SAFE) fail("inquiry.consentAtMs");
  checkId(q.contactPointId, "inquiry.contactPointId");
  if (q.attachments.length > MAX_INQUIRY_ATTACHMENTS) fail("inquiry.attachments");
  q.attachments.forEach((a, i) => {
    const at = `inquiry.attachments.${i}`;
    checkAttachment(a, at);
    if (a.kind !== Attachment_Kind.FILE) fail(`${at}.kind`);
    if (!PHOTO_MEDIA_TYPES.has(a.mediaType) && a.mediaType !== INQUIRY_DOCUMENT_MEDIA_TYPE) fail(`${at}.mediaType`);
  });
  if (!LOCALE.test(q.locale)) fail("inquiry.locale");
}

function checkInquiryUpdate(u: InquiryUpdate): void {
  checkId(u.inquiryGroupId, "inquiryUpdate.inquiryGroupId");
  if (u.status !== undefined) {
    switch (u.status) {
      case InquiryUpdate_Status.NEW:
      case InquiryUpdate_Status.IN_PROGRESS:
      case InquiryUpdate_Status.QUOTE_SENT:
      case InquiryUpdate_Status.DONE:
        break;
      case InquiryUpdate_Status.UNSPECIFIED:
        return fail("inquiryUpdate.status");
      default:
        // A status added by a newer schema.
        throw new BoteError("content_unsupported", "inquiryUpdate.status");
    }
  }
  if (u.assigneeAccountId !== undefined && u.assigneeAccountId.length !== 0) {
    checkId(u.assigneeAccountId, "inquiryUpdate.assigneeAccountId");
  }
  if (u.note !== undefined) u.note = checkText(u.note, 1, MAX_TEXT_CHARS, "inquiryUpdate.note");
  if (u.erased === false) fail("inquiryUpdate.erased");
  if (
    u.status === undefined &&
    u.assigneeAccountId === undefined &&
    u.note === undefined &&
    u.archived === undefined &&
    u.erased === undefined
  ) {
    fail("inquiryUpdate");
  }
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
  if (c.expireAfterS !== undefined) {
    const line = c.body.case === "text" || c.body.case === "attachment";
    if (!line || c.expireAfterS < 1 || c.expireAfterS > MAX_DISAPPEARING_SECONDS) fail("expireAfterS");
  }
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
    case "disappearingTimer":
      if (body.value.seconds > MAX_DISAPPEARING_SECONDS) fail("disappearingTimer.seconds");
      break;
    case "organisationKey":
      checkBytes(body.value.signKey, 32, "organisationKey.signKey");
      break;
    case "inquiry":
      checkInquiry(body.value);
      break;
    case "inquiryUpdate":
      checkInquiryUpdate(body.value);
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
  const withFiles = c.body.case === "attachment" || (c.body.case === "inquiry" && c.body.value.attachments.length > 0);
  return withFiles ? MAX_ATTACHMENT_CONTENT_BYTES : MAX_CONTENT_BYTES;
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
