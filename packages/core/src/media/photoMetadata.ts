/**
 * Removing what a camera writes into a photo besides its pixels — GPS
 * position, camera and phone model, time, comments, embedded previews — from
 * JPEG and PNG files, without decoding or re-encoding the image: segments and
 * chunks that carry metadata are dropped, those needed to show the picture
 * (quantisation and Huffman tables, colour profile, transparency) are kept
 * byte for byte. A JPEG keeps its EXIF orientation in a new, minimal EXIF
 * block, so a photo taken upright still shows upright; nothing else of the
 * EXIF block survives. Pure functions on bytes, for browsers and Node.
 */
import { concatBytes } from "@noble/hashes/utils.js";
import { MediaError } from "./mediaError.js";

export interface CleanPhoto {
  /** The same image, without metadata. */
  readonly bytes: Uint8Array;
  readonly mediaType: "image/jpeg" | "image/png";
  /** Size as shown, after the orientation is applied. */
  readonly width: number;
  readonly height: number;
}

/**
 * The photo without its metadata. Throws MediaError "not_an_image" when the
 * bytes are no well-formed JPEG or PNG, "metadata_unsupported" for another
 * image format (HEIC, WebP, GIF, …), whose metadata this does not remove.
 */
export function stripPhotoMetadata(bytes: Uint8Array): CleanPhoto {
  if (startsWith(bytes, JPEG_SOI)) return stripJpeg(bytes);
  if (startsWith(bytes, PNG_SIGNATURE)) return stripPng(bytes);
  throw new MediaError("metadata_unsupported", "only JPEG and PNG photos are cleaned");
}

/**
 * Whether a JPEG still carries an EXIF block, and whether that block points
 * to GPS data. Reads only the markers before the first scan, where encoders
 * put metadata, and never throws on damaged input.
 */
export function jpegHasMetadata(bytes: Uint8Array): { exif: boolean; gps: boolean } {
  const found = { exif: false, gps: false };
  if (!startsWith(bytes, JPEG_SOI)) return found;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    if (marker === EOI || marker === SOS) break;
    const length = readU16(bytes, at + 2, false);
    if (length < 2 || at + 2 + length > bytes.length) break;
    const body = bytes.subarray(at + 4, at + 2 + length);
    if (marker === APP1 && startsWith(body, EXIF_HEADER)) {
      found.exif = true;
      if (readIfd0(body.subarray(EXIF_HEADER.length)).has(GPS_IFD_POINTER)) found.gps = true;
    }
    at += 2 + length;
  }
  return found;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

const JPEG_SOI = Uint8Array.of(0xff, 0xd8);
const SOS = 0xda;
const EOI = 0xd9;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
const EXIF_HEADER = ascii("Exif\0\0");
const JFIF_HEADER = ascii("JFIF\0");
const ICC_HEADER = ascii("ICC_PROFILE\0");
const ADOBE_HEADER = ascii("Adobe");
const GPS_IFD_POINTER = 0x8825;
const ORIENTATION = 0x0112;

/** Markers without a length: SOI, TEM and the restart markers. */
const isStandalone = (marker: number) => marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
/** Start of frame: SOF0–SOF15 without DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Which segments carry the picture (kept) and which only tell about it (dropped). */
function keepSegment(marker: number, body: Uint8Array): boolean {
  // Colour profile and Adobe's colour transform change how the pixels look.
  if (marker === APP2) return startsWith(body, ICC_HEADER);
  if (marker === APP14) return startsWith(body, ADOBE_HEADER);
  // EXIF, XMP, IPTC, MPF (more images after the first), maker notes, comments.
  return !((marker >= APP0 && marker <= 0xef) || marker === COM);
}

