/**
 * What a file is, read from its first bytes rather than its name: the
 * signatures of the image and voice formats Bote treats specially. A photo
 * with bytes that are no image would reach the recipients as a broken
 * album, so the SDK checks every file sent under one of these types
 * (PHOTO_MEDIA_TYPES and VOICE_MEDIA_TYPES in the protocol).
 */

/** Bytes of a file's start that every check here needs at most. */
export const MEDIA_SIGNATURE_BYTES = 32;

/** Images that are recognised (HEIC, AVIF, TIFF too, to name them in a refusal). */
export type ImageMediaType =
  "image/jpeg" | "image/png" | "image/webp" | "image/gif" | "image/heic" | "image/heif" | "image/avif" | "image/tiff";

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  return bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
}

/** The major brand of an ISO base media file (MP4, HEIF), or undefined when there is no `ftyp` box first. */
function isoBrand(head: Uint8Array): string | undefined {
  if (!startsWith(head, ascii("ftyp"), 4) || head.length < 12) return undefined;
  return String.fromCharCode(...head.subarray(8, 12));
}

const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis"]);
const HEIF_BRANDS = new Set(["mif1", "msf1"]);
const AVIF_BRANDS = new Set(["avif", "avis"]);
const isImageBrand = (brand: string) => HEIC_BRANDS.has(brand) || HEIF_BRANDS.has(brand) || AVIF_BRANDS.has(brand);

const SIGNATURES: Readonly<
  Record<ImageMediaType | "audio/ogg" | "audio/webm" | "audio/mp4", (head: Uint8Array) => boolean>
> = {
  "image/jpeg": (h) => startsWith(h, Uint8Array.of(0xff, 0xd8, 0xff)),
  "image/png": (h) => startsWith(h, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)),
  "image/gif": (h) => startsWith(h, ascii("GIF87a")) || startsWith(h, ascii("GIF89a")),
  "image/webp": (h) => startsWith(h, ascii("RIFF")) && startsWith(h, ascii("WEBP"), 8),
  "image/heic": (h) => HEIC_BRANDS.has(isoBrand(h) ?? ""),
  "image/heif": (h) => HEIF_BRANDS.has(isoBrand(h) ?? ""),
  "image/avif": (h) => AVIF_BRANDS.has(isoBrand(h) ?? ""),
  "image/tiff": (h) => startsWith(h, ascii("II*\0")) || startsWith(h, ascii("MM\0*")),
  "audio/ogg": (h) => startsWith(h, ascii("OggS")),
  // EBML: WebM and Matroska.
  "audio/webm": (h) => startsWith(h, Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3)),
  "audio/mp4": (h) => {
    const brand = isoBrand(h);
    return brand !== undefined && !isImageBrand(brand);
  },
};

/** The image format of a file's first bytes (at least MEDIA_SIGNATURE_BYTES of them), or undefined for no image. */
export function sniffImageType(head: Uint8Array): ImageMediaType | undefined {
  for (const [type, matches] of Object.entries(SIGNATURES)) {
    if (type.startsWith("image/") && matches(head)) return type as ImageMediaType;
  }
  return undefined;
}

/**
 * Whether a file's first bytes fit the media type it is sent under: true or
 * false for the photo, image and voice types above, undefined for a type
 * without a signature here (a PDF, a text), which is not checked.
 */
export function matchesMediaType(mediaType: string, head: Uint8Array): boolean | undefined {
  const matches = Object.hasOwn(SIGNATURES, mediaType) ? SIGNATURES[mediaType as keyof typeof SIGNATURES] : undefined;
  return matches?.(head);
}
