/** The numbers both ends of the wire agree on. */
export const PROTOCOL_VERSION = 1;

/** Random ids (account, device, mailbox, message) are 128 bits. */
export const ID_BYTES = 16;
/** Delivery capability: one key-version byte and a 32-byte HMAC-SHA-256. */
export const CAPABILITY_BYTES = 33;
/** Opaque MLS group ids are bounded so a client cannot make the server store a blob as an id. */
export const MAX_GROUP_ID_BYTES = 64;

/** Largest payload in one send, before padding (an MLS commit with a Welcome for a few hundred members fits). */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/** Largest WebSocket frame either side accepts. */
export const MAX_FRAME_BYTES = 5 * 1024 * 1024;
export const MAX_RECIPIENTS = 1000;
export const MAX_ACKS_PER_FRAME = 1000;

export const MAX_KEY_PACKAGE_BYTES = 16 * 1024;
export const MAX_KEY_PACKAGES_PER_UPLOAD = 100;
export const MAX_KEY_PACKAGES_PER_DEVICE = 200;
/** Below this many one-time key packages the server tells the device to upload more. */
export const KEY_PACKAGES_LOW_WATERMARK = 15;

export const MAX_DISPLAY_NAME_CHARS = 64;
/** Room for a full key package upload (100 × 16 KiB, base64url) with margin. */
export const MAX_JSON_BODY_BYTES = 4 * 1024 * 1024;

/** End-to-end message content (proto/bote/v1/content.proto); checked by clients only. */
export const CONTENT_VERSION = 1;
/** Largest encoded content without an attachment. */
export const MAX_CONTENT_BYTES = 64 * 1024;
/** Largest encoded content with an attachment (thumbnail and caption included). */
export const MAX_ATTACHMENT_CONTENT_BYTES = 128 * 1024;
/** Text, edit and caption: UTF-16 code units after NFC normalisation. */
export const MAX_TEXT_CHARS = 16_000;
/** A reaction emoji (one grapheme, possibly a long ZWJ sequence), UTF-16 code units. */
export const MAX_EMOJI_CHARS = 32;
/** Blob id, AES-256-GCM key and SHA-256 digest of an attachment. */
export const BLOB_ID_BYTES = 32;
export const ATTACHMENT_KEY_BYTES = 32;
export const DIGEST_BYTES = 32;
export const MAX_THUMBNAIL_BYTES = 32 * 1024;
export const MAX_FILE_NAME_CHARS = 255;
export const MAX_MEDIA_TYPE_CHARS = 255;
/** Width and height of an image or video, in pixels. */
export const MAX_IMAGE_DIMENSION = 65_535;
/** Length of a voice message (or other audio or video), in milliseconds: 24 hours. */
export const MAX_MEDIA_DURATION_MS = 24 * 3_600_000;
/** Chunked attachment encryption: plaintext bytes per chunk; every attachment is chunked. */
export const MIN_CHUNK_BYTES = 4 * 1024;
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
export const MAX_RECEIPT_TARGETS = 1000;
/** The longest disappearing-message timer in seconds (a year); 0 is off. */
export const MAX_DISAPPEARING_SECONDS = 31_536_000;
/** An inquiry (docs/PROTOCOL.md §18): photos and PDFs, and the contact details a customer may give. */
export const MAX_INQUIRY_ATTACHMENTS = 10;
export const MAX_CONTACT_NAME_CHARS = 200;
export const MAX_CONTACT_PHONE_CHARS = 64;
export const MAX_CONTACT_EMAIL_CHARS = 254;
export const MAX_CONTACT_ADDRESS_CHARS = 1000;
/** The media types an inquiry may carry besides PHOTO_MEDIA_TYPES. */
export const INQUIRY_DOCUMENT_MEDIA_TYPE = "application/pdf";