function stripJpeg(bytes: Uint8Array): CleanPhoto {
  const out: Uint8Array[] = [JPEG_SOI];
  let orientation = 1;
  let size: { width: number; height: number } | undefined;
  let scanned = false;
  let at = 2;
  for (;;) {
    if (at >= bytes.length) {
      // Cut off after its scans, as a photo copied in a hurry may be: it still shows.
      if (!scanned) throw new MediaError("not_an_image", "the JPEG ends before its image data");
      out.push(Uint8Array.of(0xff, EOI));
      break;
    }
    if (bytes[at] !== 0xff || at + 1 >= bytes.length) throw new MediaError("not_an_image", `no marker at ${at}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === EOI) {
      if (!scanned) throw new MediaError("not_an_image", "the JPEG has no image data");
      // Whatever follows the image (more images, a phone's extra data) is dropped with it.
      out.push(Uint8Array.of(0xff, EOI));
      break;
    }
    if (isStandalone(marker)) {
      out.push(bytes.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) throw new MediaError("not_an_image", "a JPEG segment is cut off");
    const length = readU16(bytes, at + 2, false);
    if (length < 2 || at + 2 + length > bytes.length) throw new MediaError("not_an_image", "a JPEG segment is cut off");
    const body = bytes.subarray(at + 4, at + 2 + length);
    if (marker === APP1 && startsWith(body, EXIF_HEADER)) {
      orientation = readOrientation(body.subarray(EXIF_HEADER.length)) ?? orientation;
    } else if (marker === APP0 && startsWith(body, JFIF_HEADER) && length >= 16) {
      // JFIF's version and pixel density, without its embedded thumbnail.
      const jfif = bytes.slice(at, at + 18);
      jfif[3] = 16;
      jfif[16] = 0;
      jfif[17] = 0;
      out.push(jfif);
    } else if (keepSegment(marker, body)) {
      out.push(bytes.subarray(at, at + 2 + length));
    }
    if (isStartOfFrame(marker) && length >= 7) {
      size = { height: readU16(body, 1, false), width: readU16(body, 3, false) };
    }
    at += 2 + length;
    if (marker === SOS) {
      // Entropy-coded data up to the next marker; FF 00 is a stuffed FF, FF D0–D7 a restart.
      const start = at;
      while (at < bytes.length) {
        if (bytes[at] === 0xff && at + 1 < bytes.length) {
          const next = bytes[at + 1]!;
          if (next !== 0 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
        }
        at += 1;
      }
      out.push(bytes.subarray(start, at));
      scanned = true;
    }
  }
  if (size === undefined || size.width === 0 || size.height === 0) {
    throw new MediaError("not_an_image", "the JPEG has no frame header");
  }
  if (orientation !== 1) out.splice(out[1] !== undefined && isJfif(out[1]) ? 2 : 1, 0, orientationExif(orientation));
  const turned = orientation >= 5;
  return {
    bytes: concatBytes(...out),
    mediaType: "image/jpeg",
    width: turned ? size.height : size.width,
    height: turned ? size.width : size.height,
  };
}

const isJfif = (segment: Uint8Array) => segment[1] === APP0;

/** The entries of IFD0 of a TIFF structure (EXIF's body) by tag, each with the offset of its entry. */
function readIfd0(tiff: Uint8Array): Map<number, number> {
  const entries = new Map<number, number>();
  if (tiff.length < 8) return entries;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d; // "MM"
  if ((!little && !big) || readU16(tiff, 2, little) !== 42) return entries;
  const ifd0 = readU32(tiff, 4, little);
  if (ifd0 + 2 > tiff.length) return entries;
  const count = readU16(tiff, ifd0, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > tiff.length) break;
    entries.set(readU16(tiff, entry, little), entry);
  }
  return entries;
}

/** EXIF orientation 1–8 (a SHORT in IFD0), or undefined when absent or out of range. */
function readOrientation(tiff: Uint8Array): number | undefined {
  const entry = readIfd0(tiff).get(ORIENTATION);
  if (entry === undefined) return undefined;
  const little = tiff[0] === 0x49;
  if (readU16(tiff, entry + 2, little) !== 3) return undefined; // type SHORT
  const value = readU16(tiff, entry + 8, little);
  return value >= 1 && value <= 8 ? value : undefined;
}

/** An APP1 segment with an EXIF block that holds the orientation and nothing else. */
function orientationExif(orientation: number): Uint8Array {
  const tiff = [
    ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08], // big-endian TIFF, IFD0 at 8
    ...[0x00, 0x01], // one entry
    ...[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00], // Orientation, SHORT, 1
    ...[0x00, 0x00, 0x00, 0x00], // no further IFD
  ];
  const body = [...EXIF_HEADER, ...tiff];
  return Uint8Array.from([0xff, APP1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]);
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/**
 * PNG chunks that make up the picture (critical ones, transparency, colour,
 * pixel density, animation). Everything else is dropped: eXIf, tEXt, zTXt,
 * iTXt (where XMP lives), tIME and private chunks.
 */
const PNG_KEEP = new Set([
  "IHDR",
  "PLTE",
  "IDAT",
  "IEND",
  "tRNS",
  "gAMA",
  "cHRM",
  "sRGB",
  "iCCP",
  "sBIT",
  "cICP",
  "mDCV",
  "cLLI",
  "bKGD",
  "pHYs",
  "acTL",
  "fcTL",
  "fdAT",
]);

function stripPng(bytes: Uint8Array): CleanPhoto {
  const out: Uint8Array[] = [PNG_SIGNATURE];
  let size: { width: number; height: number } | undefined;
  let at = PNG_SIGNATURE.length;
  for (;;) {
    if (at + 12 > bytes.length) throw new MediaError("not_an_image", "the PNG ends before IEND");
    const length = readU32(bytes, at, false);
    const end = at + 12 + length;
    if (end > bytes.length) throw new MediaError("not_an_image", "a PNG chunk is cut off");
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (size === undefined) {
      if (type !== "IHDR" || length !== 13) throw new MediaError("not_an_image", "the PNG does not start with IHDR");
      size = { width: readU32(bytes, at + 8, false), height: readU32(bytes, at + 12, false) };
      if (size.width === 0 || size.height === 0) throw new MediaError("not_an_image", "the PNG is empty");
    }
    if (PNG_KEEP.has(type)) out.push(bytes.subarray(at, end));
    at = end;
    // What follows IEND is no part of the picture.
    if (type === "IEND") break;
  }
  return { bytes: concatBytes(...out), mediaType: "image/png", width: size.width, height: size.height };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function readU16(bytes: Uint8Array, at: number, little: boolean): number {
  return little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
}

function readU32(bytes: Uint8Array, at: number, little: boolean): number {
  const [a, b, c, d] = little
    ? [bytes[at + 3]!, bytes[at + 2]!, bytes[at + 1]!, bytes[at]!]
    : [bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!];
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}
