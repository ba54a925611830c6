/**
 * A small JPEG segment scanner: does a file still carry an EXIF block, and
 * does that block point to GPS data? The tests use it to prove that a
 * prepared photo leaks no location, and the app uses it as a self-check
 * before it sends one. It reads only the markers before the first scan,
 * where encoders put metadata, and never throws on damaged input.
 */
export function jpegHasMetadata(bytes: Uint8Array): { exif: boolean; gps: boolean } {
  const found = { exif: false, gps: false };
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return found;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === SOI || marker === TEM || (marker >= RST0 && marker <= RST7)) {
      at += 2;
      continue;
    }
    if (marker === EOI || marker === SOS) break;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) break;
    const body = bytes.subarray(at + 4, at + 2 + length);
    if (marker === APP1 && startsWith(body, EXIF_HEADER)) {
      found.exif = true;
      if (tiffHasGpsPointer(body.subarray(EXIF_HEADER.length))) found.gps = true;
    }
    at += 2 + length;
  }
  return found;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const TEM = 0x01;
const RST0 = 0xd0;
const RST7 = 0xd7;
const APP1 = 0xe1;
const EXIF_HEADER = Uint8Array.of(0x45, 0x78, 0x69, 0x66, 0, 0); // "Exif\0\0"
const GPS_IFD_POINTER = 0x8825;

/** Whether IFD0 of a TIFF structure has the GPS IFD pointer tag. */
function tiffHasGpsPointer(tiff: Uint8Array): boolean {
  if (tiff.length < 8) return false;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d; // "MM"
  if (!little && !big) return false;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, little) !== 42) return false;
  const ifd0 = view.getUint32(4, little);
  if (ifd0 + 2 > tiff.length) return false;
  const count = view.getUint16(ifd0, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > tiff.length) return false;
    if (view.getUint16(entry, little) === GPS_IFD_POINTER) return true;
  }
  return false;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}
