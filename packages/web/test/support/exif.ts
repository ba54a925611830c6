/**
 * Hand-built EXIF: an APP1 segment with a big-endian TIFF structure whose
 * IFD0 holds Orientation and, when asked, a pointer to a GPS IFD with a
 * position. Used to make the GPS fixture and rotated test photos, so the
 * tests see the metadata a phone camera writes.
 */

export interface ExifOptions {
  /** EXIF orientation 1–8; 6 means "rotate 90° clockwise to show". */
  readonly orientation: number;
  /** Degrees, minutes, seconds; north and east. */
  readonly gps?: { readonly latitude: [number, number, number]; readonly longitude: [number, number, number] };
}

const SHORT = 3;
const LONG = 4;
const BYTE = 1;
const ASCII = 2;
const RATIONAL = 5;

/** The complete APP1 segment, marker and length included. */
export function exifSegment(options: ExifOptions): Uint8Array {
  const ifd0Entries = options.gps === undefined ? 1 : 2;
  const ifd0Size = 2 + ifd0Entries * 12 + 4;
  const gpsOffset = 8 + ifd0Size;
  const gpsEntries = 5;
  const gpsSize = 2 + gpsEntries * 12 + 4;
  const rationalsOffset = gpsOffset + gpsSize;
  const tiffSize = options.gps === undefined ? gpsOffset : rationalsOffset + 6 * 8;
  const tiff = new DataView(new ArrayBuffer(tiffSize));
  tiff.setUint16(0, 0x4d4d); // "MM"
  tiff.setUint16(2, 42);
  tiff.setUint32(4, 8);
  let at = 8;
  const entry = (tag: number, type: number, count: number, value: (view: DataView, at: number) => void) => {
    tiff.setUint16(at, tag);
    tiff.setUint16(at + 2, type);
    tiff.setUint32(at + 4, count);
    value(tiff, at + 8);
    at += 12;
  };
  tiff.setUint16(at, ifd0Entries);
  at += 2;
  entry(0x0112, SHORT, 1, (v, p) => v.setUint16(p, options.orientation));
  if (options.gps !== undefined) entry(0x8825, LONG, 1, (v, p) => v.setUint32(p, gpsOffset));
  tiff.setUint32(at, 0); // no IFD1
  if (options.gps !== undefined) {
    const { latitude, longitude } = options.gps;
    at = gpsOffset;
    tiff.setUint16(at, gpsEntries);
    at += 2;
    entry(0x0000, BYTE, 4, (v, p) => [2, 3, 0, 0].forEach((b, i) => v.setUint8(p + i, b)));
    entry(0x0001, ASCII, 2, (v, p) => v.setUint8(p, "N".charCodeAt(0)));
    entry(0x0002, RATIONAL, 3, (v, p) => v.setUint32(p, rationalsOffset));
    entry(0x0003, ASCII, 2, (v, p) => v.setUint8(p, "E".charCodeAt(0)));
    entry(0x0004, RATIONAL, 3, (v, p) => v.setUint32(p, rationalsOffset + 24));
    tiff.setUint32(at, 0);
    [...latitude, ...longitude].forEach((value, i) => {
      tiff.setUint32(rationalsOffset + i * 8, value);
      tiff.setUint32(rationalsOffset + i * 8 + 4, 1);
    });
  }
  const header = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
  const length = 2 + header.length + tiffSize;
  return Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff, ...header, ...new Uint8Array(tiff.buffer)]);
}

/** `jpeg` with `segment` inserted after SOI and a JFIF APP0, where a camera puts its EXIF. */
export function insertSegment(jpeg: Uint8Array, segment: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at += 2 + ((jpeg[4]! << 8) | jpeg[5]!);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, at));
  out.set(segment, at);
  out.set(jpeg.subarray(at), at + segment.length);
  return out;
}
