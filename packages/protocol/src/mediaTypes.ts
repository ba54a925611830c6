/**
 * Content facts a screen needs without the content codec: the generated
 * content_pb.js builds its descriptor at load, which needs protobuf-es.
 */
import type { Attachment_Kind } from "./gen/bote/v1/content_pb.js";

/** The media types clients show as photos (in albums); any other attachment of kind FILE is a file to download. */
export const PHOTO_MEDIA_TYPES: ReadonlySet<string> = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);
/** The containers a voice message (kind VOICE) comes in: Ogg (Opus), WebM and MP4 (M4A). */
export const VOICE_MEDIA_TYPES: ReadonlySet<string> = new Set(["audio/ogg", "audio/webm", "audio/mp4"]);

/** Attachment.Kind's values, typed as the generated enum's (content.test.ts checks they match). */
export const ATTACHMENT_KIND = {
  FILE: 0 as Attachment_Kind.FILE,
  VOICE: 1 as Attachment_Kind.VOICE,
} as const;
