import { MAX_THUMBNAIL_BYTES } from "@bote/protocol/light";

export { jpegHasMetadata } from "./jpegMetadata.js";

/**
 * The photo pipeline: a picked image is decoded, turned upright by its EXIF
 * orientation, scaled down and encoded again as JPEG, as WhatsApp does.
 * Encoding from pixels writes no EXIF, so the camera's metadata (GPS
 * position, device, time) never leaves the device; the small size keeps
 * uploads fast on a building site's mobile connection. Images Chromium
 * cannot decode (HEIC, damaged files) are for the caller to send as files.
 */
export interface PreparedPhoto {
  /** JPEG bytes, without any metadata. */
  readonly bytes: Uint8Array;
  readonly mediaType: "image/jpeg";
  readonly width: number;
  readonly height: number;
  /** JPEG, longest side at most 320 px, at most MAX_THUMBNAIL_BYTES (32 KiB). */
  readonly thumbnail: Uint8Array;
  /** The original base name with ".jpg" ("IMG_0042.HEIC" → "IMG_0042.jpg"); "photo.jpg" for a nameless blob. */
  readonly fileName: string;
}

export type PhotoErrorCode = "photo_unreadable";

export class PhotoError extends Error {
  override readonly name = "PhotoError";
  constructor(
    readonly code: PhotoErrorCode,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail === undefined ? code : `${code}: ${detail}`, options);
  }
}

export interface PhotoOptions {
  /** Longest side of the prepared photo in pixels; smaller images are never enlarged. Default 1600. */
  readonly maxSide?: number;
  /** JPEG quality between 0 and 1. Default 0.8. */
  readonly quality?: number;
}

const THUMBNAIL_SIDE = 320;
const THUMBNAIL_QUALITY = 0.7;
const THUMBNAIL_MIN_QUALITY = 0.3;

/**
 * Types the browser decodes and that are sent as photos. Not HEIC/HEIF
 * (Chromium cannot decode them), not SVG (a document, not pixels), and not
 * GIF: re-encoding keeps only the first frame, and an animation picked on
 * purpose should arrive as the file it is.
 */
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/avif", "image/bmp"]);

/** Whether a file of this media type is sent through `preparePhoto` rather than as a file. */
export function isPhoto(mediaType: string): boolean {
  return PHOTO_TYPES.has(mediaType.split(";")[0]!.trim().toLowerCase());
}

export async function preparePhoto(file: Blob, options: PhotoOptions = {}): Promise<PreparedPhoto> {
  const maxSide = options.maxSide ?? 1600;
  const quality = options.quality ?? 0.8;
  if (!(maxSide >= 1) || !(quality > 0 && quality <= 1)) throw new RangeError("maxSide ≥ 1, 0 < quality ≤ 1");
  const bitmap = await decodeUpright(file);
  try {
    const { width, height } = fit(bitmap.width, bitmap.height, maxSide);
    const bytes = await encodeJpeg(bitmap, width, height, quality);
    return {
      bytes,
      mediaType: "image/jpeg",
      width,
      height,
      thumbnail: await makeThumbnail(bitmap),
      fileName: jpegName(file),
    };
  } finally {
    bitmap.close();
  }
}

/**
 * What shows an image sent as the original file before anyone opens it: its
 * upright size and a thumbnail drawn from its pixels, so the thumbnail has
 * no metadata even when the file keeps its own.
 */
export interface PhotoPreview {
  readonly width: number;
  readonly height: number;
  /** JPEG, longest side at most 320 px, at most MAX_THUMBNAIL_BYTES (32 KiB). */
  readonly thumbnail: Uint8Array;
}

/** The preview of an image sent as it is; PhotoError photo_unreadable for what the browser cannot decode. */
export async function previewPhoto(file: Blob): Promise<PhotoPreview> {
  const bitmap = await decodeUpright(file);
  try {
    return { width: bitmap.width, height: bitmap.height, thumbnail: await makeThumbnail(bitmap) };
  } finally {
    bitmap.close();
  }
}

async function decodeUpright(file: Blob): Promise<ImageBitmap> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (error) {
    throw new PhotoError("photo_unreadable", "the image cannot be decoded", { cause: error });
  }
  if (bitmap.width === 0 || bitmap.height === 0) {
    bitmap.close();
    throw new PhotoError("photo_unreadable", "the image is empty");
  }
  return bitmap;
}

/** Quality first, then size, until the thumbnail fits the protocol's limit. */
async function makeThumbnail(bitmap: ImageBitmap): Promise<Uint8Array> {
  for (let side = THUMBNAIL_SIDE; side >= 16; side = Math.floor(side * 0.75)) {
    const { width, height } = fit(bitmap.width, bitmap.height, side);
    for (let q = THUMBNAIL_QUALITY; q >= THUMBNAIL_MIN_QUALITY - 1e-9; q -= 0.1) {
      const bytes = await encodeJpeg(bitmap, width, height, q);
      if (bytes.length <= MAX_THUMBNAIL_BYTES) return bytes;
    }
  }
  throw new PhotoError("photo_unreadable", "no thumbnail fits the limit");
}

function fit(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function encodeJpeg(bitmap: ImageBitmap, width: number, height: number, quality: number): Promise<Uint8Array> {
  const { context, toBlob } = jpegCanvas(width, height);
  // JPEG has no alpha: transparent pixels become white, not black.
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  const blob = await toBlob(quality);
  return new Uint8Array(await blob.arrayBuffer());
}

/** An OffscreenCanvas where the browser has one with a 2D context, else a detached <canvas> (Safari before 16.4). */
function jpegCanvas(
  width: number,
  height: number,
): {
  context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;
  toBlob: (quality: number) => Promise<Blob>;
} {
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d");
    if (context !== null)
      return { context, toBlob: (quality) => canvas.convertToBlob({ type: "image/jpeg", quality }) };
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (context === null) throw new PhotoError("photo_unreadable", "no 2D canvas");
  return {
    context,
    toBlob: (quality) =>
      new Promise((resolve, reject) =>
        canvas.toBlob(
          (blob) =>
            blob === null ? reject(new PhotoError("photo_unreadable", "JPEG encoding failed")) : resolve(blob),
          "image/jpeg",
          quality,
        ),
      ),
  };
}

function jpegName(file: Blob): string {
  const name = typeof File !== "undefined" && file instanceof File ? file.name : "";
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/\.[^.]*$/, "");
  return `${base === "" ? "photo" : base}.jpg`;
}
